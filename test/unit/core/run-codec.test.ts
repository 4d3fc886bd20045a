import { describe, expect, it } from 'vitest';
import type { AnalysisRun, Metric } from '../../../src/api/types.js';
import { judgeObservation } from '../../../src/core/judge.js';
import { finishReconcile, planReconcile } from '../../../src/core/reconcile.js';
import { decodeRun, encodeRun, planSpec } from '../../../src/core/run-codec.js';
import { checkStoredRun } from '../../../src/store/run-store.js';

const T0 = Date.UTC(2026, 0, 1);
const metric: Metric = { name: 'rate', interval: '1m', count: '3', successCondition: 'result == 1', provider: { web: { url: 'http://x' } } };
const run = (status?: AnalysisRun['status']): AnalysisRun => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisRun',
  metadata: { name: 'r', namespace: 'ns' },
  spec: { metrics: [metric] },
  ...(status ? { status } : {}),
});

/** One reconcile at `now` whose due measurement observes `value`. */
function reconcile(r: AnalysisRun, now: number, value: unknown): AnalysisRun {
  const state = decodeRun(r, planSpec(r.spec));
  const plan = planReconcile(state, now);
  if (plan.kind !== 'measure' || !state.plan.ok) throw new Error(plan.kind);
  const outcomes = plan.tasks.map((task) => ({ task, ...judgeObservation(state.plan.ok ? state.plan.metrics[task.index]!.metric : metric, { kind: 'value', value, display: String(value) }, now, now) }));
  finishReconcile(state, outcomes, [], now);
  return encodeRun(state);
}

describe('the run codec', () => {
  it('writes back a stored status it did not change byte for byte: field order, zero counters, time zones', () => {
    const stored = run({
      startedAt: '2026-01-01T01:00:00+01:00',
      metricResults: [{ phase: 'Running', name: 'rate', consecutiveError: 0, count: 1, successful: 1, measurements: [{ phase: 'Successful', finishedAt: '2026-01-01T00:00:00Z' }] }],
      phase: 'Running',
      runSummary: { count: 1 },
    });
    expect(JSON.stringify(encodeRun(decodeRun(stored, planSpec(stored.spec))))).toBe(JSON.stringify(stored));
  });

  it('adds status fields in the order Argo adds them, and keeps the place of fields already stored', () => {
    const first = reconcile(run(), T0, 1);
    expect(Object.keys(first.status!)).toEqual(['phase', 'metricResults', 'startedAt', 'runSummary', 'dryRunSummary']);
    expect(Object.keys(first.status!.metricResults![0]!)).toEqual(['name', 'phase', 'successful', 'count', 'consecutiveSuccess', 'measurements']);
    const second = reconcile(first, T0 + 60_000, 0);
    // A failure after a success: `failed` is new (appended), the streak of successes is dropped.
    expect(Object.keys(second.status!.metricResults![0]!)).toEqual(['name', 'phase', 'successful', 'count', 'measurements', 'failed']);
    expect(second.status).toMatchObject({ phase: 'Failed', startedAt: '2026-01-01T00:00:00Z', completedAt: '2026-01-01T00:01:00Z' });
  });

  it('reads a stored run that is not an AnalysisRun as invalid, naming the field, and tolerates unknown fields', () => {
    const bad = { ...run(), spec: { metrics: [{ ...metric, count: true }] } };
    const checked = checkStoredRun(bad);
    expect(checked.ok).toBe(false);
    expect(checked.ok ? '' : checked.message).toMatch(/^not a valid AnalysisRun: spec\.metrics\[0\]\.count: /);
    expect(checkStoredRun({ ...run(), status: { phase: 'Running', fromNewerArgo: 1 } }).ok).toBe(true);
  });
});
