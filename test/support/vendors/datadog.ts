/**
 * A loopback Datadog metrics API, as Datadog's public API reference describes it (test
 * infrastructure, faithful to the vendor, never shaped to what assay sends):
 *
 * - Authentication: headers `DD-API-KEY` and `DD-APPLICATION-KEY`; a missing or unknown key is
 *   `403 {"errors":["Forbidden"]}`.
 * - `GET /api/v1/query?from=<s>&to=<s>&query=<q>`: all three required (`400 {"errors":[...]}`);
 *   answers `{status:"ok", res_type:"time_series", series:[{metric, scope, pointlist:[[ms, v]...],
 *   ...}], from_date, to_date, query}` with one series per group of the query.
 * - `POST /api/v2/query/scalar` (JSON): `data.type` must be `scalar_request`; `attributes.from`,
 *   `attributes.to` (ms) and `attributes.queries[]` (`data_source`, `query`, `name`) are required.
 *   Answers `{data:{type:"scalar_response", attributes:{columns:[group columns..., number column]}}}`
 *   where each query is reduced by its `aggregator` (avg, min, max, sum, last; default avg) over
 *   the window, and an optional formula combines the named queries (+ - * / and parentheses).
 *
 * Data: `store(query, series)` registers what a query string returns; points outside the
 * requested window are not returned (so a test can tell which window was asked for). A query
 * that names no stored data returns no series. `fail(status, body)` makes every request fail.
 */
import { sendJson, startHttpServer, type RecordedRequest, type TestHttpServer } from '../http-server.js';
import type { ServerResponse } from 'node:http';

export interface DatadogSeries {
  /** Group tags (`by {service}` → `{service: 'a'}`); empty for an ungrouped query. */
  tags?: Record<string, string>;
  /** [epoch ms, value or null] */
  points: [number, number | null][];
}

export interface FakeDatadog {
  url: string;
  requests: RecordedRequest[];
  store(query: string, series: DatadogSeries[]): void;
  /** Answer every request with this status and body until `recover()`. */
  fail(status: number, body: unknown): void;
  recover(): void;
  close(): Promise<void>;
}

export async function startFakeDatadog(keys: { apiKey: string; appKey: string }): Promise<FakeDatadog> {
  const data = new Map<string, DatadogSeries[]>();
  let failure: { status: number; body: unknown } | undefined;
  const server: TestHttpServer = await startHttpServer((req, res) => {
    if (failure) return sendJson(res, failure.status, failure.body);
    if (req.headers['dd-api-key'] !== keys.apiKey || req.headers['dd-application-key'] !== keys.appKey) {
      return sendJson(res, 403, { errors: ['Forbidden'] });
    }
    if (req.path === '/api/v1/query') return req.method === 'GET' ? v1(req, res) : sendJson(res, 405, { errors: ['Method Not Allowed'] });
    if (req.path === '/api/v2/query/scalar') return req.method === 'POST' ? v2(req, res) : sendJson(res, 405, { errors: ['Method Not Allowed'] });
    return sendJson(res, 404, { errors: ['Not found'] });
  });

  const inWindow = (series: DatadogSeries[] | undefined, from: number, to: number): DatadogSeries[] =>
    (series ?? [])
      .map((s) => ({ ...s, points: s.points.filter(([t]) => t >= from && t <= to) }))
      .filter((s) => s.points.length > 0);

  function v1(req: RecordedRequest, res: ServerResponse): void {
    const q = req.query;
    for (const p of ['from', 'to', 'query']) {
      if (!q.get(p)) return sendJson(res, 400, { status: 'error', errors: [`The parameter '${p}' is required`] });
    }
    const from = Number(q.get('from')) * 1000;
    const to = Number(q.get('to')) * 1000;
    if (!Number.isInteger(from) || !Number.isInteger(to)) return sendJson(res, 400, { status: 'error', errors: ['from and to must be integers'] });
    const query = q.get('query')!;
    const series = inWindow(data.get(query), from, to).map((s) => ({
      metric: query.split('{')[0],
      display_name: query.split('{')[0],
      scope: Object.entries(s.tags ?? {}).map(([k, v]) => `${k}:${v}`).join(',') || '*',
      expression: query,
      pointlist: s.points,
      length: s.points.length,
      start: s.points[0]![0],
      end: s.points[s.points.length - 1]![0],
      interval: 1,
      aggr: null,
      unit: null,
    }));
    sendJson(res, 200, { status: 'ok', res_type: 'time_series', resp_version: 1, query, from_date: from, to_date: to, series, message: '', group_by: [] });
  }

  function v2(req: RecordedRequest, res: ServerResponse): void {
    let body: { data?: { type?: unknown; attributes?: Record<string, unknown> } };
    try {
      body = JSON.parse(req.body);
    } catch {
      return sendJson(res, 400, { errors: ['Malformed JSON body'] });
    }
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return sendJson(res, 415, { errors: ['Unsupported Media Type'] });
    const a = body.data?.attributes;
    if (body.data?.type !== 'scalar_request') return sendJson(res, 400, { errors: ['data.type must be scalar_request'] });
    if (!a || typeof a.from !== 'number' || typeof a.to !== 'number') return sendJson(res, 400, { errors: ['attributes.from and attributes.to are required'] });
    if (a.from >= a.to) return sendJson(res, 400, { errors: ['from must be before to'] });
    const queries = a.queries as { data_source?: string; query?: string; name?: string; aggregator?: string }[] | undefined;
    if (!Array.isArray(queries) || queries.length === 0) return sendJson(res, 400, { errors: ['attributes.queries is required'] });
    for (const q of queries) {
      if (q.data_source !== 'metrics' || typeof q.query !== 'string' || typeof q.name !== 'string') {
        return sendJson(res, 400, { errors: ['each query needs data_source, query and name'] });
      }
      if (q.aggregator !== undefined && !['avg', 'min', 'max', 'sum', 'last', 'percentile', 'mean', 'l2norm', 'area'].includes(q.aggregator)) {
        return sendJson(res, 400, { errors: [`invalid aggregator ${q.aggregator}`] });
      }
    }
    // Reduce every query per group: group key → {tags, value}.
    const reduced = new Map<string, Map<string, { tags: Record<string, string>; value: number | null }>>();
    for (const q of queries) {
      const groups = new Map<string, { tags: Record<string, string>; value: number | null }>();
      for (const s of inWindow(data.get(q.query!), a.from, a.to as number)) {
        const tags = s.tags ?? {};
        groups.set(JSON.stringify(tags), { tags, value: aggregate(s.points.map((p) => p[1]), q.aggregator ?? 'avg') });
      }
      reduced.set(q.name!, groups);
    }
    const formulas = (a.formulas as { formula?: string }[] | undefined) ?? [];
    const first = [...reduced.values()][0]!;
    const keys = [...first.keys()];
    let values: (number | null)[];
    let name: string;
    if (formulas.length > 0 && formulas[0]!.formula) {
      name = formulas[0]!.formula!;
      values = keys.map((k) => evalFormula(name, (ref) => reduced.get(ref)?.get(k)?.value ?? null));
      if (values.some((v) => v === undefined)) return sendJson(res, 400, { errors: [`invalid formula ${name}`] });
    } else {
      name = queries[0]!.name!;
      values = keys.map((k) => first.get(k)!.value);
    }
    const tagNames = keys.length > 0 ? Object.keys(first.get(keys[0]!)!.tags) : [];
    const columns: unknown[] = tagNames.map((t) => ({ name: t, type: 'group', values: keys.map((k) => [first.get(k)!.tags[t]]) }));
    columns.push({ name, type: 'number', values, meta: { unit: null } });
    sendJson(res, 200, { data: { id: '0', type: 'scalar_response', attributes: { columns } } });
  }

  return {
    url: server.url,
    requests: server.requests,
    store: (query, series) => data.set(query, series),
    fail: (status, body) => {
      failure = { status, body };
    },
    recover: () => {
      failure = undefined;
    },
    close: () => server.close(),
  };
}

function aggregate(values: (number | null)[], how: string): number | null {
  const xs = values.filter((v): v is number => v !== null);
  if (xs.length === 0) return null;
  switch (how) {
    case 'last':
      return xs[xs.length - 1]!;
    case 'min':
      return Math.min(...xs);
    case 'max':
      return Math.max(...xs);
    case 'sum':
      return xs.reduce((a, b) => a + b, 0);
    default:
      return xs.reduce((a, b) => a + b, 0) / xs.length;
  }
}

/** `a / b * (c + 1)` over named query values; undefined for a syntax error, null if a ref has no data. */
function evalFormula(formula: string, ref: (name: string) => number | null): number | null {
  const tokens = formula.match(/[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|[-+*/()]/g) ?? [];
  let i = 0;
  const primary = (): number | null => {
    const t = tokens[i++];
    if (t === '(') {
      const v = sum();
      i++;
      return v;
    }
    if (t !== undefined && /^\d/.test(t)) return Number(t);
    return t === undefined ? null : ref(t);
  };
  const product = (): number | null => {
    let v = primary();
    while (tokens[i] === '*' || tokens[i] === '/') {
      const op = tokens[i++];
      const r = primary();
      v = v === null || r === null ? null : op === '*' ? v * r : v / r;
    }
    return v;
  };
  const sum = (): number | null => {
    let v = product();
    while (tokens[i] === '+' || tokens[i] === '-') {
      const op = tokens[i++];
      const r = product();
      v = v === null || r === null ? null : op === '+' ? v + r : v - r;
    }
    return v;
  };
  return sum();
}
