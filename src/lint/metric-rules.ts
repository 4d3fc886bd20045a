/**
 * Argo's `ValidateMetric` (utils/analysis/factory.go) applied to a metric whose `{{args.x}}`
 * placeholders may only be partly known. Known values are substituted first; a rule that needs a
 * value still coming from an arg is skipped (Argo decides it when the run exists, with the value
 * the run supplies), so lint never reports a stand-in value as if it were the user's.
 * Messages are Argo's, in Argo's order (the first failing rule wins).
 */
import type { Metric } from '../api/types.js';
import { goAtoi } from '../go/format.js';
import { metricRuleError as coreMetricRuleError, type MetricFieldReader } from '../core/validate.js';
import { hasTag, isRecord, TAG } from './problem.js';

/** Arg values by name: a string when known, `undefined` when supplied but unknown (secret, fieldRef). */
export type ArgValues = ReadonlyMap<string, string | undefined>;

/** Replaces every `{{args.x}}` whose value is known; leaves the others as written. */
export function substitute<T>(value: T, values: ArgValues): T {
  if (typeof value === 'string') {
    if (!value.includes('{{')) return value;
    return value.replace(TAG, (whole, tag: string) => {
      const t = tag.trim();
      if (!t.startsWith('args.')) return whole;
      const v = values.get(t.slice(5));
      return v === undefined ? whole : v;
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, values)) as T;
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substitute(v, values);
    return out as T;
  }
  return value;
}

/**
 * Argo's rules on a metric whose placeholders may be partly known (src/core/validate.ts): a field
 * still holding `{{args.x}}` is unknown, and the rules that need it are skipped.
 */
const PARTLY_KNOWN: MetricFieldReader = {
  int(value, absent) {
    if (value === undefined || value === null) return absent;
    if (typeof value === 'number') return Math.trunc(value);
    if (typeof value === 'string') return hasTag(value) ? undefined : goAtoi(value);
    return undefined;
  },
  duration: (value) => (typeof value === 'string' && value !== '' && !hasTag(value) ? value : undefined),
};

/** The first rule of Argo's ValidateMetric the metric breaks, judged on known values only. */
export function metricRuleError(metric: Metric): string | undefined {
  return coreMetricRuleError(metric, PARTLY_KNOWN);
}

type Termination =
  | { kind: 'finite' }
  | { kind: 'indefinite'; countText: string }
  /** `count` or `interval` still comes from an arg whose value is unknown here. */
  | { kind: 'unknown'; fields: string[] };

/**
 * Argo's `Metric.EffectiveCount()` on a substituted metric: nil (runs indefinitely) when count is
 * unset or reads as 0 and an interval is set. `countText` is how Argo prints the count (`%s` of a
 * *IntOrString: `<nil>` when absent).
 */
export function termination(metric: Metric): Termination {
  const pending: string[] = [];
  if (hasTag(metric.count)) pending.push('count');
  if (hasTag(metric.interval)) pending.push('interval');
  if (pending.length > 0) return { kind: 'unknown', fields: pending };
  const count = metric.count === undefined || metric.count === null ? 0 : typeof metric.count === 'number' ? metric.count : goAtoi(metric.count);
  if (count !== 0 || !metric.interval) return { kind: 'finite' };
  return { kind: 'indefinite', countText: metric.count === undefined || metric.count === null ? '<nil>' : String(metric.count) };
}

/** The args a metric refers to, by trimmed tag, with the raw tag Argo prints in its messages. */
export function tagsIn(value: unknown, path: (string | number)[], out: { path: (string | number)[]; raw: string }[] = []) {
  if (typeof value === 'string') {
    for (const m of value.matchAll(TAG)) out.push({ path, raw: m[1]! });
    const last = value.lastIndexOf('{{');
    if (last >= 0 && !value.slice(last).includes('}}')) out.push({ path, raw: '\u0000unterminated' });
  } else if (Array.isArray(value)) value.forEach((v, i) => tagsIn(v, [...path, i], out));
  else if (isRecord(value)) for (const [k, v] of Object.entries(value)) tagsIn(v, [...path, k], out);
  return out;
}
