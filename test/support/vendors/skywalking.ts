/**
 * A loopback SkyWalking OAP query endpoint (`POST /graphql`) for the provider's tests, built on
 * graphql-js with the part of SkyWalking's query protocol (skywalking-query-protocol,
 * metrics-v3.graphqls) that analysis templates use: `readMetricsValue` and `readMetricsValues`
 * with a `MetricsCondition` and a `Duration`. Queries are parsed, validated against that schema
 * and executed, so an unknown field, a missing `$duration` or a wrongly typed variable is
 * refused with GraphQL errors as OAP refuses it. Durations must use the step's documented format
 * (MINUTE: `yyyy-MM-dd HHmm`); values are per-minute buckets of the series the test holds.
 */
import { buildSchema, graphql } from 'graphql';
import type { ServerResponse } from 'node:http';
import { startHttpServer, sendJson, type RecordedRequest } from '../http-server.js';

const SCHEMA = buildSchema(`
  scalar Long
  enum Step { DAY HOUR MINUTE SECOND }
  enum Scope { All Service ServiceInstance Endpoint Process ServiceRelation ServiceInstanceRelation EndpointRelation ProcessRelation }
  input Duration { start: String! end: String! step: Step! coldStage: Boolean }
  input Entity {
    scope: Scope serviceName: String normal: Boolean serviceInstanceName: String endpointName: String processName: String
    destServiceName: String destNormal: Boolean destServiceInstanceName: String destEndpointName: String destProcessName: String
  }
  input MetricsCondition { name: String! entity: Entity! }
  type KVInt { id: ID! value: Long isEmptyValue: Boolean! }
  type IntValues { values: [KVInt!]! }
  type MetricsValues { label: String values: IntValues }
  type Query {
    readMetricsValue(condition: MetricsCondition!, duration: Duration!): Long!
    readMetricsValues(condition: MetricsCondition!, duration: Duration!): MetricsValues!
  }
`);

export interface SkyWalkingSeries {
  name: string;
  serviceName: string;
  /** [epoch ms, value] */
  points: [number, number][];
}

export interface FakeSkyWalking {
  url: string;
  series: SkyWalkingSeries[];
  requests: RecordedRequest[];
  close(): Promise<void>;
}

interface Args {
  condition: { name: string; entity: { serviceName?: string } };
  duration: { start: string; end: string; step: string };
}

/** `yyyy-MM-dd HHmm` (MINUTE) to epoch ms, UTC; throws OAP-like on anything else. */
function minute(text: string, step: string): number {
  if (step !== 'MINUTE') throw new Error(`Unsupported step ${step} in this stand-in`);
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2})(\d{2})$/.exec(text);
  if (!m) throw new Error(`Can't parse duration ${text}, the format should be yyyy-MM-dd HHmm for step MINUTE`);
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!);
}

function buckets(series: SkyWalkingSeries[], args: Args): { id: string; value: number; isEmptyValue: boolean }[] {
  const start = minute(args.duration.start, args.duration.step);
  const end = minute(args.duration.end, args.duration.step);
  if (start > end) throw new Error('Duration start must be before end');
  const s = series.find((x) => x.name === args.condition.name && x.serviceName === args.condition.entity.serviceName);
  const out: { id: string; value: number; isEmptyValue: boolean }[] = [];
  for (let t = start; t <= end; t += 60_000) {
    const inMinute = (s?.points ?? []).filter(([at]) => at >= t && at < t + 60_000).map(([, v]) => v);
    const id = new Date(t).toISOString().slice(0, 16).replace(/[-T:]/g, '');
    out.push(inMinute.length ? { id, value: Math.round(inMinute.reduce((a, b) => a + b, 0) / inMinute.length), isEmptyValue: false } : { id, value: 0, isEmptyValue: true });
  }
  return out;
}

export async function startFakeSkyWalking(): Promise<FakeSkyWalking> {
  const series: SkyWalkingSeries[] = [];
  const root = {
    readMetricsValues: (args: Args) => ({ label: null, values: { values: buckets(series, args) } }),
    readMetricsValue: (args: Args) => {
      const v = buckets(series, args).filter((b) => !b.isEmptyValue);
      return v.length ? Math.round(v.reduce((a, b) => a + b.value, 0) / v.length) : 0;
    },
  };
  const server = await startHttpServer(async (req, res: ServerResponse) => {
    if (req.path !== '/graphql') return sendJson(res, 404, { status: 404, error: 'Not Found', path: req.path });
    if (req.method !== 'POST') return sendJson(res, 405, { status: 405, error: 'Method Not Allowed' });
    let body: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      body = JSON.parse(req.body) as typeof body;
    } catch {
      return sendJson(res, 400, { errors: [{ message: 'Invalid JSON in request body' }] });
    }
    if (typeof body.query !== 'string' || body.query.trim() === '') return sendJson(res, 400, { errors: [{ message: 'Must provide query string.' }] });
    const result = await graphql({
      schema: SCHEMA,
      source: body.query,
      rootValue: root,
      variableValues: (body.variables ?? {}) as Record<string, unknown>,
      ...(typeof body.operationName === 'string' ? { operationName: body.operationName } : {}),
    });
    sendJson(res, 200, result);
  });
  return { url: server.url, series, requests: server.requests, close: () => server.close() };
}
