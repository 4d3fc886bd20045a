/**
 * Argo's `ValidateMetrics` / `ValidateMetric` (utils/analysis/factory.go), run at reconcile on
 * the resolved metrics. Rules and messages in the order Argo checks them: the first failure wins.
 */
import type { Metric } from '../api/types.js';
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
    const err = validateMetric(metric);
    if (err !== undefined) return `metrics[${i}]: ${err}`;
  }
  return undefined;
}

function validateMetric(metric: Metric): string | undefined {
  const count = optInt(metric.count) ?? 0;
  const failureLimit = optInt(metric.failureLimit) ?? 0;
  const inconclusiveLimit = optInt(metric.inconclusiveLimit) ?? 0;
  const successLimit = optInt(metric.consecutiveSuccessLimit) ?? 0;
  const errorLimit = optInt(metric.consecutiveErrorLimit);

  if (successLimit < 0) return 'consecutiveSuccessLimit must be >= 0';
  if (failureLimit < -1) return 'failureLimit must be >= 0, or -1 to be disabled';
  if (successLimit === 0 && failureLimit === -1) {
    return 'failureLimit and consecutiveSuccessLimit cannot both be disabled';
  }
  if (inconclusiveLimit < 0) return 'inconclusiveLimit must be >= 0';
  if (errorLimit !== undefined && errorLimit < 0) return 'consecutiveErrorLimit must be >= 0';
  if (count > 0) {
    if (successLimit >= 0 && failureLimit >= 0 && count < failureLimit + successLimit) {
      return `count (${count}) must be >= failureLimit + consecutiveSuccessLimit (${failureLimit} + ${successLimit}) if both >= 0`;
    } else if (successLimit >= 0 && failureLimit < 0 && count < successLimit) {
      return 'count must be >= consecutiveSuccessLimit';
    }
    if (count < inconclusiveLimit) return 'count must be >= inconclusiveLimit';
  }
  if (count > 1 && !metric.interval) return 'interval must be specified when count > 1';
  if (metric.interval) {
    const d = parseGoDuration(metric.interval);
    if (!d.ok) return `invalid interval string: ${d.error}`;
  }
  if (metric.initialDelay) {
    const d = parseGoDuration(metric.initialDelay);
    if (!d.ok) return `invalid startDelay string: ${d.error}`;
  }
  const providers = providerKeysOf(metric).length;
  if (providers === 0) return 'no provider specified';
  if (providers > 1) return 'multiple providers specified';
  return undefined;
}
