/**
 * When to measure: Argo's generateMetricTasks (what is due now) and
 * calculateNextReconcileTime (when to wake up next). Pure: `now` is an argument.
 *
 * One deliberate difference: Argo measures when `now` is strictly AFTER
 * `lastFinishedAt + interval`, relying on its wake-up arriving a few nanoseconds late. assay wakes
 * exactly on time (and the virtual clock of `assay test` lands on the instant), so a measurement
 * is due when `now >= lastFinishedAt + interval`.
 */
import type { Measurement } from '../api/types.js';
import { isCompleted } from '../api/phase.js';
import { ERROR_RETRY_INTERVAL_MS } from './metric-spec.js';
import { resultNamed, type LastMeasurement, type MetricPlan, type RunState } from './run-state.js';
import type { Instant } from './time.js';

export interface MetricTask {
  /** Index into spec.metrics (and the planned metrics). */
  index: number;
  name: string;
  /** The in-flight measurement to resume, or to terminate when the run is terminating. */
  incomplete?: Measurement;
}

/** The wait after `last` before the next measurement: 10 s after an Error or with no interval. */
function retryAfter(plan: MetricPlan, last: LastMeasurement): number {
  if (last.wire.phase !== 'Error' && plan.intervalMs !== undefined) return plan.intervalMs;
  return ERROR_RETRY_INTERVAL_MS;
}

/** Argo's generateMetricTasks over the planned metrics. */
export function dueTasks(state: RunState, metrics: readonly MetricPlan[], terminating: boolean, now: Instant): MetricTask[] {
  const tasks: MetricTask[] = [];
  const startedAt = state.startedAt;
  for (const plan of metrics) {
    const result = resultNamed(state, plan.name);
    if (result && isCompleted(result.phase)) continue;
    const last = result?.last;
    if (last && !last.finished) {
      if (!terminating && last.resumeAt !== undefined && last.resumeAt > now) continue;
      tasks.push({ index: plan.index, name: plan.name, incomplete: last.wire });
      continue;
    }
    if (terminating) continue;
    if (!last) {
      if (plan.initialDelayMs !== undefined) {
        if (startedAt === undefined) continue; // the very first reconcile never measures delayed metrics
        if (startedAt + plan.initialDelayMs > now) continue;
      }
      tasks.push({ index: plan.index, name: plan.name });
      continue;
    }
    const eff = plan.limits.effectiveCount;
    if (eff !== undefined && (result?.count ?? 0) >= eff) continue;
    if (last.finishedAt === undefined) continue;
    if (now >= last.finishedAt + retryAfter(plan, last)) tasks.push({ index: plan.index, name: plan.name });
  }
  return tasks;
}

/** Argo's calculateNextReconcileTime: the earliest instant something becomes due, if any. */
export function nextReconcileAt(state: RunState, metrics: readonly MetricPlan[], now: Instant): Instant | undefined {
  let next: Instant | undefined;
  const consider = (t: Instant) => {
    if (next === undefined || t < next) next = t;
  };
  for (const plan of metrics) {
    const result = resultNamed(state, plan.name);
    if (result && isCompleted(result.phase)) continue;
    const last = result?.last;
    if (!last) {
      // Never started: the next reconcile starts it, unless it waits for its initial delay.
      if (plan.initialDelayMs !== undefined) consider((state.startedAt ?? now) + plan.initialDelayMs);
      continue;
    }
    if (!last.finished) {
      if (last.resumeAt !== undefined) consider(last.resumeAt);
      continue;
    }
    const eff = plan.limits.effectiveCount;
    if (eff !== undefined && (result?.count ?? 0) >= eff) continue;
    if (last.finishedAt === undefined) continue;
    if (last.wire.phase === 'Error') consider(last.finishedAt + ERROR_RETRY_INTERVAL_MS);
    else if (plan.intervalMs !== undefined) consider(last.finishedAt + plan.intervalMs);
  }
  return next;
}
