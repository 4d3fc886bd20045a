/**
 * Argo's `ValidateMetrics` / `ValidateMetric` (utils/analysis/factory.go), run at reconcile on
 * the resolved metrics. Rules and messages in the order Argo checks them: the first failure wins.
 */
import type { IntOrString, Metric } from '../api/types.js';
import { parseGoDuration } from '../go/duration.js';
import { optInt, providerKeysOf } from './metric-spec.js';

/** Returns the error message, or undefined when the metrics are valid. */
export function validateMetrics(metrics: readonly Metric[]): string | undefined {
  if (metrics.length === 0) return 'no metrics specified';
  const seen = new Set<string>();
  for (let i = 0; i < metrics.length; i++) {
    const metric = metrics[i]!;
    if (seen.has(metric.name)) return `metrics[${i}]: duplicate name '${metric.name}'`;
    seen.add(metric.name);
    const err = metricRuleError(metric);
    if (err !== undefined) return `metrics[${i}]: ${err}`;
  }
  return undefined;
}

/**
 * How the rules read a metric's fields. `int` is IntOrString.IntValue() with Go's zero value for
 * an absent field, or undefined while the value is not known yet (`assay lint` before a Rollout
 * supplies an arg); a rule that needs an unknown value is skipped. `duration` gives the text to
 * parse, or undefined when there is nothing (yet) to check.
 */
export interface MetricFieldReader {
  int(value: unknown, absent: number): number | undefined;
  duration(value: unknown): string | undefined;
}

/** A resolved metric, as the reconcile sees it: every value is known. */
const RESOLVED: MetricFieldReader = {
  int: (value, absent) => optInt(value as IntOrString | undefined | null) ?? absent,
  duration: (value) => (typeof value === 'string' && value !== '' ? value : undefined),
};

/** The first rule of Argo's ValidateMetric the metric breaks (rules needing unknown values skipped). */
export function metricRuleError(metric: Metric, read: MetricFieldReader = RESOLVED): string | undefined {
  const count = read.int(metric.count, 0);
  const failureLimit = read.int(metric.failureLimit, 0);
  const inconclusiveLimit = read.int(metric.inconclusiveLimit, 0);
  const successLimit = read.int(metric.consecutiveSuccessLimit, 0);
  const errorLimit = read.int(metric.consecutiveErrorLimit, 0);

  if (successLimit !== undefined && successLimit < 0) return 'consecutiveSuccessLimit must be >= 0';
  if (failureLimit !== undefined && failureLimit < -1) return 'failureLimit must be >= 0, or -1 to be disabled';
  if (successLimit === 0 && failureLimit === -1) return 'failureLimit and consecutiveSuccessLimit cannot both be disabled';
  if (inconclusiveLimit !== undefined && inconclusiveLimit < 0) return 'inconclusiveLimit must be >= 0';
  if (errorLimit !== undefined && errorLimit < 0) return 'consecutiveErrorLimit must be >= 0';
  if (count !== undefined && count > 0) {
    if (successLimit !== undefined && failureLimit !== undefined) {
      if (successLimit >= 0 && failureLimit >= 0 && count < failureLimit + successLimit) {
        return `count (${count}) must be >= failureLimit + consecutiveSuccessLimit (${failureLimit} + ${successLimit}) if both >= 0`;
      } else if (successLimit >= 0 && failureLimit < 0 && count < successLimit) {
        return 'count must be >= consecutiveSuccessLimit';
      }
    }
    if (inconclusiveLimit !== undefined && count < inconclusiveLimit) return 'count must be >= inconclusiveLimit';
  }
  if (count !== undefined && count > 1 && !metric.interval) return 'interval must be specified when count > 1';
  const interval = read.duration(metric.interval);
  if (interval !== undefined) {
    const d = parseGoDuration(interval);
    if (!d.ok) return `invalid interval string: ${d.error}`;
  }
  const initialDelay = read.duration(metric.initialDelay);
  if (initialDelay !== undefined) {
    const d = parseGoDuration(initialDelay);
    if (!d.ok) return `invalid startDelay string: ${d.error}`;
  }
  const providers = providerKeysOf(metric).length;
  if (providers === 0) return 'no provider specified';
  if (providers > 1) return 'multiple providers specified';
  return undefined;
}
