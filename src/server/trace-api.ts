/**
 * The decision trace over HTTP: `GET /api/v1/runs/{namespace}/{name}/trace` answers, for a run,
 * each metric's decision (the counter and limit that decided its phase), the verdict's why lines
 * and the trace of each kept measurement. Argo's status is unchanged; this is served beside it.
 */
import type { AnalysisRun } from '../api/types.js';
import { explainRun, verdictReasons } from '../core/explain.js';
import { measurementWhy, type MeasurementTrace, type MetricDecision } from '../core/trace.js';
import type { TraceLog } from '../runtime/trace-log.js';
import { argsWithoutSecrets, resolveMetrics } from '../core/args.js';
import { thresholdsOf, type Threshold } from './thresholds.js';
import type { RunStore } from '../store/run-store.js';
import { keyFromPath } from './api.js';
import { ApiError, sendJson } from './http.js';
import type { Handler } from './router.js';

interface TraceView {
  key: string;
  phase: string;
  /** Argo's message, unchanged. */
  message: string;
  decisions: MetricDecision[];
  /** The verdict's why lines (completed runs), or the current state of each metric. */
  reasons: string[];
  /** Per metric, oldest first, each with its one-line why. */
  metrics: Record<string, Array<MeasurementTrace & { why: string }>>;
  /** Per metric, the conditions that are simple comparisons (threshold lines on plots). */
  thresholds: Record<string, Threshold[]>;
}

function traceView(key: string, run: AnalysisRun, traces: TraceLog): TraceView {
  const metrics: TraceView['metrics'] = {};
  for (const [name, list] of Object.entries(traces.get(key).metrics)) metrics[name] = list.map((t) => ({ ...t, why: measurementWhy(t) }));
  const resolved = resolveMetrics(run.spec.metrics ?? [], argsWithoutSecrets(run.spec.args ?? []));
  const thresholds: TraceView['thresholds'] = {};
  for (const m of resolved.ok ? resolved.value : (run.spec.metrics ?? [])) thresholds[m.name] = thresholdsOf(m);
  return {
    key,
    thresholds,
    phase: run.status?.phase ?? '',
    message: run.status?.message ?? '',
    decisions: explainRun(run),
    reasons: verdictReasons(run, (metric) => traces.of(key, metric)),
    metrics,
  };
}

export function traceRoute(store: RunStore, traces: TraceLog): { method: string; path: string; handler: Handler } {
  return {
    method: 'GET',
    path: '/api/v1/runs/:namespace/:name/trace',
    handler: async ({ params, res }) => {
      const key = keyFromPath(params[0]!, params[1]!);
      const run = await store.get(key);
      if (!run) throw new ApiError(404, `analysisrun "${key}" not found`);
      sendJson(res, 200, traceView(key, run, traces));
    },
  };
}
