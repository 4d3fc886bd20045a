/**
 * `{{args.x}}` placeholder substitution, reproducing Argo's ResolveMetricArgs: the metric is
 * marshalled to JSON (Go field order), every `{{tag}}` is replaced fasttemplate-style with the
 * Go-quoted arg value, and the JSON is decoded back. Errors are Argo's, in Argo's order.
 */
import type { Argument, Metric } from '../api/types.js';
import { PROVIDER_KEYS } from '../api/types.js';
import { goJsonMarshal, goJsonString, goQuote } from '../go/format.js';
import { redactSecrets } from './redact.js';

export type Resolved<T> = { ok: true; value: T } | { ok: false; error: string };

/** The value that stands in for secret args when metrics are resolved without secrets. */
const SECRET_PLACEHOLDER = 'temp-for-secret';

const METRIC_FIELDS: readonly (keyof Metric)[] = [
  'name',
  'interval',
  'initialDelay',
  'count',
  'successCondition',
  'failureCondition',
  'failureLimit',
  'inconclusiveLimit',
  'consecutiveErrorLimit',
  'provider',
  'consecutiveSuccessLimit',
];

/** Go's json.Marshal of a Metric: struct field order, omitempty fields dropped. */
export function marshalMetric(metric: Metric): string {
  const parts: string[] = [];
  for (const field of METRIC_FIELDS) {
    const v = metric[field];
    if (field === 'name') {
      parts.push(`"name":${goJsonString(metric.name ?? '')}`);
      continue;
    }
    if (field === 'provider') {
      parts.push(`"provider":${marshalProvider((metric.provider ?? {}) as Record<string, unknown>)}`);
      continue;
    }
    if (v === undefined || v === null || v === '') continue;
    parts.push(`${goJsonString(field)}:${goJsonMarshal(v, 'preserve')}`);
  }
  return `{${parts.join(',')}}`;
}

function marshalProvider(provider: Record<string, unknown>): string {
  const parts: string[] = [];
  const known = new Set<string>(PROVIDER_KEYS);
  for (const key of PROVIDER_KEYS) {
    const v = provider[key];
    if (v === undefined || v === null) continue;
    parts.push(`${goJsonString(key)}:${goJsonMarshal(v, 'preserve')}`);
  }
  // Unknown provider keys would be dropped by Go's decoder; keep them so the engine can report them.
  for (const [key, v] of Object.entries(provider)) {
    if (known.has(key) || v === undefined) continue;
    parts.push(`${goJsonString(key)}:${goJsonMarshal(v, 'preserve')}`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * fasttemplate with `{{`/`}}` and Argo's tag function. `template` is the whole JSON document,
 * quoted into the unterminated-tag message exactly as fasttemplate does.
 */
export function resolveQuotedArgs(template: string, args: readonly Argument[]): Resolved<string> {
  const texts: string[] = [];
  const tags: string[] = [];
  let rest = template;
  if (rest.includes('{{')) {
    for (;;) {
      const start = rest.indexOf('{{');
      if (start < 0) {
        texts.push(rest);
        break;
      }
      texts.push(rest.slice(0, start));
      rest = rest.slice(start + 2);
      const end = rest.indexOf('}}');
      if (end < 0) {
        return {
          ok: false,
          error: `Cannot find end tag=${goQuote('}}')} in the template=${goQuote(template)} starting from ${goQuote(rest)}`,
        };
      }
      tags.push(rest.slice(0, end));
      rest = rest.slice(end + 2);
    }
  } else {
    texts.push(template);
  }
  const values = new Map<string, string>();
  for (const arg of args) {
    if (arg.value === undefined || arg.value === null) {
      return { ok: false, error: `argument "${arg.name}" was not supplied` };
    }
    values.set(`args.${arg.name}`, goQuote(arg.value).slice(1, -1));
  }
  let out = '';
  let unresolved: string | undefined;
  for (let i = 0; i < texts.length; i++) {
    out += texts[i];
    const tag = tags[i];
    if (tag === undefined) continue;
    const replacement = values.get(tag.trim());
    if (replacement === undefined) unresolved = `failed to resolve {{${tag}}}`;
    else out += replacement;
  }
  // Only the last unresolved tag is reported, as in Argo.
  if (unresolved !== undefined) return { ok: false, error: unresolved };
  return { ok: true, value: out };
}

/** Argo's ResolveMetricArgs: substitute placeholders anywhere in the metric. */
export function resolveMetricArgs(metric: Metric, args: readonly Argument[]): Resolved<Metric> {
  const json = marshalMetric(metric);
  // Without a single `{{` there is nothing to substitute, but Argo still requires every arg to
  // have a value: check that without re-parsing the JSON.
  if (!json.includes('{{')) {
    const missing = args.find((a) => a.value === undefined || a.value === null);
    return missing ? { ok: false, error: `argument "${missing.name}" was not supplied` } : { ok: true, value: metric };
  }
  const substituted = resolveQuotedArgs(json, args);
  if (!substituted.ok) return substituted;
  if (substituted.value === json) return { ok: true, value: metric };
  try {
    return { ok: true, value: JSON.parse(substituted.value) as Metric };
  } catch (err) {
    return { ok: false, error: `invalid character in resolved metric: ${(err as Error).message}` };
  }
}

/**
 * Args as used for validation, scheduling and assessment (Argo's getResolvedMetricsWithoutSecrets):
 * secret-backed args read `temp-for-secret`, so secrets are never needed to decide anything.
 */
export function argsWithoutSecrets(args: readonly Argument[]): Argument[] {
  return args.map((arg) =>
    arg.valueFrom?.secretKeyRef ? { name: arg.name, value: SECRET_PLACEHOLDER } : arg,
  );
}

/** Resolve every metric; the first error wins. */
export function resolveMetrics(metrics: readonly Metric[], args: readonly Argument[]): Resolved<Metric[]> {
  const out: Metric[] = [];
  for (const metric of metrics) {
    const r = resolveMetricArgs(metric, args);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return { ok: true, value: out };
}

/** The secrets that `args` reference, in order: what the shell must fetch before measuring. */
export function secretRefsOf(args: readonly Argument[]): { arg: string; name: string; key: string }[] {
  const refs: { arg: string; name: string; key: string }[] = [];
  for (const arg of args) {
    const ref = arg.valueFrom?.secretKeyRef;
    if (ref) refs.push({ arg: arg.name, name: ref.name, key: ref.key });
  }
  return refs;
}

/** Replace secret-backed args with their fetched values (`values` keyed by arg name). */
export function argsWithSecrets(args: readonly Argument[], values: ReadonlyMap<string, string>): Argument[] {
  return args.map((arg) => {
    const v = arg.valueFrom?.secretKeyRef ? values.get(arg.name) : undefined;
    return v === undefined ? arg : { name: arg.name, value: v };
  });
}

/**
 * Argo's redaction of secret values in measurement messages, extended to every form a secret
 * takes in output (quoted, escaped, percent-encoded) and to overlapping secrets: redact.ts.
 */
export function redact(text: string | undefined, secrets: readonly string[]): string | undefined {
  if (text === undefined) return undefined;
  return redactSecrets(text, secrets);
}
