/**
 * From a raw Prometheus HTTP API response to Argo's measurement value.
 *
 * Two layers, both reproduced from what Argo runs:
 * 1. client_golang's `apiClientImpl.Do`: which statuses carry an API error body (400, 422), how
 *    other non-2xx statuses are worded (`server_error: server error: 500`), and
 *    `<errorType>: <error>` for Prometheus' own errors.
 * 2. Argo's `processResponse`: scalar -> float64, vector -> []float64, matrix -> all samples of
 *    all series flattened (series, then time), anything else -> `Prometheus metric type not
 *    supported`. Values are parsed here from the wire strings, so `+Inf`/`-Inf`/`NaN` survive
 *    (prometheus-query's own parsing turns infinities into NaN).
 */
import type { ProviderErrorCode } from '../../src/metric/provider.js';
import { formatFloatF, goQuote, parseGoFloat } from '../../src/go/format.js';

type PromOutcome =
  | { ok: true; value: number | number[]; display: string; warnings: string[] }
  | { ok: false; code: ProviderErrorCode; message: string };

type Fail = Extract<PromOutcome, { ok: false }>;

/** Prometheus `errorType` values and the provider code each one means. */
const ERROR_TYPE_CODES: Record<string, ProviderErrorCode> = {
  bad_data: 'BadQuery',
  execution: 'BadQuery',
  timeout: 'Timeout',
  canceled: 'Aborted',
  unavailable: 'BadResponse',
  internal: 'BadResponse',
  not_found: 'BadResponse',
};

/**
 * Go's encoding/json wording for the syntax errors a misbehaving server or proxy produces (HTML
 * error pages, plain text, truncated bodies); the JS wording for anything more exotic.
 */
function goJsonError(text: string, err: unknown): string {
  const trimmed = text.replace(/^[ \t\r\n]+/, '');
  if (trimmed === '') return 'unexpected end of JSON input';
  const first = trimmed[0]!;
  const literal = { t: 'true', f: 'false', n: 'null' }[first];
  if (literal !== undefined) {
    for (let i = 1; i < literal.length; i++) {
      if (i >= trimmed.length) return 'unexpected end of JSON input';
      if (trimmed[i] !== literal[i]) {
        return `invalid character ${goRuneQuote(trimmed[i]!)} in literal ${literal} (expecting ${goRuneQuote(literal[i]!)})`;
      }
    }
  } else if (!'{["-0123456789'.includes(first)) {
    return `invalid character ${goRuneQuote(first)} looking for beginning of value`;
  }
  const message = err instanceof Error ? err.message : String(err);
  const position = /at position (\d+)/.exec(message);
  const at = position ? Number(position[1]) : -1;
  if (/Unexpected end of JSON input|Unterminated string/.test(message) || at >= text.length) return 'unexpected end of JSON input';
  const ch = at >= 0 ? goRuneQuote(text[at]!) : '';
  const contexts: Array<[RegExp, string]> = [
    [/non-whitespace character after JSON/, 'after top-level value'],
    [/Expected property name/, 'looking for beginning of object key string'],
    [/Expected ':' after property name/, 'after object key'],
    [/after property value/, 'after object key:value pair'],
    [/after array element/, 'after array element'],
  ];
  for (const [pattern, context] of contexts) if (pattern.test(message) && ch !== '') return `invalid character ${ch} ${context}`;
  const token = /Unexpected token '(.)'/.exec(message)?.[1];
  return token !== undefined ? `invalid character ${goRuneQuote(token)} looking for beginning of value` : message;
}

function goRuneQuote(ch: string): string {
  return ch === "'" ? "'\\''" : `'${ch}'`;
}

/** `strconv.ParseFloat` of a sample value, with client_golang's errors. */
function sampleValue(raw: unknown): number | Fail {
  if (typeof raw !== 'string') return { ok: false, code: 'BadResponse', message: 'sample value must be a quoted string' };
  const v = parseGoFloat(raw);
  if (v === undefined) {
    return { ok: false, code: 'BadResponse', message: `strconv.ParseFloat: parsing ${goQuote(raw)}: invalid syntax` };
  }
  return v;
}

/** A `[timestamp, "value"]` pair (vector sample or matrix point). */
function pairValue(pair: unknown): number | Fail {
  if (!Array.isArray(pair) || pair.length < 2) return { ok: false, code: 'BadResponse', message: 'sample value must be a quoted string' };
  return sampleValue(pair[1]);
}

const isFail = (v: unknown): v is Fail => typeof v === 'object' && v !== null && (v as Fail).ok === false;

/** Argo's display of a []float64: `[v1,v2]`, each value as `FormatFloat(v,'f',-1,64)`. */
function listDisplay(values: number[]): string {
  return `[${values.map(formatFloatF).join(',')}]`;
}

function mapResult(data: unknown): { value: number | number[]; display: string } | Fail {
  const d = (typeof data === 'object' && data !== null ? data : {}) as { resultType?: unknown; result?: unknown };
  const result = Array.isArray(d.result) ? d.result : [];
  switch (d.resultType) {
    case 'scalar': {
      const v = pairValue(d.result);
      if (isFail(v)) return { ...v, message: `error parsing sample value: ${v.message}` };
      return { value: v, display: formatFloatF(v) };
    }
    case 'vector': {
      const values: number[] = [];
      for (const sample of result as Array<{ value?: unknown; histogram?: unknown }>) {
        // A native-histogram sample has no float value; client_golang leaves it at 0.
        const v = sample?.value === undefined && sample?.histogram !== undefined ? 0 : pairValue(sample?.value);
        if (isFail(v)) return v;
        values.push(v);
      }
      return { value: values, display: listDisplay(values) };
    }
    case 'matrix': {
      const values: number[] = [];
      for (const series of result as Array<{ values?: unknown }>) {
        for (const point of Array.isArray(series?.values) ? series.values : []) {
          const v = pairValue(point);
          if (isFail(v)) return v;
          values.push(v);
        }
      }
      return { value: values, display: listDisplay(values) };
    }
    default:
      return { ok: false, code: 'BadResponse', message: 'Prometheus metric type not supported' };
  }
}

/** Interpret one response of `/api/v1/query` or `/api/v1/query_range`. */
export function interpretResponse(status: number, text: string): PromOutcome {
  const apiError = status === 400 || status === 422;
  let envelope: Record<string, unknown> = {};
  let parseError: string | undefined;
  if (status !== 204) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed))) {
        const kind = Array.isArray(parsed) ? 'array' : typeof parsed === 'boolean' ? 'bool' : typeof parsed;
        parseError = `json: cannot unmarshal ${kind} into Go value of type v1.apiResponse`;
      } else envelope = (parsed ?? {}) as Record<string, unknown>;
    } catch (err) {
      parseError = goJsonError(text, err);
    }
  }
  const errorType = typeof envelope.errorType === 'string' ? envelope.errorType : '';

  if (Math.floor(status / 100) !== 2 && !apiError) {
    // client_golang does not read the body of these: the status alone makes the message.
    const [type, msg] =
      Math.floor(status / 100) === 4
        ? ['client_error', `client error: ${status}`]
        : Math.floor(status / 100) === 5
          ? ['server_error', `server error: ${status}`]
          : ['bad_response', `bad response code ${status}`];
    const code: ProviderErrorCode =
      status === 401 || status === 403 ? 'Unauthorized' : (ERROR_TYPE_CODES[errorType] ?? 'BadResponse');
    return { ok: false, code, message: `${type}: ${msg}` };
  }
  if (parseError !== undefined) return { ok: false, code: 'BadResponse', message: `bad_response: ${parseError}` };
  if (apiError && envelope.status === 'success') {
    return { ok: false, code: 'BadResponse', message: 'bad_response: inconsistent body for response code' };
  }
  if (envelope.status === 'error') {
    const code = ERROR_TYPE_CODES[errorType] ?? (apiError ? 'BadQuery' : 'BadResponse');
    return { ok: false, code, message: `${errorType}: ${typeof envelope.error === 'string' ? envelope.error : ''}` };
  }
  if (envelope.data === undefined) return { ok: false, code: 'BadResponse', message: 'unexpected end of JSON input' };
  const mapped = mapResult(envelope.data);
  if (isFail(mapped)) return mapped;
  const warnings = Array.isArray(envelope.warnings) ? envelope.warnings.filter((w): w is string => typeof w === 'string') : [];
  return { ok: true, ...mapped, warnings };
}

/** Argo's `metadata.warnings`: each warning double-quoted (not escaped), joined by `, `. */
export function formatWarnings(warnings: string[]): string | undefined {
  const text = warnings.map((w) => `"${w}"`).join(', ');
  return text === '' ? undefined : text;
}
