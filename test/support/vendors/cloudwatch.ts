/**
 * A loopback Amazon CloudWatch speaking GetMetricData as the CloudWatch API Reference documents
 * it over the AWS JSON 1.0 protocol (`POST /`, `Content-Type: application/x-amz-json-1.0`,
 * `X-Amz-Target: GraniteServiceVersion20100801.GetMetricData`), for the provider's tests.
 *
 * It verifies the SigV4 signature (service `monitoring`) against its known credentials, validates
 * the request as the API reference says (MetricDataQueries 1..500 with unique ids matching
 * `^[a-z][a-zA-Z0-9_]*$`, exactly one of Expression/MetricStat, a valid Period, StartTime before
 * EndTime), and answers from the series it holds: datapoints of [StartTime, EndTime) grouped in
 * Period buckets, the Stat applied, newest first (ScanBy TimestampDescending, the default).
 * Errors are JSON `{"__type", "message"}` with the awsQuery-compatible `x-amzn-query-error`
 * header (`InvalidParameterValue;Sender`). Math expressions are not implemented: such a query is
 * answered 400, so a test cannot silently rely on them.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { startHttpServer, type RecordedRequest, type TestHttpServer } from '../http-server.js';
import { verifySigV4, type AwsCredentials } from './sigv4.js';

export interface CloudWatchSeries {
  namespace: string;
  metricName: string;
  dimensions?: Record<string, string>;
  /** [epoch seconds, value] */
  points: [number, number][];
}

export interface FakeCloudWatch {
  url: string;
  region: string;
  credentials: AwsCredentials;
  requests: RecordedRequest[];
  /** The decoded bodies of the GetMetricData calls that passed authentication. */
  calls: GetMetricDataBody[];
  series: CloudWatchSeries[];
  /** Answer the next `times` calls with this status and error type instead of data. */
  failNext(status: number, queryCode: string, message: string, times?: number): void;
  close(): Promise<void>;
}

interface Query {
  Id?: string;
  Label?: string;
  Expression?: string;
  ReturnData?: boolean;
  MetricStat?: { Metric?: { Namespace?: string; MetricName?: string; Dimensions?: { Name: string; Value: string }[] }; Period?: number; Stat?: string };
}

export interface GetMetricDataBody {
  MetricDataQueries?: Query[];
  StartTime?: number;
  EndTime?: number;
  ScanBy?: string;
}

const TARGET = 'GraniteServiceVersion20100801.GetMetricData';

function sendError(res: ServerResponse, status: number, queryCode: string, message: string, type = `${queryCode}Exception`): void {
  res.writeHead(status, {
    'Content-Type': 'application/x-amz-json-1.0',
    'x-amzn-RequestId': randomUUID(),
    'x-amzn-query-error': `${queryCode};${status >= 500 ? 'Receiver' : 'Sender'}`,
  });
  res.end(JSON.stringify({ __type: `com.amazonaws.cloudwatch#${type}`, message }));
}

function stat(name: string, values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  switch (name) {
    case 'Average':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'Sum':
      return values.reduce((a, b) => a + b, 0);
    case 'Minimum':
      return Math.min(...values);
    case 'Maximum':
      return Math.max(...values);
    case 'SampleCount':
      return values.length;
    default:
      return undefined;
  }
}

const VALID_STATS = ['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount'];

/** Validation per the API reference; the first problem as [queryCode, message]. */
function validate(body: GetMetricDataBody): [string, string] | undefined {
  const queries = body.MetricDataQueries;
  if (!Array.isArray(queries) || queries.length === 0) return ['MissingParameter', 'The parameter MetricDataQueries is required.'];
  if (queries.length > 500) return ['InvalidParameterValue', 'The collection MetricDataQueries must not have a size greater than 500.'];
  if (typeof body.StartTime !== 'number') return ['MissingParameter', 'The parameter StartTime is required.'];
  if (typeof body.EndTime !== 'number') return ['MissingParameter', 'The parameter EndTime is required.'];
  if (body.StartTime >= body.EndTime) return ['InvalidParameterValue', 'The parameter StartTime must be less than the parameter EndTime.'];
  const ids = new Set<string>();
  for (const [i, q] of queries.entries()) {
    const at = `MetricDataQueries.member.${i + 1}`;
    if (typeof q.Id !== 'string' || q.Id === '') return ['MissingParameter', `The parameter ${at}.Id is required.`];
    if (!/^[a-z][a-zA-Z0-9_]*$/.test(q.Id)) return ['ValidationError', `The value ${q.Id} for parameter ${at}.Id is invalid: it must start with a lowercase letter and contain only letters, numbers and underscores.`];
    if (ids.has(q.Id)) return ['ValidationError', `The values for parameter id in MetricDataQueries are not unique.`];
    ids.add(q.Id);
    if ((q.Expression === undefined) === (q.MetricStat === undefined)) return ['ValidationError', `Exactly one element of the Expression and MetricStat must be present in ${at}.`];
    if (q.Expression !== undefined) return ['ValidationError', `${at}.Expression: metric math is not implemented by this stand-in.`];
    const s = q.MetricStat!;
    if (s.Metric?.MetricName === undefined || s.Metric.MetricName === '') return ['MissingParameter', `The parameter ${at}.MetricStat.Metric.MetricName is required.`];
    const period = s.Period ?? 0;
    if (!([1, 5, 10, 30].includes(period) || (period >= 60 && period % 60 === 0))) {
      return ['InvalidParameterValue', `The parameter ${at}.MetricStat.Period must be 1, 5, 10, 30, or a multiple of 60.`];
    }
    if (!VALID_STATS.includes(s.Stat ?? '') && !/^p\d+(\.\d+)?$/.test(s.Stat ?? '')) return ['InvalidParameterValue', `The parameter ${at}.MetricStat.Stat is invalid.`];
  }
  return undefined;
}

function answer(body: GetMetricDataBody, series: CloudWatchSeries[]): unknown {
  const start = body.StartTime!;
  const end = body.EndTime!;
  const results = body.MetricDataQueries!.filter((q) => q.ReturnData !== false).map((q) => {
    const s = q.MetricStat!;
    const dims = Object.fromEntries((s.Metric!.Dimensions ?? []).map((d) => [d.Name, d.Value]));
    const match = series.find(
      (x) =>
        x.namespace === (s.Metric!.Namespace ?? '') &&
        x.metricName === s.Metric!.MetricName &&
        JSON.stringify(Object.entries(x.dimensions ?? {}).sort()) === JSON.stringify(Object.entries(dims).sort()),
    );
    const period = s.Period!;
    const buckets = new Map<number, number[]>();
    for (const [t, v] of match?.points ?? []) {
      if (t < start || t >= end) continue;
      const b = Math.floor(t / period) * period;
      buckets.set(b, [...(buckets.get(b) ?? []), v]);
    }
    const times = [...buckets.keys()].sort((a, b) => (body.ScanBy === 'TimestampAscending' ? a - b : b - a));
    return {
      Id: q.Id,
      Label: q.Label ?? s.Metric!.MetricName,
      Timestamps: times,
      Values: times.map((t) => stat(s.Stat!, buckets.get(t)!) ?? 0),
      StatusCode: 'Complete',
    };
  });
  return { MetricDataResults: results, Messages: [] };
}

export async function startFakeCloudWatch(opts: { region?: string; credentials?: AwsCredentials } = {}): Promise<FakeCloudWatch> {
  const region = opts.region ?? 'us-east-1';
  const credentials = opts.credentials ?? { accessKeyId: 'AKIDASSAYTEST', secretAccessKey: `secret-${randomUUID()}` };
  const calls: GetMetricDataBody[] = [];
  const series: CloudWatchSeries[] = [];
  let failure: { status: number; code: string; message: string; times: number } | undefined;
  const server: TestHttpServer = await startHttpServer((req, res) => {
    if (req.method !== 'POST' || req.path !== '/') return sendError(res, 404, 'UnknownOperation', 'Unknown operation');
    const auth = verifySigV4(req, { service: 'monitoring', region, credentials: [credentials] });
    if (!auth.ok) {
      const queryCode = auth.type === 'InvalidSignatureException' ? 'SignatureDoesNotMatch' : auth.type === 'UnrecognizedClientException' ? 'InvalidClientTokenId' : auth.type;
      return sendError(res, auth.status, queryCode, auth.message, auth.type);
    }
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-amz-json-1.0')) {
      return sendError(res, 400, 'InvalidParameterValue', 'Unsupported content type', 'SerializationException');
    }
    if (req.headers['x-amz-target'] !== TARGET) return sendError(res, 400, 'InvalidAction', `Could not find operation ${String(req.headers['x-amz-target'])}`, 'UnknownOperationException');
    let body: GetMetricDataBody;
    try {
      body = JSON.parse(req.body) as GetMetricDataBody;
    } catch {
      return sendError(res, 400, 'InvalidParameterValue', 'Start of structure or map found where not expected.', 'SerializationException');
    }
    calls.push(body);
    if (failure !== undefined && failure.times > 0) {
      failure.times--;
      return sendError(res, failure.status, failure.code, failure.message);
    }
    const problem = validate(body);
    if (problem) return sendError(res, 400, problem[0], problem[1]);
    res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.0', 'x-amzn-RequestId': randomUUID() });
    res.end(JSON.stringify(answer(body, series)));
  });
  return {
    url: server.url,
    region,
    credentials,
    requests: server.requests,
    calls,
    series,
    failNext(status, code, message, times = 1) {
      failure = { status, code, message, times };
    },
    close: () => server.close(),
  };
}
