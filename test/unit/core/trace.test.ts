import { describe, expect, it } from 'vitest';
import type { AnalysisRun, Metric } from '../../../src/api/types.js';
import { explainMetric, measurementEvents, verdictReasons } from '../../../src/core/explain.js';
import { judgeObservation } from '../../../src/core/judge.js';
import { finishReconcile, planReconcile } from '../../../src/core/reconcile.js';
import { decodeRun } from '../../../src/core/run-codec.js';
import { planSpec } from '../../../src/core/run-codec.js';
import { measurementWhy } from '../../../src/core/trace.js';

const T0 = Date.UTC(2026, 0, 1);
const metric: Metric = {
  name: 'success-rate',
  failureLimit: 1,
  successCondition: 'result[0] >= 0.95',
  provider: { prometheus: { address: 'http://p', query: 'q' } },
};

describe('decision trace of a measurement', () => {
  it('records the raw value, each condition with its outcome, and the phase', () => {
    const { measurement, trace } = judgeObservation(metric, { kind: 'value', value: [0.82], display: '[0.82]' }, T0, T0);
    expect(measurement.phase).toBe('Failed');
    expect(trace).toMatchObject({
      metric: 'success-rate',
      phase: 'Failed',
      raw: '[0.82]',
      numeric: 0.82,
      judgedBy: 'conditions',
      conditions: [{ kind: 'successCondition', expression: 'result[0] >= 0.95', outcome: 'false' }],
    });
    expect(measurementWhy(trace)).toBe('success-rate = [0.82]: successCondition result[0] >= 0.95 is false');
  });

  it('stops at a condition that cannot be evaluated, with its error, as Argo does', () => {
    const both = { ...metric, failureCondition: 'result[0] < 0.5' };
    const { trace } = judgeObservation(both, { kind: 'value', value: 'text', display: 'text' }, T0, T0);
    expect(trace.phase).toBe('Error');
    expect(trace.conditions).toHaveLength(1);
    expect(trace.conditions[0]).toMatchObject({ kind: 'successCondition', outcome: 'error' });
    expect(trace.conditions[0]!.error).toBeTruthy();
    expect(measurementWhy(trace)).toMatch(/^success-rate = text: successCondition result\[0\] >= 0.95 could not be evaluated: /);
  });

  it('names a provider failure as such', () => {
    const { trace } = judgeObservation(metric, { kind: 'error', code: 'Unreachable', message: 'connection refused' }, T0, T0);
    expect(measurementWhy(trace)).toBe('success-rate: provider error: connection refused');
  });

  it('keeps secret values out of the recorded trace', () => {
    const run: AnalysisRun = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: { name: 'r', namespace: 'ns' },
      spec: { metrics: [{ ...metric, successCondition: 'result[0] == "hunter2"' }] },
    };
    const state = decodeRun(run, planSpec(run.spec));
    const plan = planReconcile(state, T0);
    if (plan.kind !== 'measure' || !state.plan.ok) throw new Error(plan.kind);
    const judged = judgeObservation(state.plan.metrics[0]!.metric, { kind: 'value', value: ['hunter2 leaked'], display: '[hunter2 leaked]' }, T0, T0);
    const out = finishReconcile(state, [{ task: plan.tasks[0]!, ...judged }], ['hunter2'], T0);
    expect(JSON.stringify(out.traces)).not.toContain('hunter2');
    expect(out.traces[0]!.raw).toBe('["***** leaked"]');
  });
});

describe('decision of a metric', () => {
  const run = (failed: number, phase: 'Failed' | 'Running'): AnalysisRun => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: { name: 'r', namespace: 'ns' },
    spec: { metrics: [metric] },
    status: {
      phase,
      message: phase === 'Failed' ? `Metric "success-rate" assessed Failed due to failed (${failed}) > failureLimit (1)` : '',
      metricResults: [{ name: 'success-rate', phase, count: 3, failed, successful: 3 - failed }],
    },
  });

  it('names the counter and the limit that decided, and the deciding measurement', () => {
    expect(explainMetric(metric, run(2, 'Failed').status!.metricResults![0], true)).toMatchObject({
      phase: 'Failed',
      counter: 'failed',
      count: 2,
      limitName: 'failureLimit',
      limit: 1,
      reason: 'failed (2) > failureLimit (1)',
    });
    const bad = judgeObservation(metric, { kind: 'value', value: [0.82], display: '[0.82]' }, T0, T0).trace;
    const good = judgeObservation(metric, { kind: 'value', value: [0.99], display: '[0.99]' }, T0 + 1, T0 + 1).trace;
    expect(verdictReasons(run(2, 'Failed'), () => [bad, good])).toEqual([
      'success-rate = [0.82]: successCondition result[0] >= 0.95 is false; failed (2) > failureLimit (1)',
    ]);
    expect(measurementEvents([bad, good])).toEqual([
      { type: 'Warning', reason: 'MeasurementFailed', message: 'success-rate = [0.82]: successCondition result[0] >= 0.95 is false' },
    ]);
  });

  it('says which limit still holds while measuring, and when the count was reached', () => {
    expect(explainMetric(metric, run(1, 'Running').status!.metricResults![0], false).reason).toBe('measuring: failed (1) <= failureLimit (1)');
    const counted = { ...metric, count: 3 };
    expect(explainMetric(counted, { name: 'success-rate', phase: 'Successful', count: 3, successful: 3 }, false).reason).toBe(
      'count (3) reached; failed (0) <= failureLimit (1)',
    );
  });
});

describe('a dry-run metric', () => {
  it('never shows as the reason of a verdict it did not decide', () => {
    const dry: Metric = { ...metric, name: 'latency' };
    const run: AnalysisRun = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: { name: 'r', namespace: 'ns' },
      spec: { metrics: [{ ...metric, count: 1 }, { ...dry, count: 1 }], dryRun: [{ metricName: 'latency' }] },
      status: {
        phase: 'Successful',
        metricResults: [
          { name: 'success-rate', phase: 'Successful', count: 1, successful: 1 },
          { name: 'latency', phase: 'Failed', count: 1, failed: 2, dryRun: true },
        ],
      },
    };
    expect(verdictReasons(run, () => [])).toEqual([
      'success-rate: count (1) reached; failed (0) <= failureLimit (1)',
      'latency: failed (2) > failureLimit (1) (dry-run: does not decide the verdict)',
    ]);
  });
});
