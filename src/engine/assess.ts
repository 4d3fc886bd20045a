/**
 * Assessment: a metric's phase from its counters and limits (Argo's assessMetricStatus and
 * assessMetricFailureInconclusiveOrError), and the run's phase roll-up (assessRunStatus).
 */
import type { AnalysisRun, Metric, MetricResult, RunSummary } from '../api/types.js';
import { isCompleted, isWorse, type Phase } from '../api/phase.js';
import { formatTime } from './time.js';
import {
  consecutiveErrorLimitOf,
  consecutiveSuccessLimitOf,
  effectiveCount,
  inconclusiveLimitOf,
  optInt,
} from './metric-spec.js';

export interface AnalysisEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/**
 * The limit check. Later checks overwrite earlier ones, so within a metric Error beats
 * Inconclusive beats Failed (the opposite of the run-level order).
 */
export interface LimitBreach {
  phase: Phase;
  message: string;
  /** The counter that crossed its limit, for the decision trace (absent when none did). */
  counter?: 'failed' | 'inconclusive' | 'consecutiveErrors';
  count?: number;
  limitName?: 'failureLimit' | 'inconclusiveLimit' | 'consecutiveErrorLimit';
  limit?: number;
}

export function assessLimits(metric: Metric, result: MetricResult): { phase: Phase; message: string } {
  const breach = limitBreach(metric, result);
  return { phase: breach.phase, message: breach.message };
}

/** assessLimits with the counter and limit that decided (for the decision trace). */
export function limitBreach(metric: Metric, result: MetricResult): LimitBreach {
  let breach: LimitBreach = { phase: '', message: '' };
  const failureLimit = optInt(metric.failureLimit) ?? 0;
  const failed = result.failed ?? 0;
  if (failureLimit >= 0 && failed > failureLimit) {
    const message = `failed (${failed}) > failureLimit (${failureLimit})`;
    breach = { phase: 'Failed', message, counter: 'failed', count: failed, limitName: 'failureLimit', limit: failureLimit };
  }
  const inconclusiveLimit = inconclusiveLimitOf(metric);
  const inconclusive = result.inconclusive ?? 0;
  if (inconclusive > inconclusiveLimit) {
    const message = `inconclusive (${inconclusive}) > inconclusiveLimit (${inconclusiveLimit})`;
    breach = { phase: 'Inconclusive', message, counter: 'inconclusive', count: inconclusive, limitName: 'inconclusiveLimit', limit: inconclusiveLimit };
  }
  const errorLimit = consecutiveErrorLimitOf(metric);
  const consecutiveError = result.consecutiveError ?? 0;
  if (consecutiveError > errorLimit) {
    const message = `consecutiveErrors (${consecutiveError}) > consecutiveErrorLimit (${errorLimit})`;
    breach = {
      phase: 'Error',
      message,
      counter: 'consecutiveErrors',
      count: consecutiveError,
      limitName: 'consecutiveErrorLimit',
      limit: errorLimit,
    };
  }
  return breach;
}

/** Argo's assessMetricStatus. */
export function assessMetricStatus(metric: Metric, result: MetricResult, terminating: boolean): Phase {
  if (isCompleted(result.phase)) return result.phase;
  const measurements = result.measurements ?? [];
  if (measurements.length === 0) return terminating ? 'Successful' : 'Pending';
  const last = measurements[measurements.length - 1]!;
  if (!isCompleted(last.phase)) return 'Running';
  const limits = assessLimits(metric, result);
  if (limits.phase !== '') return limits.phase;
  const successLimit = consecutiveSuccessLimitOf(metric);
  if (successLimit > 0 && (result.consecutiveSuccess ?? 0) >= successLimit) return 'Successful';
  const eff = effectiveCount(metric);
  if (eff !== undefined && (result.count ?? 0) >= eff) {
    const failureLimit = optInt(metric.failureLimit);
    const failureApplicable = failureLimit === undefined || failureLimit >= 0;
    const successApplicable = successLimit > 0;
    if (failureApplicable && successApplicable) return 'Inconclusive';
    if (successApplicable) return 'Failed';
    return 'Successful';
  }
  return terminating ? 'Successful' : 'Running';
}

/** Argo's IsTerminating: terminate requested, or a non-dry-run metric already failed. */
export function isTerminating(run: AnalysisRun): boolean {
  if (run.spec.terminate) return true;
  for (const r of run.status?.metricResults ?? []) {
    if (r.dryRun) continue;
    if (r.phase === 'Failed' || r.phase === 'Error' || r.phase === 'Inconclusive') return true;
  }
  return false;
}

function bump(summary: Required<RunSummary>, phase: Phase): void {
  if (phase === 'Failed') summary.failed++;
  else if (phase === 'Inconclusive') summary.inconclusive++;
  else if (phase === 'Error') summary.error++;
  else summary.successful++;
}

/** The summary as Argo serialises it: zero counters are omitted (omitempty). */
function compact(summary: Required<RunSummary>): RunSummary {
  const out: RunSummary = {};
  if (summary.count) out.count = summary.count;
  if (summary.successful) out.successful = summary.successful;
  if (summary.failed) out.failed = summary.failed;
  if (summary.inconclusive) out.inconclusive = summary.inconclusive;
  if (summary.error) out.error = summary.error;
  return out;
}

/**
 * Argo's assessRunStatus. Mutates `run.status` (metric phases and messages, startedAt,
 * runSummary, dryRunSummary) and returns the run's new phase and message plus events.
 */
export function assessRunStatus(
  run: AnalysisRun,
  metrics: readonly Metric[],
  dryRun: ReadonlyMap<string, true>,
  now: number,
): { phase: Phase; message: string; events: AnalysisEvent[] } {
  const status = run.status!;
  const events: AnalysisEvent[] = [];
  const terminating = isTerminating(run);
  let everythingCompleted = true;
  let worst: Phase = '';
  let worstMessage = run.spec.terminate ? 'Run Terminated' : '';
  status.startedAt ??= formatTime(now);
  const summary = { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 };
  const drySummary = { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 };
  const results = status.metricResults ?? [];
  for (const metric of metrics) {
    const isDry = dryRun.has(metric.name);
    if (isDry) drySummary.count++;
    else summary.count++;
    const result = results.find((r) => r.name === metric.name);
    if (!result) {
      everythingCompleted = false;
      continue;
    }
    const phase = assessMetricStatus(metric, result, terminating);
    if (result.phase !== phase) {
      if (isCompleted(phase)) {
        events.push({
          type: phase === 'Error' || phase === 'Failed' ? 'Warning' : 'Normal',
          reason: `Metric${phase}`,
          message: `Metric '${metric.name}' Completed. Result: ${phase}`,
        });
      }
      const ms = result.measurements ?? [];
      if (ms.length > 0) setMessage(result, ms[ms.length - 1]!.message);
      result.phase = phase;
    }
    if (!isCompleted(phase)) {
      everythingCompleted = false;
      continue;
    }
    const limits = assessLimits(metric, result);
    if (!isDry) {
      if (worst === '' || isWorse(worst, phase)) {
        worst = phase;
        if (limits.message !== '') {
          worstMessage = `Metric "${metric.name}" assessed ${phase} due to ${limits.message}`;
          if (result.message) worstMessage += `: "Error Message: ${result.message}"`;
        }
      }
      bump(summary, limits.phase);
    } else {
      if (worst === '') worst = 'Successful';
      if (limits.message !== '') result.message = `Metric assessed ${phase} due to ${limits.message}`;
      bump(drySummary, limits.phase);
    }
  }
  status.runSummary = compact(summary);
  status.dryRunSummary = compact(drySummary);
  worstMessage = worstMessage.trim();
  if (terminating) return { phase: worst === '' ? 'Successful' : worst, message: worstMessage, events };
  if (!everythingCompleted || worst === '') return { phase: 'Running', message: '', events };
  return { phase: worst, message: worstMessage, events };
}

function setMessage(result: MetricResult, message: string | undefined): void {
  if (message) result.message = message;
  else delete result.message;
}
