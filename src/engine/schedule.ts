/**
 * When to measure: Argo's generateMetricTasks (what is due now) and
 * calculateNextReconcileTime (when to wake up next). Pure: `now` is an argument.
 *
 * One deliberate difference: Argo measures when `now` is strictly AFTER
 * `lastFinishedAt + interval`, relying on its wake-up arriving a few nanoseconds late. assay wakes
 * exactly on time (and the virtual clock of `assay test` lands on the instant), so a measurement
 * is due when `now >= lastFinishedAt + interval`.
 */
import type { AnalysisRun, Measurement, Metric, MetricResult } from '../api/types.js';
import { isCompleted } from '../api/phase.js';
import { parseGoDuration } from '../go/duration.js';
import { effectiveCount, ERROR_RETRY_INTERVAL_MS } from './metric-spec.js';
import { parseTime, type Instant } from './time.js';

export interface MetricTask {
  /** Index into spec.metrics (and the resolved metrics). */
  index: number;
  name: string;
  /** The in-flight measurement to resume, or to terminate when the run is terminating. */
  incomplete?: Measurement;
}

function resultOf(run: AnalysisRun, name: string): MetricResult | undefined {
  return run.status?.metricResults?.find((r) => r.name === name);
}

function lastOf(result: MetricResult | undefined): Measurement | undefined {
  const ms = result?.measurements;
  return ms && ms.length > 0 ? ms[ms.length - 1] : undefined;
}

/** The wait after `last` before the next measurement: 10 s after an Error or with no interval. */
function retryAfter(metric: Metric, last: Measurement): number | undefined {
  if (last.phase !== 'Error' && metric.interval) {
    const d = parseGoDuration(metric.interval);
    return d.ok ? d.ms : undefined;
  }
  return ERROR_RETRY_INTERVAL_MS;
}

/** Argo's generateMetricTasks over the resolved metrics. */
export function dueTasks(run: AnalysisRun, metrics: readonly Metric[], terminating: boolean, now: Instant): MetricTask[] {
  const tasks: MetricTask[] = [];
  const startedAt = parseTime(run.status?.startedAt);
  metrics.forEach((metric, index) => {
    const result = resultOf(run, metric.name);
    if (result && isCompleted(result.phase)) return;
    const last = lastOf(result);
    if (last && !last.finishedAt) {
      const resumeAt = parseTime(last.resumeAt);
      if (!terminating && resumeAt !== undefined && resumeAt > now) return;
      tasks.push({ index, name: metric.name, incomplete: last });
      return;
    }
    if (terminating) return;
    if (!last) {
      if (metric.initialDelay) {
        if (startedAt === undefined) return; // the very first reconcile never measures delayed metrics
        const d = parseGoDuration(metric.initialDelay);
        if (!d.ok || startedAt + d.ms > now) return;
      }
      tasks.push({ index, name: metric.name });
      return;
    }
    const eff = effectiveCount(metric);
    if (eff !== undefined && (result?.count ?? 0) >= eff) return;
    const wait = retryAfter(metric, last);
    const finishedAt = parseTime(last.finishedAt);
    if (wait === undefined || finishedAt === undefined) return;
    if (now >= finishedAt + wait) tasks.push({ index, name: metric.name });
  });
  return tasks;
}

/** Argo's calculateNextReconcileTime: the earliest instant something becomes due, if any. */
export function nextReconcileAt(run: AnalysisRun, metrics: readonly Metric[], now: Instant): Instant | undefined {
  let next: Instant | undefined;
  const consider = (t: Instant) => {
    if (next === undefined || t < next) next = t;
  };
  const startedAt = parseTime(run.status?.startedAt);
  for (const metric of metrics) {
    const result = resultOf(run, metric.name);
    if (result && isCompleted(result.phase)) continue;
    const last = lastOf(result);
    if (!last) {
      if (!metric.initialDelay) continue; // never started: the next reconcile starts it
      const d = parseGoDuration(metric.initialDelay);
      if (d.ok) consider((startedAt ?? now) + d.ms);
      continue;
    }
    if (!last.finishedAt) {
      const resumeAt = parseTime(last.resumeAt);
      if (resumeAt !== undefined) consider(resumeAt);
      continue;
    }
    const eff = effectiveCount(metric);
    if (eff !== undefined && (result?.count ?? 0) >= eff) continue;
    const finishedAt = parseTime(last.finishedAt);
    if (finishedAt === undefined) continue;
    if (last.phase === 'Error') consider(finishedAt + ERROR_RETRY_INTERVAL_MS);
    else if (metric.interval) {
      const d = parseGoDuration(metric.interval);
      if (d.ok) consider(finishedAt + d.ms);
    }
  }
  return next;
}
