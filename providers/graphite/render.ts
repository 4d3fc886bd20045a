/**
 * The Graphite Render API request and its answer, as Argo's `graphite/api.go` builds and reads
 * them: the query string with whitespace runs collapsed, re-encoded by Go (`format=json` set,
 * keys sorted), sent as `GET <address path>/render`; a status >= 400 is `error response: <body>`;
 * the body is the JSON list of series, of which only the first one's datapoints count.
 *
 * One addition: `now=<epoch seconds of ctx.now>` (graphite-web >= 1.1's reference time for
 * relative `from`/`until`, `until` defaulting to it), unless the query sets `now` itself. Live,
 * ctx.now is the present and the answer is Argo's; in a backtest it anchors the window at the
 * historical instant.
 */
import { goEncodeValues, goParseQuery } from '../shared/go-url.js';

export function renderUrl(address: string, query: string, nowMs: number): string {
  const values = goParseQuery(query.replace(/\s+/g, ' '));
  values.set('format', ['json']);
  if (!values.has('now')) values.set('now', [String(Math.floor(nowMs / 1000))]);
  const base = new URL(address);
  const path = `${base.pathname.replace(/\/+$/, '')}/render`;
  return `${base.protocol}//${base.host}${path.startsWith('/') ? path : `/${path}`}?${goEncodeValues(values)}`;
}

type DataPoints = { ok: true; values: number[]; points: number } | { ok: false; message: string };

function goValueText(v: unknown): string {
  return Array.isArray(v) ? `[${v.map(goValueText).join(' ')}]` : v === null ? '<nil>' : String(v);
}

/** A datapoint `[value, timestamp]`: value null (a gap), a number, or a numeric string. */
function pointValue(point: unknown): { ok: true; value: number | null } | { ok: false; message: string } {
  if (!Array.isArray(point) || point.length !== 2) {
    return { ok: false, message: `error unmarshaling data point: ${goValueText(point)}` };
  }
  const [value, ts] = point as [unknown, unknown];
  let out: number | null = null;
  if (typeof value === 'number') out = value;
  else if (typeof value === 'string') {
    const f = Number(value.trim() === '' ? NaN : value);
    if (Number.isNaN(f) && !/^[+-]?nan$/i.test(value)) return { ok: false, message: `strconv.ParseFloat: parsing "${value}": invalid syntax` };
    out = f;
  } else if (value !== null) return { ok: false, message: `error unmarshaling value: ${goValueText(value)}` };
  if (ts !== null && typeof ts !== 'number' && !(typeof ts === 'string' && /^[+-]?\d+$/.test(ts))) {
    return { ok: false, message: `error unmarshaling timestamp: ${goValueText(value)}` };
  }
  return { ok: true, value: out };
}

/** The first series' datapoints with gaps dropped; `points` counts them all (gaps included). */
export function parseRender(body: string): DataPoints {
  let decoded: unknown;
  try {
    decoded = JSON.parse(body);
  } catch (err) {
    return { ok: false, message: `invalid Graphite response: ${(err as Error).message}` };
  }
  if (!Array.isArray(decoded)) {
    const kind = decoded === null ? 'null' : typeof decoded === 'object' ? 'object' : typeof decoded;
    if (decoded !== null) return { ok: false, message: `json: cannot unmarshal ${kind} into Go value of type graphite.graphiteResponse` };
    return { ok: true, values: [], points: 0 };
  }
  const first: unknown = decoded[0];
  if (first === undefined || first === null) return { ok: true, values: [], points: 0 };
  const datapoints = (first as { datapoints?: unknown }).datapoints;
  if (datapoints === undefined || datapoints === null) return { ok: true, values: [], points: 0 };
  if (!Array.isArray(datapoints)) return { ok: false, message: 'json: cannot unmarshal into Go struct field graphiteTargetResp.datapoints' };
  const values: number[] = [];
  for (const point of datapoints) {
    const v = pointValue(point);
    if (!v.ok) return v;
    if (v.value !== null) values.push(v.value);
  }
  return { ok: true, values, points: datapoints.length };
}

/** Argo's value: each point with `%f` (six decimals), comma-separated in brackets. */
export function formatPoints(values: number[]): string {
  return `[${values.map(goPercentF).join(',')}]`;
}

function goPercentF(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (Math.abs(v) < 1e21) return (Object.is(v, -0) ? '-' : '') + v.toFixed(6);
  return `${BigInt(Math.round(v)).toString()}.000000`;
}
