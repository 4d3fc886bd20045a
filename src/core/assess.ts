/**
 * Assessment: a metric's phase from its counters and limits (Argo's assessMetricStatus and
 * assessMetricFailureInconclusiveOrError), and the run's phase roll-up (assessRunStatus).
 */
import type { RunSummary } from '../api/types.js';
import { isCompleted, isWorse, type Phase } from '../api/phase.js';
import type { MetricLimits } from './metric-spec.js';
import { isTerminating, resultNamed, type ResultState, type RunState } from './run-state.js';
import { storedInstant, type Instant } from './time.js';

export interface AnalysisEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** The counters a limit check reads (a stored MetricResult has them, 0 omitted). */
export interface LimitCounters {
  failed?: number;
  inconclusive?: number;
  consecutiveError?: number;
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

export function assessLimits(limits: MetricLimits, result: LimitCounters): { phase: Phase; message: string } {
  const breach = limitBreach(limits, result);
  return { phase: breach.phase, message: breach.message };
}

/** assessLimits with the counter and limit that decided (for the decision trace). */
export function limitBreach(limits: MetricLimits, result: LimitCounters): LimitBreach {
  let breach: LimitBreach = { phase: '', message: '' };
  const failureLimit = limits.failureLimit ?? 0;
  const failed = result.failed ?? 0;
  if (failureLimit >= 0 && failed > failureLimit) {
    const message = `failed (${failed}) > failureLimit (${failureLimit})`;
    breach = { phase: 'Failed', message, counter: 'failed', count: failed, limitName: 'failureLimit', limit: failureLimit };
  }
  const inconclusiveLimit = limits.inconclusiveLimit;
  const inconclusive = result.inconclusive ?? 0;
  if (inconclusive > inconclusiveLimit) {
    const message = `inconclusive (${inconclusive}) > inconclusiveLimit (${inconclusiveLimit})`;
    breach = { phase: 'Inconclusive', message, counter: 'inconclusive', count: inconclusive, limitName: 'inconclusiveLimit', limit: inconclusiveLimit };
  }
  const errorLimit = limits.consecutiveErrorLimit;
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
export function assessMetricStatus(limits: MetricLimits, result: ResultState, terminating: boolean): Phase {
  if (isCompleted(result.phase)) return result.phase;
  const last = result.last;
  if (!last) return terminating ? 'Successful' : 'Pending';
  if (!isCompleted(last.wire.phase)) return 'Running';
  const breach = assessLimits(limits, result);
  if (breach.phase !== '') return breach.phase;
  const successLimit = limits.consecutiveSuccessLimit;
  if (successLimit > 0 && result.consecutiveSuccess >= successLimit) return 'Successful';
  const eff = limits.effectiveCount;
  if (eff !== undefined && result.count >= eff) {
    const failureApplicable = limits.failureLimit === undefined || limits.failureLimit >= 0;
    const successApplicable = successLimit > 0;
    if (failureApplicable && successApplicable) return 'Inconclusive';
    if (successApplicable) return 'Failed';
    return 'Successful';
  }
  return terminating ? 'Successful' : 'Running';
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
 * Argo's assessRunStatus. Updates `state` (metric phases and messages, startedAt, runSummary,
 * dryRunSummary) and returns the run's new phase and message plus events, and whether any of
 * those updates changed the state.
 */
export function assessRunStatus(
  state: RunState,
  now: Instant,
): { phase: Phase; message: string; events: AnalysisEvent[]; changed: boolean } {
  const events: AnalysisEvent[] = [];
  const metrics = state.plan.ok ? state.plan.metrics : [];
  const terminating = isTerminating(state);
  let changed = false;
  let everythingCompleted = true;
  let worst: Phase = '';
  let worstMessage = state.source.spec.terminate ? 'Run Terminated' : '';
  if (state.startedAt === undefined) {
    state.startedAt = storedInstant(now);
    changed = true;
  }
  const summary = { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 };
  const drySummary = { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 };
  for (const plan of metrics) {
    const isDry = plan.dryRun;
    if (isDry) drySummary.count++;
    else summary.count++;
    const result = resultNamed(state, plan.name);
    if (!result) {
      everythingCompleted = false;
      continue;
    }
    const phase = assessMetricStatus(plan.limits, result, terminating);
    if (result.phase !== phase) {
      if (isCompleted(phase)) {
        events.push({
          type: phase === 'Error' || phase === 'Failed' ? 'Warning' : 'Normal',
          reason: `Metric${phase}`,
          message: `Metric '${plan.name}' Completed. Result: ${phase}`,
        });
      }
      if (result.last) setMessage(result, result.last.wire.message);
      result.phase = phase;
      changed = true;
    }
    if (!isCompleted(phase)) {
      everythingCompleted = false;
      continue;
    }
    const limits = assessLimits(plan.limits, result);
    if (!isDry) {
      if (worst === '' || isWorse(worst, phase)) {
        worst = phase;
        if (limits.message !== '') {
          worstMessage = `Metric "${plan.name}" assessed ${phase} due to ${limits.message}`;
          if (result.message) worstMessage += `: "Error Message: ${result.message}"`;
        }
      }
      bump(summary, limits.phase);
    } else {
      if (worst === '') worst = 'Successful';
      if (limits.message !== '') {
        const message = `Metric assessed ${phase} due to ${limits.message}`;
        if (result.message !== message) changed = true;
        result.message = message;
      }
      bump(drySummary, limits.phase);
    }
  }
  const runSummary = compact(summary);
  const dryRunSummary = compact(drySummary);
  if (!sameSummary(state.runSummary, runSummary) || !sameSummary(state.dryRunSummary, dryRunSummary)) changed = true;
  state.runSummary = runSummary;
  state.dryRunSummary = dryRunSummary;
  worstMessage = worstMessage.trim();
  if (terminating) return { phase: worst === '' ? 'Successful' : worst, message: worstMessage, events, changed };
  if (!everythingCompleted || worst === '') return { phase: 'Running', message: '', events, changed };
  return { phase: worst, message: worstMessage, events, changed };
}

function sameSummary(a: RunSummary | undefined, b: RunSummary): boolean {
  return (
    a !== undefined &&
    a.count === b.count &&
    a.successful === b.successful &&
    a.failed === b.failed &&
    a.inconclusive === b.inconclusive &&
    a.error === b.error &&
    Object.keys(a).length === Object.keys(b).length
  );
}

function setMessage(result: ResultState, message: string | undefined): void {
  if (message) result.message = message;
  else if (result.message !== undefined) {
    delete result.message;
    result.messageDropped = true;
  }
}
