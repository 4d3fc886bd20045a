/**
 * The cloudWatch provider through the real AWS SDK against the loopback CloudWatch
 * (test/support/vendors/cloudwatch.ts), which verifies every SigV4 signature: the window is
 * [ctx.now - interval, ctx.now], the queries are sent as Argo converts them, the value is Go's
 * `%+v` of the values, and CloudWatch's errors come back as Argo's SDK error text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCloudWatchProvider } from '../../../providers/cloudwatch/index.js';
import { startFakeCloudWatch, type FakeCloudWatch } from '../../support/vendors/cloudwatch.js';
import { measureWith, refusal } from '../measure.js';

const T = 1_780_000_200; // a whole minute, epoch seconds
let cw: FakeCloudWatch;

function provider(overrides: Record<string, unknown> = {}) {
  return createCloudWatchProvider({
    clientConfig: { endpoint: cw.url, region: cw.region, credentials: cw.credentials, maxAttempts: 1, ...overrides },
  });
}

const latency = (extra: Record<string, unknown> = {}) => ({
  interval: '10m',
  metricDataQueries: [
    {
      id: 'p99',
      metricStat: {
        metric: { namespace: 'AWS/ApplicationELB', metricName: 'TargetResponseTime', dimensions: [{ name: 'LoadBalancer', value: 'app/checkout/1' }] },
        period: 300,
        stat: 'Maximum',
      },
      returnData: true,
    },
  ],
  ...extra,
});

beforeAll(async () => {
  cw = await startFakeCloudWatch();
  cw.series.push({
    namespace: 'AWS/ApplicationELB',
    metricName: 'TargetResponseTime',
    dimensions: { LoadBalancer: 'app/checkout/1' },
    points: [
      [T - 3600, 9], // an hour before T: outside every window below that ends at T
      [T - 540, 0.2],
      [T - 420, 0.4],
      [T - 200, 0.25],
      [T + 30, 7], // after T
    ],
  });
});
afterAll(async () => cw?.close());

describe('cloudWatch provider', () => {
  it('asks for [now - interval, now], signed, and returns the results with Argo\'s %+v value', async () => {
    const p = provider();
    const obs = await measureWith(p, latency(), { now: T * 1000 });
    expect(obs).toMatchObject({ kind: 'value', display: '[[0.25 0.4]]' });
    if (obs.kind !== 'value') return;
    expect(obs.value).toEqual([
      {
        Id: 'p99',
        Label: 'TargetResponseTime',
        Values: [0.25, 0.4],
        Timestamps: [new Date((T - 300) * 1000).toISOString(), new Date((T - 600) * 1000).toISOString()],
        StatusCode: 'Complete',
        Messages: [],
      },
    ]);
    const call = cw.calls.at(-1)!;
    expect(call.StartTime).toBe(T - 600);
    expect(call.EndTime).toBe(T);
    expect(call.MetricDataQueries).toEqual([
      {
        Id: 'p99',
        MetricStat: {
          Metric: { MetricName: 'TargetResponseTime', Namespace: 'AWS/ApplicationELB', Dimensions: [{ Name: 'LoadBalancer', Value: 'app/checkout/1' }] },
          Period: 300,
          Stat: 'Maximum',
        },
        ReturnData: true,
      },
    ]);
    const req = cw.requests.at(-1)!;
    expect(req.headers['x-amz-target']).toBe('GraniteServiceVersion20100801.GetMetricData');
    expect(String(req.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDASSAYTEST\/\d{8}\/us-east-1\/monitoring\/aws4_request/);
    await p.close?.();
  });

  it('defaults the interval to 5m and reads a string period as IntValue does', async () => {
    const p = provider();
    const block = latency({ interval: undefined });
    (block.metricDataQueries[0]!.metricStat as { period: unknown }).period = '60';
    const obs = await measureWith(p, block, { now: T * 1000 });
    expect(cw.calls.at(-1)).toMatchObject({ StartTime: T - 300, EndTime: T });
    expect(obs).toMatchObject({ kind: 'value', display: '[[0.25]]' });
    await p.close?.();
  });

  it('gives [[]] for a window without data, and one list per query', async () => {
    const p = provider();
    const two = latency();
    two.metricDataQueries.push({ ...two.metricDataQueries[0]!, id: 'other', metricStat: { ...two.metricDataQueries[0]!.metricStat, metric: { namespace: 'X', metricName: 'Nothing', dimensions: [] } } });
    const obs = await measureWith(p, two, { now: (T - 1800) * 1000 });
    expect(obs).toMatchObject({ kind: 'value', display: '[[] []]' });
    await p.close?.();
  });

  it("reports CloudWatch's validation error as Argo records the SDK error", async () => {
    const p = provider();
    const bad = latency();
    (bad.metricDataQueries[0]!.metricStat as { period: unknown }).period = 7;
    const obs = await measureWith(p, bad, { now: T * 1000 });
    expect(obs).toMatchObject({ kind: 'error', code: 'BadQuery' });
    if (obs.kind === 'error') {
      expect(obs.message).toMatch(
        /^operation error CloudWatch: GetMetricData, https response error StatusCode: 400, RequestID: [0-9a-f-]{36}, api error InvalidParameterValue: The parameter MetricDataQueries\.member\.1\.MetricStat\.Period must be 1, 5, 10, 30, or a multiple of 60\.$/,
      );
    }
    await p.close?.();
  });

  it('reports wrong credentials as Unauthorized without leaking the secret', async () => {
    const secretAccessKey = 'wrong-secret-do-not-print';
    const p = provider({ credentials: { accessKeyId: cw.credentials.accessKeyId, secretAccessKey } });
    const obs = await measureWith(p, latency(), { now: T * 1000 });
    expect(obs).toMatchObject({ kind: 'error', code: 'Unauthorized' });
    expect(JSON.stringify(obs)).toContain('SignatureDoesNotMatch');
    expect(JSON.stringify(obs)).not.toContain(secretAccessKey);
    await p.close?.();
  });

  it('reports a 500 as BadResponse and an invalid interval as Argo does', async () => {
    const p = provider();
    cw.failNext(500, 'InternalServiceFault', 'Internal service failure');
    expect(await measureWith(p, latency(), { now: T * 1000 })).toMatchObject({ kind: 'error', code: 'BadResponse' });
    expect(await measureWith(p, latency({ interval: 'ten minutes' }), { now: T * 1000 })).toEqual({
      kind: 'error',
      code: 'Config',
      message: 'time: invalid duration "ten minutes"',
    });
    await p.close?.();
  });

  it('refuses a block of the wrong shape', () => {
    expect(refusal(provider(), { metricDataQueries: 'p99' })).toMatch(/^invalid cloudWatch provider: metricDataQueries: /);
  });
});
