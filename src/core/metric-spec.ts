/**
 * Reading a Metric the way Argo's Go types read it: IntOrString values, defaults and the
 * effective count. Pure helpers shared by validation, scheduling and assessment.
 */
import type { IntOrString, Metric } from '../api/types.js';
import { goAtoi } from '../go/format.js';

/** Argo's DefaultConsecutiveErrorLimit. */
const DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;
/** Argo's DefaultErrorRetryInterval: after an Error measurement, and when no interval is set. */
export const ERROR_RETRY_INTERVAL_MS = 10_000;
/** Argo's DefaultMeasurementHistoryLimit. */
export const DEFAULT_MEASUREMENT_HISTORY_LIMIT = 10;

/** `IntOrString.IntValue()`: an int as is, a string through Go's Atoi (failure gives 0). */
export function intValue(v: IntOrString): number {
  if (typeof v === 'number') return Math.trunc(v);
  return goAtoi(v);
}

/** The value of an optional IntOrString, or `undefined` when the field is absent (Go nil). */
export function optInt(v: IntOrString | undefined | null): number | undefined {
  return v === undefined || v === null ? undefined : intValue(v);
}

/**
 * Argo's `Metric.EffectiveCount()`: `count` unless it is unset or 0; then 1 when there is no
 * interval, otherwise undefined (the metric runs until something else stops it).
 */
export function effectiveCount(metric: Metric): number | undefined {
  const count = optInt(metric.count);
  if (count === undefined || count === 0) return metric.interval ? undefined : 1;
  return count;
}

function inconclusiveLimitOf(metric: Metric): number {
  return optInt(metric.inconclusiveLimit) ?? 0;
}

function consecutiveErrorLimitOf(metric: Metric): number {
  return optInt(metric.consecutiveErrorLimit) ?? DEFAULT_CONSECUTIVE_ERROR_LIMIT;
}

function consecutiveSuccessLimitOf(metric: Metric): number {
  return optInt(metric.consecutiveSuccessLimit) ?? 0;
}

/** A metric's limits and effective count, decoded from int-or-string once per spec. */
export interface MetricLimits {
  /** undefined: no count and an interval, so the metric runs until something else stops it. */
  readonly effectiveCount?: number;
  /** undefined when absent (Go nil): assessment treats that as 0, the count rule as "applies". */
  readonly failureLimit?: number;
  readonly inconclusiveLimit: number;
  readonly consecutiveErrorLimit: number;
  readonly consecutiveSuccessLimit: number;
}

export function limitsOf(metric: Metric): MetricLimits {
  const eff = effectiveCount(metric);
  const failureLimit = optInt(metric.failureLimit);
  return {
    ...(eff !== undefined ? { effectiveCount: eff } : {}),
    ...(failureLimit !== undefined ? { failureLimit } : {}),
    inconclusiveLimit: inconclusiveLimitOf(metric),
    consecutiveErrorLimit: consecutiveErrorLimitOf(metric),
    consecutiveSuccessLimit: consecutiveSuccessLimitOf(metric),
  };
}

/** The provider keys set on a metric, counting each plugin entry (Argo counts `len(plugin)`). */
export function providerKeysOf(metric: Metric): string[] {
  const keys: string[] = [];
  const provider = (metric.provider ?? {}) as Record<string, unknown>;
  // Object.keys rather than Object.entries: the same keys in the same order without allocating a
  // pair per key (this runs for every measurement, and showed in the engine's profile).
  for (const key of Object.keys(provider)) {
    const value = provider[key];
    if (value === undefined || value === null) continue;
    if (key === 'plugin') {
      for (const name of Object.keys(value as Record<string, unknown>)) keys.push(`plugin/${name}`);
    } else keys.push(key);
  }
  return keys;
}
