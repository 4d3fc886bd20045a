/**
 * Planning a run's spec: what Argo's reconcile derives from the spec alone on every pass
 * (resolve the metrics without secrets, validate them, match the dryRun and
 * measurementRetention rules), done once per spec and kept in the RunState. Limits and durations
 * are decoded here, so the core never reads int-or-string or Go durations again.
 */
import type { AnalysisRunSpec, Metric } from '../api/types.js';
import { parseGoDuration } from '../go/duration.js';
import { argsWithoutSecrets, resolveMetrics, secretRefsOf } from './args.js';
import { limitsOf } from './metric-spec.js';
import { dryRunMetrics, retentionLimit, retentionMetrics } from './rules.js';
import type { MetricPlan, SpecPlan } from './run-state.js';
import { validateMetrics } from './validate.js';

/** The parts of a spec a plan depends on (`terminate` and `ttlStrategy` are read where used). */
export type PlannedSpec = Pick<AnalysisRunSpec, 'metrics' | 'args' | 'dryRun' | 'measurementRetention'>;

export function planSpec(spec: PlannedSpec): SpecPlan {
  const metrics = spec.metrics ?? [];
  const resolved = resolveMetrics(metrics, argsWithoutSecrets(spec.args ?? []));
  if (!resolved.ok) return { ok: false, message: `Unable to resolve metric arguments: ${resolved.error}` };
  const invalid = validateMetrics(resolved.value);
  if (invalid !== undefined) return { ok: false, message: `Analysis spec invalid: ${invalid}` };
  const dry = dryRunMetrics(spec.dryRun, resolved.value);
  if (!dry.ok) return { ok: false, message: `Analysis spec invalid: ${dry.error}` };
  const retention = retentionMetrics(spec.measurementRetention, resolved.value);
  if (!retention.ok) return { ok: false, message: `Analysis spec invalid: ${retention.error}` };
  return {
    ok: true,
    metrics: resolved.value.map((metric, index) => planMetric(metric, index, dry.value.has(metric.name), retentionLimit(retention.value.get(metric.name)))),
    secretRefs: secretRefsOf(spec.args ?? []),
    placeholderNames: metrics.some((m) => typeof m.name !== 'string' || m.name.includes('{{')),
  };
}

/** One resolved metric, planned. Durations a valid spec carries always parse. */
export function planMetric(metric: Metric, index: number, dryRun = false, retention = retentionLimit(undefined)): MetricPlan {
  const plan: { -readonly [K in keyof MetricPlan]: MetricPlan[K] } = { metric, index, name: metric.name, limits: limitsOf(metric), dryRun, retention };
  if (metric.interval) {
    const d = parseGoDuration(metric.interval);
    if (d.ok) plan.intervalMs = d.ms;
  }
  if (metric.initialDelay) {
    const d = parseGoDuration(metric.initialDelay);
    if (d.ok) plan.initialDelayMs = d.ms;
  }
  return plan;
}
