/**
 * The skywalking provider against the loopback OAP GraphQL endpoint
 * (test/support/vendors/skywalking.ts), which validates and executes each query against
 * SkyWalking's schema: the duration variable is the window ending at ctx.now, `result` is the
 * response's data, and GraphQL errors fail the measurement as machinebox/graphql words them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSkyWalkingProvider, skyWalkingMinute } from '../../../providers/skywalking/index.js';
import { startFakeSkyWalking, type FakeSkyWalking } from '../../support/vendors/skywalking.js';
import { measureWith, refusal } from '../measure.js';

const T = Date.parse('2026-11-20T14:00:00Z');
let sw: FakeSkyWalking;

const apdex = `query queryData($duration: Duration!) {
  service_apdex: readMetricsValues(
    condition: { name: "service_apdex", entity: { scope: Service, serviceName: "agent::songs", normal: true } }
    duration: $duration
  ) { label values { values { value } } }
}`;

beforeAll(async () => {
  sw = await startFakeSkyWalking();
  sw.series.push({ name: 'service_apdex', serviceName: 'agent::songs', points: [[T - 120_000, 9950], [T - 60_000, 9900], [T, 9800], [T - 3_600_000, 5000]] });
});
afterAll(async () => sw?.close());

describe('skywalking provider', () => {
  it('sends the query with the duration window ending at ctx.now and returns data', async () => {
    const obs = await measureWith(createSkyWalkingProvider(), { address: sw.url, query: apdex, interval: '2m' }, { now: T });
    expect(obs).toEqual({
      kind: 'value',
      value: { service_apdex: { label: null, values: { values: [{ value: 9950 }, { value: 9900 }, { value: 9800 }] } } },
      display: '{"service_apdex":{"label":null,"values":{"values":[{"value":9950},{"value":9900},{"value":9800}]}}}',
    });
    const req = sw.requests.at(-1)!;
    expect(req.path).toBe('/graphql');
    expect(JSON.parse(req.body).variables).toEqual({ duration: { start: '2026-11-20 1358', end: '2026-11-20 1400', step: 'MINUTE' } });
  });

  it('answers for the past when ctx.now is historical', async () => {
    const obs = await measureWith(createSkyWalkingProvider(), { address: sw.url, query: apdex, interval: '1m' }, { now: T - 3_600_000 });
    expect(obs).toMatchObject({ kind: 'value', value: { service_apdex: { values: { values: [{ value: 0 }, { value: 5000 }] } } } });
  });

  it('fails with the first GraphQL error', async () => {
    const obs = await measureWith(createSkyWalkingProvider(), { address: sw.url, query: '{ readMetricsValues { label } }', interval: '5m' }, { now: T });
    expect(obs).toMatchObject({ kind: 'error', code: 'BadQuery' });
    if (obs.kind === 'error') expect(obs.message).toMatch(/^graphql: .*condition.* is required/);
  });

  it('refuses an interval Go cannot parse, as Argo does at construction', () => {
    expect(refusal(createSkyWalkingProvider(), { address: sw.url, query: apdex })).toBe('time: invalid duration ""');
    expect(refusal(createSkyWalkingProvider(), { address: sw.url, query: apdex, interval: '5 minutes' })).toBe('time: unknown unit " minutes" in duration "5 minutes"');
  });

  it('formats minutes as SkyWalking expects', () => {
    expect(skyWalkingMinute(Date.parse('2026-01-02T03:04:59Z'))).toBe('2026-01-02 0304');
  });
});
