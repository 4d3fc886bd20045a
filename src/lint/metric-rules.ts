/**
 * Argo's `ValidateMetric` (utils/analysis/factory.go) applied to a metric whose `{{args.x}}`
 * placeholders may only be partly known. Known values are substituted first; a rule that needs a
 * value still coming from an arg is skipped (Argo decides it when the run exists, with the value
 * the run supplies), so lint never reports a stand-in value as if it were the user's.
 * Messages are Argo's, in Argo's order (the first failing rule wins).
 */
import type { Metric } from '../api/types.js';
import { goAtoi } from '../go/format.js';
import { parseGoDuration } from '../go/duration.js';
import { providerKeysOf } from '../core/metric-spec.js';
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

const UNKNOWN = Symbol('unknown');
type Num = number | typeof UNKNOWN;

/** IntOrString.IntValue(), or UNKNOWN while a placeholder remains. Absent fields take `dflt`. */
function intOf(v: unknown, dflt: number): Num {
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'string') return hasTag(v) ? UNKNOWN : goAtoi(v);
  return UNKNOWN;
}

const known = (...xs: Num[]): boolean => xs.every((x) => x !== UNKNOWN);

/** The first rule of Argo's ValidateMetric the metric breaks, judged on known values only. */
export function metricRuleError(metric: Metric): string | undefined {
  const count = intOf(metric.count, 0);
  const fl = intOf(metric.failureLimit, 0);
  const il = intOf(metric.inconclusiveLimit, 0);
  const csl = intOf(metric.consecutiveSuccessLimit, 0);
  const cel = metric.consecutiveErrorLimit === undefined ? 0 : intOf(metric.consecutiveErrorLimit, 0);

  if (known(csl) && (csl as number) < 0) return 'consecutiveSuccessLimit must be >= 0';
  if (known(fl) && (fl as number) < -1) return 'failureLimit must be >= 0, or -1 to be disabled';
  if (known(csl, fl) && csl === 0 && fl === -1) return 'failureLimit and consecutiveSuccessLimit cannot both be disabled';
  if (known(il) && (il as number) < 0) return 'inconclusiveLimit must be >= 0';
  if (known(cel) && (cel as number) < 0) return 'consecutiveErrorLimit must be >= 0';
  if (known(count) && (count as number) > 0) {
    const c = count as number;
    if (known(csl, fl)) {
      const [s, f] = [csl as number, fl as number];
      if (s >= 0 && f >= 0 && c < f + s) {
        return `count (${c}) must be >= failureLimit + consecutiveSuccessLimit (${f} + ${s}) if both >= 0`;
      } else if (s >= 0 && f < 0 && c < s) return 'count must be >= consecutiveSuccessLimit';
    }
    if (known(il) && c < (il as number)) return 'count must be >= inconclusiveLimit';
  }
  if (known(count) && (count as number) > 1 && !metric.interval) return 'interval must be specified when count > 1';
  if (typeof metric.interval === 'string' && metric.interval !== '' && !hasTag(metric.interval)) {
    const d = parseGoDuration(metric.interval);
    if (!d.ok) return `invalid interval string: ${d.error}`;
  }
  if (typeof metric.initialDelay === 'string' && metric.initialDelay !== '' && !hasTag(metric.initialDelay)) {
    const d = parseGoDuration(metric.initialDelay);
    if (!d.ok) return `invalid startDelay string: ${d.error}`;
  }
  const providers = providerKeysOf(metric).length;
  if (providers === 0) return 'no provider specified';
  if (providers > 1) return 'multiple providers specified';
  return undefined;
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
