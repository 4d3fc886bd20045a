/**
 * The backends of the end-to-end provider suites (assay run, assay serve, the controller): a real
 * Graphite (when installed) and the loopback CloudWatch, InfluxDB 2 and SkyWalking, each holding
 * a healthy series (error ratio 0.01) and a failing one (0.2) around the present. `cases()` gives
 * one metric per provider and scenario (healthy, failing, empty, erroring) with the phase Argo
 * reaches for it; `awsEnv()` and `influxSecret()` are the credentials a user would set.
 */
import type { Metric } from '../../../src/api/types.js';
import { graphiteMissing, startGraphite, type GraphiteInstance } from '../../support/graphite.js';
import { startFakeCloudWatch, type FakeCloudWatch } from '../../support/vendors/cloudwatch.js';
import { startFakeInfluxdb, type FakeInfluxdb } from '../../support/vendors/influxdb.js';
import { startFakeSkyWalking, type FakeSkyWalking } from '../../support/vendors/skywalking.js';

export interface Backends {
  graphite?: GraphiteInstance;
  cw: FakeCloudWatch;
  influx: FakeInfluxdb;
  sw: FakeSkyWalking;
  /** Every credential value, which no output channel may contain. */
  secrets: string[];
  stop(): Promise<void>;
}

export type Scenario = 'healthy' | 'failing' | 'empty' | 'erroring';

export interface Case {
  provider: string;
  scenario: Scenario;
  /** Metric name, unique across cases (`<provider>-<scenario>`). */
  name: string;
  metric: Metric;
  /** The run's phase Argo reaches (one measurement, no failure or error tolerance). */
  phase: 'Successful' | 'Failed' | 'Error';
  /** What the measurement's message must say, for Error cases. */
  message?: RegExp;
}

export async function startBackends(): Promise<Backends> {
  const now = Date.now();
  const graphite = graphiteMissing() === undefined ? await startGraphite() : undefined;
  const [cw, influx, sw] = await Promise.all([startFakeCloudWatch(), startFakeInfluxdb(), startFakeSkyWalking()]);
  const series = { ok: 0.01, bad: 0.2 };
  for (const [name, v] of Object.entries(series)) {
    const minutes = [1, 2, 3].map((m) => now - m * 60_000);
    if (graphite) await graphite.write(minutes.map((t) => [`e2e.${name}`, v, Math.floor(t / 1000)] as [string, number, number]));
    cw.series.push({ namespace: 'E2E', metricName: 'ErrorRatio', dimensions: { Series: name }, points: minutes.map((t) => [Math.floor(t / 1000), v]) });
    for (const t of minutes) influx.points.push({ bucket: 'e2e', measurement: 'http', field: name, time: t, value: v });
    sw.series.push({ name: 'service_sla', serviceName: name, points: minutes.map((t) => [t, Math.round(10000 * (1 - v))]) });
  }
  if (graphite) await graphite.waitFor('e2e.bad', 3, Math.floor(now / 1000) - 600, Math.floor(now / 1000));
  return {
    ...(graphite ? { graphite } : {}),
    cw,
    influx,
    sw,
    secrets: [cw.credentials.secretAccessKey, influx.token],
    async stop() {
      await Promise.all([graphite?.stop(), cw.close(), influx.close(), sw.close()]);
    },
  };
}

/** What a user exports for the AWS SDK: credentials, region, the endpoint override; nothing else of the machine. */
export function awsEnv(b: Backends): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: b.cw.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: b.cw.credentials.secretAccessKey,
    AWS_REGION: b.cw.region,
    AWS_ENDPOINT_URL_CLOUDWATCH: b.cw.url,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  };
}

/** The `influxdb` Secret as a manifest (for --secrets) or as an object (for the cluster). */
export function influxSecret(b: Backends, namespace?: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'influxdb', ...(namespace ? { namespace } : {}) },
    type: 'Opaque',
    data: Object.fromEntries(
      Object.entries({ address: b.influx.url, authToken: b.influx.token, org: b.influx.org }).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
  };
}

function metric(name: string, successCondition: string, provider: Record<string, unknown>): Metric {
  return { name, successCondition, consecutiveErrorLimit: 0, provider } as Metric;
}

export function cases(b: Backends): Case[] {
  const out: Case[] = [];
  const add = (provider: string, scenario: Scenario, m: (name: string) => Metric, phase: Case['phase'], message?: RegExp): void => {
    const name = `${provider.toLowerCase()}-${scenario}`;
    out.push({ provider, scenario, name, metric: m(name), phase, ...(message ? { message } : {}) });
  };
  if (b.graphite) {
    const g = (query: string) => (name: string) => metric(name, 'all(result, {# < 0.05})', { graphite: { address: b.graphite!.url, query } });
    add('graphite', 'healthy', g('target=e2e.ok&from=-10min'), 'Successful');
    add('graphite', 'failing', g('target=e2e.bad&from=-10min'), 'Failed');
    add('graphite', 'empty', g('target=e2e.none&from=-10min'), 'Error', /no values found/);
    add('graphite', 'erroring', g('target=noSuchFunction(e2e.ok)'), 'Error', /^error response: .*unknown function/);
  }
  const cw = (series: string, period = 60) => (name: string) =>
    metric(name, 'all(result[0].Values, {# < 0.05})', {
      cloudWatch: { interval: '10m', metricDataQueries: [{ id: 'ratio', metricStat: { metric: { namespace: 'E2E', metricName: 'ErrorRatio', dimensions: [{ name: 'Series', value: series }] }, period, stat: 'Average' } }] },
    });
  add('cloudWatch', 'healthy', cw('ok'), 'Successful');
  add('cloudWatch', 'failing', cw('bad'), 'Failed');
  // No datapoints: Values is empty and all() of nothing holds, as in Argo.
  add('cloudWatch', 'empty', cw('none'), 'Successful');
  add('cloudWatch', 'erroring', cw('ok', 7), 'Error', /api error InvalidParameterValue: .*Period must be/);
  const fx = (field: string, tail = '|> mean()') => (name: string) =>
    metric(name, 'result[0] < 0.05', { influxdb: { query: `from(bucket: "e2e") |> range(start: -10m) |> filter(fn: (r) => r._field == "${field}") ${tail}` } });
  add('influxdb', 'healthy', fx('ok'), 'Successful');
  add('influxdb', 'failing', fx('bad'), 'Failed');
  add('influxdb', 'empty', fx('none'), 'Error', /no results returned from flux query/);
  add('influxdb', 'erroring', fx('ok', '|> nonsense()'), 'Error', /^invalid: compilation failed/);
  const sk = (service: string, field = 'readMetricsValue') => (name: string) =>
    metric(name, 'result.sla >= 9500', {
      skywalking: { address: b.sw.url, interval: '10m', query: `query q($duration: Duration!) { sla: ${field}(condition: {name: "service_sla", entity: {scope: Service, serviceName: "${service}", normal: true}}, duration: $duration) }` },
    });
  add('skywalking', 'healthy', sk('ok'), 'Successful');
  add('skywalking', 'failing', sk('bad'), 'Failed');
  // SkyWalking answers 0 for a service without data: the condition fails, as in Argo.
  add('skywalking', 'empty', sk('none'), 'Failed');
  add('skywalking', 'erroring', sk('ok', 'readNothing'), 'Error', /^graphql: Cannot query field "readNothing"/);
  return out;
}
