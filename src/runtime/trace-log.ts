/**
 * Where the decision traces of live runs are kept: in this process's memory, per run and metric,
 * bounded like Argo's measurement retention (the run's measurementRetention limit for the metric,
 * default 10), and for at most `maxRuns` runs (the oldest run is dropped first). A trace is an
 * explanation, never state the engine reads back: losing it (a restart) loses no verdict.
 */
import type { AnalysisRun } from '../api/types.js';
import { retentionLimit, retentionMetrics } from '../core/rules.js';
import type { MeasurementTrace } from '../core/trace.js';
import type { RunKey } from '../store/run-store.js';

interface RunTraces {
  /** Per metric, oldest first. */
  metrics: Record<string, MeasurementTrace[]>;
}

export class TraceLog {
  private readonly runs = new Map<RunKey, Map<string, MeasurementTrace[]>>();
  private readonly listeners = new Set<(key: RunKey, traces: readonly MeasurementTrace[]) => void>();

  constructor(private readonly maxRuns = 5000) {}

  record(key: RunKey, run: AnalysisRun, traces: readonly MeasurementTrace[]): void {
    let metrics = this.runs.get(key);
    if (!metrics) {
      if (this.runs.size >= this.maxRuns) this.runs.delete(this.runs.keys().next().value!);
      metrics = new Map();
      this.runs.set(key, metrics);
    }
    const rules = retentionMetrics(run.spec.measurementRetention, run.spec.metrics);
    for (const t of traces) {
      const list = metrics.get(t.metric) ?? [];
      list.push(t);
      const limit = retentionLimit(rules.ok ? rules.value.get(t.metric) : undefined);
      if (list.length > limit) list.splice(0, list.length - limit);
      metrics.set(t.metric, list);
    }
    for (const l of this.listeners) l(key, traces);
  }

  /** Called after each record (the SSE stream forwards traces to pages). */
  listen(fn: (key: RunKey, traces: readonly MeasurementTrace[]) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get(key: RunKey): RunTraces {
    const metrics: Record<string, MeasurementTrace[]> = {};
    for (const [name, list] of this.runs.get(key) ?? []) metrics[name] = [...list];
    return { metrics };
  }

  of(key: RunKey, metric: string): readonly MeasurementTrace[] {
    return this.runs.get(key)?.get(metric) ?? [];
  }

  forget(key: RunKey): void {
    this.runs.delete(key);
  }
}
