/**
 * A loopback InfluxDB 2 answering `POST /api/v2/query` as InfluxDB's API documentation
 * describes it: `Authorization: Token <token>` (401 `{"code":"unauthorized",...}` otherwise),
 * `org` or `orgID` in the query string (400 without, 404 for an unknown organization), a JSON
 * body `{query, type, dialect, now}` or a raw `application/vnd.flux` body, and results as
 * annotated CSV (`#group`, `#datatype`, `#default` rows, then one table per series).
 *
 * InfluxDB 2 is not packaged for Debian, so the stand-in evaluates a small, documented subset
 * of Flux against the points it holds:
 *   from(bucket: "b") |> range(start: -5m | RFC3339 [, stop: ...]) |> filter(fn: (r) => r.k == "v" and ...)
 *   [|> mean() | sum() | count() | max() | min() | last() | first()]
 * with `now()` taken from the request's `now` field (else the server clock), as InfluxDB does.
 * Anything else is refused the way InfluxDB refuses a query it cannot compile (400 `invalid`).
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { parseGoDuration } from '../../../src/go/duration.js';
import { startHttpServer, type RecordedRequest } from '../http-server.js';

export interface InfluxPoint {
  bucket: string;
  measurement: string;
  field: string;
  tags?: Record<string, string>;
  /** epoch ms */
  time: number;
  value: number;
}

export interface FakeInfluxdb {
  url: string;
  token: string;
  org: string;
  points: InfluxPoint[];
  requests: RecordedRequest[];
  /** Answer the next request with this status and JSON error instead. */
  failNext(status: number, code: string, message: string): void;
  close(): Promise<void>;
}

function jsonError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'X-Platform-Error-Code': code });
  res.end(JSON.stringify({ code, message }));
}

interface Plan {
  bucket: string;
  start: number;
  stop: number;
  predicates: [string, string][];
  aggregate?: string;
}

function time(expr: string, now: number): number | undefined {
  const t = expr.trim();
  if (t === 'now()') return now;
  if (/^-/.test(t)) {
    const d = parseGoDuration(t.slice(1));
    return d.ok ? now - d.ms : undefined;
  }
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The supported subset of Flux, or the compile error InfluxDB would give. */
function plan(query: string, now: number): Plan | string {
  const stages = query.split('|>').map((s) => s.trim());
  const from = /^from\(\s*bucket\s*:\s*"([^"]+)"\s*\)$/.exec(stages[0] ?? '');
  if (!from) return 'compilation failed: error @1:1: expected from(bucket: "...")';
  const p: Plan = { bucket: from[1]!, start: NaN, stop: now, predicates: [] };
  for (const stage of stages.slice(1)) {
    const range = /^range\(\s*start\s*:\s*([^,)]+?)\s*(?:,\s*stop\s*:\s*([^)]+?)\s*)?\)$/.exec(stage);
    const filter = /^filter\(\s*fn\s*:\s*\(r\)\s*=>\s*(.+)\)$/.exec(stage);
    const agg = /^(mean|sum|count|max|min|last|first)\(\)$/.exec(stage);
    if (range) {
      const start = time(range[1]!, now);
      const stop = range[2] === undefined ? now : time(range[2], now);
      if (start === undefined || stop === undefined) return `compilation failed: invalid range in "${stage}"`;
      p.start = start;
      p.stop = stop;
    } else if (filter) {
      for (const clause of filter[1]!.split(/\s+and\s+/)) {
        const m = /^r\.(\w+)\s*==\s*"([^"]*)"$/.exec(clause.trim()) ?? /^r\["(\w+)"\]\s*==\s*"([^"]*)"$/.exec(clause.trim());
        if (!m) return `compilation failed: unsupported predicate "${clause.trim()}"`;
        p.predicates.push([m[1]!, m[2]!]);
      }
    } else if (agg) p.aggregate = agg[1]!;
    else return `compilation failed: undefined identifier ${stage.split('(')[0]}`;
  }
  if (Number.isNaN(p.start)) return 'error calling function "from": cannot submit unbounded read to "bucket"; try bounding \'from\' with a call to \'range\'';
  return p;
}

function csvTables(points: InfluxPoint[], p: Plan): string {
  const rows = points.filter(
    (pt) =>
      pt.bucket === p.bucket &&
      pt.time >= p.start &&
      pt.time < p.stop &&
      p.predicates.every(([k, v]) => (k === '_measurement' ? pt.measurement : k === '_field' ? pt.field : pt.tags?.[k]) === v),
  );
  const series = new Map<string, InfluxPoint[]>();
  for (const r of rows.sort((a, b) => a.time - b.time)) {
    const key = JSON.stringify([r.measurement, r.field, Object.entries(r.tags ?? {}).sort()]);
    series.set(key, [...(series.get(key) ?? []), r]);
  }
  if (series.size === 0) return '';
  const tagKeys = [...new Set(rows.flatMap((r) => Object.keys(r.tags ?? {})))].sort();
  const keepTime = p.aggregate === undefined || ['last', 'first', 'max', 'min'].includes(p.aggregate);
  const cols = ['result', 'table', '_start', '_stop', ...(keepTime ? ['_time'] : []), '_value', '_field', '_measurement', ...tagKeys];
  const types = ['string', 'long', 'dateTime:RFC3339', 'dateTime:RFC3339', ...(keepTime ? ['dateTime:RFC3339'] : []), p.aggregate === 'count' ? 'long' : 'double', 'string', 'string', ...tagKeys.map(() => 'string')];
  const group = cols.map((c) => String(['_start', '_stop', '_field', '_measurement', ...tagKeys].includes(c)));
  const lines = [`#group,${group.join(',')}`, `#datatype,${types.join(',')}`, `#default,_result,${cols.slice(1).map(() => '').join(',')}`, `,${cols.join(',')}`];
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  [...series.values()].forEach((pts, table) => {
    let out: InfluxPoint[] = pts;
    const vals = pts.map((x) => x.value);
    const one = (value: number, at?: InfluxPoint): InfluxPoint[] => [{ ...pts[0]!, time: at?.time ?? pts[0]!.time, value }];
    switch (p.aggregate) {
      case 'mean': out = one(vals.reduce((a, b) => a + b, 0) / vals.length); break;
      case 'sum': out = one(vals.reduce((a, b) => a + b, 0)); break;
      case 'count': out = one(vals.length); break;
      case 'max': out = one(Math.max(...vals), pts.find((x) => x.value === Math.max(...vals))); break;
      case 'min': out = one(Math.min(...vals), pts.find((x) => x.value === Math.min(...vals))); break;
      case 'last': out = [pts.at(-1)!]; break;
      case 'first': out = [pts[0]!]; break;
    }
    for (const pt of out) {
      const cells = ['', String(table), iso(p.start), iso(p.stop), ...(keepTime ? [iso(pt.time)] : []), String(pt.value), pt.field, pt.measurement, ...tagKeys.map((k) => pt.tags?.[k] ?? '')];
      lines.push(`,${cells.join(',')}`);
    }
  });
  return `${lines.join('\r\n')}\r\n\r\n`;
}

export async function startFakeInfluxdb(opts: { token?: string; org?: string } = {}): Promise<FakeInfluxdb> {
  const token = opts.token ?? `influx-token-${randomUUID()}`;
  const org = opts.org ?? 'assay-org';
  const points: InfluxPoint[] = [];
  let failure: { status: number; code: string; message: string } | undefined;
  const server = await startHttpServer((req, res) => {
    if (req.path !== '/api/v2/query') return jsonError(res, 404, 'not found', 'path not found');
    if (req.method !== 'POST') return jsonError(res, 405, 'method not allowed', 'method not allowed');
    const auth = String(req.headers.authorization ?? '');
    if (auth !== `Token ${token}` && auth !== `Bearer ${token}`) return jsonError(res, 401, 'unauthorized', 'unauthorized access');
    const orgName = req.query.get('org') ?? req.query.get('orgID');
    if (orgName === null || orgName === '') return jsonError(res, 400, 'invalid', 'Please provide either orgID or org');
    if (orgName !== org) return jsonError(res, 404, 'not found', `organization name "${orgName}" not found`);
    if (failure !== undefined) {
      const f = failure;
      failure = undefined;
      return jsonError(res, f.status, f.code, f.message);
    }
    const type = String(req.headers['content-type'] ?? '');
    let query: string;
    let now = Date.now();
    if (type.startsWith('application/vnd.flux')) query = req.body;
    else if (type.startsWith('application/json')) {
      let body: { query?: unknown; type?: unknown; now?: unknown };
      try {
        body = JSON.parse(req.body) as typeof body;
      } catch {
        return jsonError(res, 400, 'invalid', 'failed to decode request body: invalid JSON');
      }
      if (typeof body.query !== 'string') return jsonError(res, 400, 'invalid', 'failed to decode request body: query is required');
      if (body.type !== undefined && body.type !== 'flux') return jsonError(res, 400, 'invalid', `unsupported query type "${String(body.type)}"`);
      query = body.query;
      if (body.now !== undefined) {
        const t = typeof body.now === 'string' ? Date.parse(body.now) : NaN;
        if (Number.isNaN(t)) return jsonError(res, 400, 'invalid', 'failed to decode request body: now: invalid RFC3339 time');
        now = t;
      }
    } else return jsonError(res, 400, 'invalid', `invalid content type: "${type}"`);
    if (query.trim() === '') return jsonError(res, 400, 'invalid', 'query must not be empty');
    const p = plan(query.replace(/\s+/g, ' ').trim(), now);
    if (typeof p === 'string') return jsonError(res, 400, 'invalid', p);
    res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8' });
    res.end(csvTables(points, p));
  });
  return {
    url: server.url,
    token,
    org,
    points,
    requests: server.requests,
    failNext(status, code, message) {
      failure = { status, code, message };
    },
    close: () => server.close(),
  };
}
