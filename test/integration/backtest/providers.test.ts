/**
 * `assay backtest` with the providers other than Prometheus that can be asked about the past
 * (`historical`): a real Graphite (from/until resolved against the historical instant through
 * `now=`), the loopback CloudWatch (StartTime/EndTime = [instant - interval, instant], signed),
 * InfluxDB (the Flux `now` field; credentials from --secrets) and SkyWalking (the duration
 * window). Each replays the same timeline as the Prometheus suite (history.ts) and must reach the
 * same verdict at the same instant, from the historical values, not the present ones.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphiteMissing, startGraphite, type GraphiteInstance } from '../../support/graphite.js';
import { startFakeCloudWatch, type FakeCloudWatch } from '../../support/vendors/cloudwatch.js';
import { startFakeInfluxdb, type FakeInfluxdb } from '../../support/vendors/influxdb.js';
import { startFakeSkyWalking, type FakeSkyWalking } from '../../support/vendors/skywalking.js';
import { A, at, backtest, errorRatioAt, iso, LATEST, MINUTE, workspace, type Workspace } from './history.js';

let ws: Workspace;
const HALF = 30_000; // measure half a minute after each sample, away from window edges

function templateWith(name: string, provider: string, successCondition: string): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: ${name}
spec:
  metrics:
    - name: error-ratio
      interval: 5m
      count: 6
      failureLimit: 1
      successCondition: '${successCondition}'
      provider:
${provider}`;
}

interface ReplayJson {
  verdict: string;
  completedAt: string | null;
  measurements: { time: string; value?: string; phase: string }[];
}

/** From A+25m30s: 3 healthy, then 2 incident measurements -> Failed at A+45m30s (failureLimit 1). */
function expectIncidentVerdict(r: { code: number; out: string; err: string }, values: string[]): ReplayJson {
  expect(r.err).toBe('');
  expect(r.code).toBe(1);
  const out = JSON.parse(r.out) as ReplayJson;
  expect(out).toMatchObject({ verdict: 'Failed', completedAt: iso(at(45) + HALF) });
  expect(out.measurements.map((m) => [m.time, m.value, m.phase])).toEqual([
    [iso(at(25) + HALF), values[0], 'Successful'],
    [iso(at(30) + HALF), values[0], 'Successful'],
    [iso(at(35) + HALF), values[0], 'Successful'],
    [iso(at(40) + HALF), values[1], 'Failed'],
    [iso(at(45) + HALF), values[1], 'Failed'],
  ]);
  return out;
}

const window = { from: iso(at(25) + HALF), to: iso(at(60)), output: 'json' as const };

beforeAll(async () => {
  ws = await workspace();
});
afterAll(async () => ws?.remove());

describe.skipIf(graphiteMissing() !== undefined)('backtest with graphite (real)', () => {
  let graphite: GraphiteInstance;
  beforeAll(async () => {
    graphite = await startGraphite();
    const samples: [string, number, number][] = [];
    for (let k = 0; k <= 120; k++) {
      const v = errorRatioAt(k);
      if (v !== undefined) samples.push(['checkout.error_ratio', v, at(k) / 1000]);
    }
    await graphite.write(samples);
    await graphite.waitFor('checkout.error_ratio', samples.length, A / 1000 - 60, at(121) / 1000);
  }, 90_000);
  afterAll(async () => graphite?.stop());

  it('evaluates from=-1min at each historical instant and reaches the verdict Argo would have', async () => {
    const file = await ws.file(
      'graphite.yaml',
      templateWith('graphite', `        graphite:\n          address: ${graphite.url}\n          query: target=checkout.error_ratio&from=-1min`, 'all(result, {# < 0.05})'),
    );
    const out = expectIncidentVerdict(await backtest({ file: [file], ...window }), ['[0.010000]', '[0.200000]']);
    expect(out.measurements.map((m) => m.value)).not.toContain(`[${LATEST.toFixed(6)}]`);
  });
});

describe('backtest with cloudWatch', () => {
  let cw: FakeCloudWatch;
  const saved = { ...process.env };
  beforeAll(async () => {
    cw = await startFakeCloudWatch();
    const points: [number, number][] = [];
    for (let k = 0; k <= 120; k++) {
      const v = errorRatioAt(k);
      if (v !== undefined) points.push([at(k) / 1000, v]);
    }
    cw.series.push({ namespace: 'Checkout', metricName: 'ErrorRatio', dimensions: { Service: 'checkout' }, points });
    // What a user sets for the SDK: credentials, region and the endpoint override.
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: cw.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: cw.credentials.secretAccessKey,
      AWS_REGION: cw.region,
      AWS_ENDPOINT_URL_CLOUDWATCH: cw.url,
      AWS_EC2_METADATA_DISABLED: 'true',
    });
  });
  afterAll(async () => {
    process.env = saved;
    await cw?.close();
  });

  it('asks for [instant - interval, instant] at every measurement', async () => {
    const provider = `        cloudWatch:
          interval: 2m
          metricDataQueries:
            - id: ratio
              metricStat:
                metric: {namespace: Checkout, metricName: ErrorRatio, dimensions: [{name: Service, value: checkout}]}
                period: 60
                stat: Maximum`;
    const file = await ws.file('cloudwatch.yaml', templateWith('cloudwatch', provider, 'result[0].Values[0] < 0.05'));
    expectIncidentVerdict(await backtest({ file: [file], ...window }), ['[[0.01 0.01]]', '[[0.2 0.2]]']);
    const instants = [25, 30, 35, 40, 45].map((m) => (at(m) + HALF) / 1000);
    expect(cw.calls.map((c) => [c.StartTime, c.EndTime])).toEqual(instants.map((t) => [t - 120, t]));
  });
});

describe('backtest with influxdb', () => {
  let influx: FakeInfluxdb;
  beforeAll(async () => {
    influx = await startFakeInfluxdb();
    for (let k = 0; k <= 120; k++) {
      const v = errorRatioAt(k);
      if (v !== undefined) influx.points.push({ bucket: 'app', measurement: 'http', field: 'error_ratio', time: at(k), value: v });
    }
  });
  afterAll(async () => influx?.close());

  it('sends now = each historical instant, with the profile Secret from --secrets', async () => {
    const secret = await ws.file(
      'influx-secret.yaml',
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: influxdb\nstringData:\n  address: ${influx.url}\n  authToken: ${influx.token}\n  org: ${influx.org}\n`,
    );
    const query = 'from(bucket: "app") |> range(start: -1m) |> filter(fn: (r) => r._field == "error_ratio") |> last()';
    const file = await ws.file('influx.yaml', templateWith('influx', `        influxdb:\n          query: '${query}'`, 'result[0] < 0.05'));
    const r = await backtest({ file: [file], secrets: [secret], ...window });
    expectIncidentVerdict(r, ['[0.01]', '[0.2]']);
    expect(r.out).not.toContain(influx.token);
    const nows = influx.requests.map((q) => (JSON.parse(q.body) as { now: string }).now);
    expect(nows).toEqual([25, 30, 35, 40, 45].map((m) => new Date(at(m) + HALF).toISOString()));
  });
});

describe('backtest with skywalking', () => {
  let sw: FakeSkyWalking;
  beforeAll(async () => {
    sw = await startFakeSkyWalking();
    const points: [number, number][] = [];
    for (let k = 0; k <= 120; k++) {
      const v = errorRatioAt(k);
      if (v !== undefined) points.push([at(k), Math.round(10000 * (1 - v))]);
    }
    sw.series.push({ name: 'service_sla', serviceName: 'checkout', points });
  });
  afterAll(async () => sw?.close());

  it('asks for the duration window ending at each historical instant', async () => {
    const query = 'query q($duration: Duration!) { sla: readMetricsValue(condition: {name: "service_sla", entity: {scope: Service, serviceName: "checkout", normal: true}}, duration: $duration) }';
    const file = await ws.file('sw.yaml', templateWith('sw', `        skywalking:\n          address: ${sw.url}\n          interval: 0s\n          query: '${query}'`, 'result.sla >= 9500'));
    expectIncidentVerdict(await backtest({ file: [file], ...window }), ['{"sla":9900}', '{"sla":8000}']);
  });
});

describe('a provider that cannot be asked about the past', () => {
  it('is refused with exit 4, naming the metric and its provider', async () => {
    const job = `        job:\n          spec:\n            template:\n              spec:\n                restartPolicy: Never\n                containers: [{name: check, image: busybox, command: ["true"]}]`;
    const file = await ws.file(`job-${randomUUID()}.yaml`, templateWith('job', job, 'true'));
    const r = await backtest({ file: [file], from: iso(at(0)), to: iso(at(60)) });
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/^assay backtest: metric "error-ratio" uses the job provider, which cannot be asked about the past; only metrics of cloudWatch, datadog, graphite, influxdb, prometheus, skywalking, wavefront \(and/);
    expect(r.out).toBe('');
  });
});

// Keep MINUTE referenced for readers comparing with history.ts' timeline.
void MINUTE;
