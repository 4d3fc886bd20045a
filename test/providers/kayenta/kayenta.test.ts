/**
 * The Kayenta provider against the loopback Kayenta (test/support/vendors/kayenta.ts): config
 * lookup, execution request (scopes, windows, thresholds), Running → resume every 15 s →
 * judged score, and no terminate (an execution in flight stays Running, as in Argo).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKayentaProvider, RESUME_DELAY_MS } from '../../../providers/kayenta/index.js';
import { startFakeKayenta, type FakeKayenta } from '../../support/vendors/kayenta.js';
import { context, measureWith } from '../measure.js';

const NOW = Date.UTC(2026, 0, 10, 12, 0, 0);
const provider = createKayentaProvider();
let k: FakeKayenta;
let configId: string;

beforeAll(async () => {
  k = await startFakeKayenta();
  k.addConfig('other-app', 'checkout-canary');
  configId = k.addConfig('checkout', 'checkout-canary');
});
afterAll(() => k.close());

const block = () => ({
  address: k.url,
  application: 'checkout',
  canaryConfigName: 'checkout-canary',
  metricsAccountName: 'prom-account',
  configurationAccountName: 'config-account',
  storageAccountName: 'gcs-account',
  threshold: { pass: 90, marginal: 75 },
  scopes: [{ name: 'default', controlScope: { scope: 'app=stable', region: 'us', step: 60 }, experimentScope: { scope: 'app=canary', region: 'us', step: 60 } }],
});

async function start(): Promise<{ executionId: string }> {
  const obs = await measureWith(provider, block(), { now: NOW, metric: { name: 'kayenta', index: 1, interval: '10m' } });
  expect(obs).toMatchObject({ kind: 'inProgress', resumeAt: NOW + RESUME_DELAY_MS });
  if (obs.kind !== 'inProgress') throw new Error('not in progress');
  return { executionId: obs.metadata!['canaryExecutionId']! };
}

async function resume(executionId: string, at: number) {
  const parsed = provider.parseConfig(block(), {});
  if (!parsed.ok) throw new Error(parsed.message);
  return provider.resume!(parsed.config, { metadata: { canaryExecutionId: executionId } }, context({ now: at }));
}

describe('kayenta', () => {
  it('looks the config up by name and starts an execution over [now - interval, now]', async () => {
    k.judge(95);
    const { executionId } = await start();
    const lookup = k.requests.find((r) => r.path === '/canaryConfig')!;
    // (sic) Argo sends storageAccountName as configurationAccountName for the lookup.
    expect(Object.fromEntries(lookup.query)).toEqual({ application: 'checkout', configurationAccountName: 'gcs-account' });
    const post = k.requests.find((r) => r.method === 'POST')!;
    expect(post.path).toBe(`/canary/${configId}`);
    expect(Object.fromEntries(post.query)).toEqual({
      application: 'checkout',
      metricsAccountName: 'prom-account',
      configurationAccountName: 'config-account',
      storageAccountName: 'gcs-account',
    });
    expect(JSON.parse(post.body)).toEqual({
      scopes: {
        default: {
          controlScope: { scope: 'app=stable', region: 'us', step: 60, start: '2026-01-10T11:50:00Z', end: '2026-01-10T12:00:00Z' },
          experimentScope: { scope: 'app=canary', region: 'us', step: 60, start: '2026-01-10T11:50:00Z', end: '2026-01-10T12:00:00Z' },
        },
      },
      thresholds: { pass: 90, marginal: 75 },
    });
    expect(await resume(executionId, NOW + RESUME_DELAY_MS)).toEqual({ kind: 'judged', phase: 'Successful', display: '95' });
  });

  it('stays Running, 15 s at a time, until the execution is complete, then judges the score', async () => {
    k.judge(80.9, 2);
    const { executionId } = await start();
    expect(await resume(executionId, NOW + 15_000)).toEqual({ kind: 'inProgress', resumeAt: NOW + 30_000 });
    expect(await resume(executionId, NOW + 30_000)).toEqual({ kind: 'inProgress', resumeAt: NOW + 45_000 });
    expect(await resume(executionId, NOW + 45_000)).toEqual({ kind: 'judged', phase: 'Inconclusive', display: '80' });
    k.judge(10);
    const low = await start();
    expect(await resume(low.executionId, NOW + 15_000)).toMatchObject({ kind: 'judged', phase: 'Failed', display: '10' });
  });

  it('starts the scopes at the run\'s start with lookback, and keeps explicit start/end', async () => {
    const startedAt = NOW - 3 * 3600_000;
    const before = k.requests.length;
    await measureWith(provider, { ...block(), lookback: true }, { now: NOW, run: { namespace: 'd', name: 'r', uid: 'u', startedAt }, metric: { name: 'k', index: 1, interval: '10m' } });
    const body = JSON.parse(k.requests.slice(before).find((r) => r.method === 'POST')!.body);
    expect(body.scopes.default.controlScope).toMatchObject({ start: '2026-01-10T09:00:00Z', end: '2026-01-10T12:00:00Z' });
    const fixed = { ...block(), scopes: [{ name: 'x', controlScope: { scope: 'a', region: 'r', step: 60, start: '2026-01-01T00:00:00Z' }, experimentScope: { scope: 'b', region: 'r', step: 60 } }] };
    expect(await measureWith(provider, fixed, { now: NOW, metric: { name: 'k', index: 1, interval: '10m' } })).toMatchObject({
      kind: 'error',
      message: 'controlScope.start and experimentScope.start must both be set or be empty',
    });
  });

  it('has no terminate: an execution in flight is left Running', () => {
    expect(provider.terminate).toBeUndefined();
  });

  it('reports Argo\'s errors: unknown config, a failing Kayenta', async () => {
    const unknown = await measureWith(provider, { ...block(), canaryConfigName: 'nope' }, { metric: { name: 'k', index: 1, interval: '5m' } });
    expect(unknown).toMatchObject({ kind: 'error', message: 'Canary config not found' });
    k.fail(500, { error: 'Internal Server Error' });
    try {
      expect(await measureWith(provider, block(), { metric: { name: 'k', index: 1, interval: '5m' } })).toMatchObject({ kind: 'error', message: 'Invalid Response: HTTP 500' });
      expect(await resume('whatever', NOW)).toMatchObject({ kind: 'error', message: 'Invalid Response' });
    } finally {
      k.recover();
    }
  });
});
