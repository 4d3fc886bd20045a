/**
 * Why each metric of a run has its phase: the counter and limit that decided it, derived from the
 * spec and the status alone (the same rules as assess.ts, which stays the only judge). Pure: the
 * shells render the result beside Argo's own message, which it never replaces.
 */
import type { AnalysisRun, Metric, MetricResult } from '../api/types.js';
import { isCompleted } from '../api/phase.js';
import { argsWithoutSecrets, resolveMetrics } from './args.js';
import { limitBreach, type AnalysisEvent } from './assess.js';
import { limitsOf, optInt } from './metric-spec.js';
import { decisionWhy, measurementWhy, type MeasurementTrace, type MetricDecision } from './trace.js';

function limitsHeld(metric: Metric, result: MetricResult): string {
  const failureLimit = optInt(metric.failureLimit) ?? 0;
  const parts: string[] = [];
  if (failureLimit >= 0) parts.push(`failed (${result.failed ?? 0}) <= failureLimit (${failureLimit})`);
  if (result.inconclusive) parts.push(`inconclusive (${result.inconclusive}) <= inconclusiveLimit (${optInt(metric.inconclusiveLimit) ?? 0})`);
  return parts.join(', ');
}

/** The decision for one metric whose result is in `result`. */
export function explainMetric(metric: Metric, result: MetricResult | undefined, terminated: boolean): MetricDecision {
  const base = { metric: metric.name, phase: result?.phase ?? '' } as const;
  if (!result) return { ...base, phase: 'Pending', reason: 'no measurement yet' };
  const limits = limitsOf(metric);
  const breach = limitBreach(limits, result);
  if (breach.phase !== '' && breach.counter !== undefined) {
    return {
      ...base,
      reason: breach.message,
      counter: breach.counter,
      count: breach.count!,
      limitName: breach.limitName!,
      limit: breach.limit!,
    };
  }
  if (!isCompleted(result.phase)) return { ...base, reason: `measuring: ${limitsHeld(metric, result) || 'no limit crossed'}` };
  const successLimit = limits.consecutiveSuccessLimit;
  const consecutive = result.consecutiveSuccess ?? 0;
  if (successLimit > 0 && consecutive >= successLimit) {
    const reason = `consecutiveSuccess (${consecutive}) >= consecutiveSuccessLimit (${successLimit})`;
    return { ...base, reason, counter: 'consecutiveSuccess', count: consecutive, limitName: 'consecutiveSuccessLimit', limit: successLimit };
  }
  const count = result.count ?? 0;
  const eff = limits.effectiveCount;
  if (eff !== undefined && count >= eff) {
    const held = limitsHeld(metric, result);
    if (successLimit > 0) {
      const reason = `count (${count}) reached without consecutiveSuccess (${consecutive}) reaching consecutiveSuccessLimit (${successLimit})`;
      return { ...base, reason, counter: 'count', count, limitName: 'count', limit: eff };
    }
    return { ...base, reason: `count (${count}) reached${held ? `; ${held}` : ''}`, counter: 'count', count, limitName: 'count', limit: eff };
  }
  if (terminated) return { ...base, reason: 'the run was terminated before any limit was crossed' };
  return { ...base, reason: `stopped with ${limitsHeld(metric, result) || 'no limit crossed'}` };
}

/**
 * Decisions for every metric of the run, in spec order. Names with placeholders are resolved
 * (without secrets, which never appear in a metric name that matters here).
 */
export function explainRun(run: AnalysisRun): MetricDecision[] {
  const resolved = resolveMetrics(run.spec.metrics ?? [], argsWithoutSecrets(run.spec.args ?? []));
  const metrics = resolved.ok ? resolved.value : (run.spec.metrics ?? []);
  const results = run.status?.metricResults ?? [];
  const terminated = run.spec.terminate === true || results.some((r) => !r.dryRun && (r.phase === 'Failed' || r.phase === 'Error' || r.phase === 'Inconclusive'));
  return metrics.map((m) => {
    const result = results.find((r) => r.name === m.name);
    const decision = explainMetric(m, result, terminated);
    return result?.dryRun ? { ...decision, dryRun: true } : decision;
  });
}

const PHASE_OF_COUNTER: Record<string, string> = { failed: 'Failed', inconclusive: 'Inconclusive', consecutiveErrors: 'Error' };

/** The measurement that best shows a decision: the last one of the counter's phase, else the last. */
export function decisiveTrace(decision: MetricDecision, traces: readonly MeasurementTrace[]): MeasurementTrace | undefined {
  const phase = decision.counter ? PHASE_OF_COUNTER[decision.counter] : undefined;
  for (let i = traces.length - 1; i >= 0; i--) if (phase === undefined || traces[i]!.phase === phase) return traces[i];
  return traces[traces.length - 1];
}

/**
 * The verdict's why lines: one per completed metric that is not Successful (all metrics when the
 * run succeeded), `success-rate = [0.82]: successCondition ... is false; failed (2) > failureLimit (1)`.
 */
export function verdictReasons(run: AnalysisRun, tracesOf: (metric: string) => readonly MeasurementTrace[]): string[] {
  const decisions = explainRun(run);
  const bad = decisions.filter((d) => !d.dryRun && (d.phase === 'Failed' || d.phase === 'Error' || d.phase === 'Inconclusive'));
  const shown = bad.length > 0 ? bad : decisions;
  return shown.map((d) => decisionWhy(d, decisiveTrace(d, tracesOf(d.metric))) + (d.dryRun ? ' (dry-run: does not decide the verdict)' : ''));
}

/**
 * Kubernetes events that say why, beside Argo's own (which stay as they are): one per measurement
 * that was not Successful (`MeasurementFailed` ... with its why line), bounded by the measurements.
 */
export function measurementEvents(traces: readonly MeasurementTrace[]): AnalysisEvent[] {
  return traces
    .filter((t) => t.phase === 'Failed' || t.phase === 'Inconclusive' || t.phase === 'Error')
    .map((t) => ({ type: t.phase === 'Inconclusive' ? 'Normal' : 'Warning', reason: `Measurement${t.phase}`, message: measurementWhy(t) }));
}

/** One `AnalysisRunExplained` event per reason of a completed run's verdict. */
export function verdictEvents(run: AnalysisRun, tracesOf: (metric: string) => readonly MeasurementTrace[]): AnalysisEvent[] {
  const phase = run.status?.phase;
  if (!isCompleted(phase)) return [];
  const type = phase === 'Failed' || phase === 'Error' ? 'Warning' : 'Normal';
  return verdictReasons(run, tracesOf).map((why) => ({ type, reason: 'AnalysisRunExplained', message: `${phase}: ${why}` }));
}
