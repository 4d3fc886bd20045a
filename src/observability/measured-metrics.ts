/**
 * Measured values as Prometheus series, for every metric of every run that is still running:
 *
 *   assay_analysis_metric_value{namespace,run,metric,provider}          last measured value (numeric only)
 *   assay_analysis_metric_measurements{namespace,run,metric,provider,counter}  Argo's counters
 *
 * Computed from the run store at each scrape, like Argo's analysis_run_* gauges, so a run's series
 * disappear on the first scrape after it completes or is deleted: cardinality is bounded by the
 * runs in flight times their metrics (7 counters + 1 value each), never by history.
 */
import type { AnalysisRun, Measurement } from '../api/types.js';
import { isCompleted } from '../api/phase.js';
import { numericOf } from '../core/trace.js';
import { renderGauge } from './metrics-registry.js';
import { metricType } from './analysis-metrics.js';

const COUNTERS = ['count', 'successful', 'failed', 'inconclusive', 'error', 'consecutiveError', 'consecutiveSuccess'] as const;
const LABELS = ['namespace', 'run', 'metric', 'provider'];

/** The number a measurement's value shows: `0.82`, or a one-element list `[0.82]`. */
function measuredNumber(m: Measurement | undefined): number | undefined {
  const text = m?.value?.trim();
  if (!text) return undefined;
  const inner = /^\[([^,\]]*)\]$/.exec(text);
  return numericOf(inner ? inner[1]!.trim() : text);
}

export function measuredValueGauges(runs: readonly AnalysisRun[]): string[] {
  const values: Array<{ labels: string[]; value: number }> = [];
  const counters: Array<{ labels: string[]; value: number }> = [];
  for (const run of runs) {
    if (isCompleted(run.status?.phase)) continue;
    const ns = run.metadata.namespace ?? 'default';
    const name = run.metadata.name ?? '';
    for (const result of run.status?.metricResults ?? []) {
      const metric = run.spec.metrics?.find((m) => m.name === result.name);
      const labels = [ns, name, result.name, metric ? metricType(metric) : 'Unknown Provider'];
      const ms = result.measurements ?? [];
      // The last finished measurement: one in flight has no value yet.
      let last: Measurement | undefined;
      for (let i = ms.length - 1; i >= 0 && !last; i--) if (ms[i]!.finishedAt) last = ms[i];
      const value = measuredNumber(last);
      if (value !== undefined) values.push({ labels, value });
      for (const c of COUNTERS) counters.push({ labels: [...labels, c], value: result[c] ?? 0 });
    }
  }
  return [
    ...renderGauge('assay_analysis_metric_value', 'Last measured value of a metric of a running analysis run (numeric values only).', LABELS, values),
    ...renderGauge(
      'assay_analysis_metric_measurements',
      "Argo's measurement counters of a metric of a running analysis run (count, successful, failed, inconclusive, error, consecutiveError, consecutiveSuccess).",
      [...LABELS, 'counter'],
      counters,
    ),
  ];
}
