/**
 * dryRun and measurementRetention rules: `metricName` is a Go regexp matched unanchored
 * (regexp.MatchString). An invalid pattern matches nothing, so its rule "didn't match".
 * re2js gives Go's RE2 syntax and linear-time matching.
 */
import type { DryRun, MeasurementRetention, Metric } from '../api/types.js';
import { compileRegexp } from '../conditions/cache.js';
import { DEFAULT_MEASUREMENT_HISTORY_LIMIT } from './metric-spec.js';

// One bounded cache of compiled patterns serves these rules and the conditions' `matches`
// (conditions/cache.ts); compileRegexp throws Go's parse error for an invalid pattern.

export function goRegexpMatch(pattern: string, text: string): boolean {
  let re;
  try {
    re = compileRegexp(pattern);
  } catch {
    return false;
  }
  return re.matcher(text).find();
}

export function goRegexpValid(pattern: string): string | undefined {
  try {
    compileRegexp(pattern);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

export type RuleMap<T> = { ok: true; value: Map<string, T> } | { ok: false; error: string };

/** Argo's GetDryRunMetrics. */
export function dryRunMetrics(rules: readonly DryRun[] | undefined, metrics: readonly Metric[]): RuleMap<true> {
  const map = new Map<string, true>();
  for (let i = 0; i < (rules ?? []).length; i++) {
    let matched = 0;
    for (const m of metrics) {
      if (goRegexpMatch(rules![i]!.metricName, m.name)) {
        map.set(m.name, true);
        matched++;
      }
    }
    if (matched < 1) return { ok: false, error: `dryRun[${i}]: Rule didn't match any metric name(s)` };
  }
  return { ok: true, value: map };
}

/** Argo's GetMeasurementRetentionMetrics: the last matching rule wins. */
export function retentionMetrics(
  rules: readonly MeasurementRetention[] | undefined,
  metrics: readonly Metric[],
): RuleMap<MeasurementRetention> {
  const map = new Map<string, MeasurementRetention>();
  for (let i = 0; i < (rules ?? []).length; i++) {
    const rule = rules![i]!;
    let matched = 0;
    for (const m of metrics) {
      if (goRegexpMatch(rule.metricName, m.name)) {
        map.set(m.name, rule);
        matched++;
      }
    }
    if (matched < 1) return { ok: false, error: `measurementRetention[${i}]: Rule didn't match any metric name(s)` };
  }
  return { ok: true, value: map };
}

/** How many measurements a metric keeps: its matching rule's limit, or 10 when none (or <= 0). */
export function retentionLimit(rule: { limit: number } | undefined): number {
  return rule && rule.limit > 0 ? rule.limit : DEFAULT_MEASUREMENT_HISTORY_LIMIT;
}
