/**
 * The Wavefront provider against the loopback chart API (test/support/vendors/wavefront.ts):
 * the token Secret keyed by address, s = e = now, result shapes and `%.2f` values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartUrl, createWavefrontProvider } from '../../../providers/wavefront/index.js';
import { startFakeWavefront, type FakeWavefront } from '../../support/vendors/wavefront.js';
import { measureWith } from '../measure.js';
import { secretsFrom } from '../secrets.js';

const TOKEN = 'wf-token-0123456789';
const NOW = Date.UTC(2026, 0, 10, 12, 0, 0);
const provider = createWavefrontProvider();
let wf: FakeWavefront;

beforeAll(async () => {
  wf = await startFakeWavefront({ token: TOKEN });
  const t = NOW / 1000;
  wf.store('ts(errors)', [{ label: 'errors', data: [[t - 600, 9], [t - 5, 0.123]] }], 'query was slow');
  wf.store('ts(latency, env=*)', [
    { label: 'latency', tags: { env: 'a' }, data: [[t - 1, 1.5]] },
    { label: 'latency', tags: { env: 'b' }, data: [[t + 2, 2.25]] },
  ]);
});
afterAll(() => wf.close());

const env = { controllerNamespace: 'argo-rollouts' };
const secretsFor = (address: string, token = TOKEN) => secretsFrom({ 'argo-rollouts': { 'wavefront-api-tokens': { [address]: token } } });
const measure = (query: string, overrides: Record<string, unknown> = {}, token = TOKEN) =>
  measureWith(provider, { address: wf.url, query }, { now: NOW, secrets: secretsFor(wf.url, token), ...overrides }, env);

describe('wavefront', () => {
  it('asks for the point at now (s = e = now, one point, second granularity) with the address token', async () => {
    const obs = await measure('ts(errors)');
    expect(obs).toEqual({ kind: 'value', value: 0.123, display: '0.12', metadata: { warnings: 'query was slow', timestamps: String(NOW / 1000 - 5), drift: '-5' } });
    const req = wf.requests.at(-1)!;
    expect(req.headers['authorization']).toBe(`Bearer ${TOKEN}`);
    expect(Object.fromEntries(req.query)).toEqual({ q: 'ts(errors)', s: String(NOW), e: String(NOW), g: 's', p: '1', i: 'true' });
  });

  it('returns a list for several series', async () => {
    const obs = await measure('ts(latency, env=*)');
    expect(obs).toMatchObject({ kind: 'value', value: [1.5, 2.25], display: '[1.50,2.25]', metadata: { drift: '[-1,2]' } });
  });

  it('asks about the past at a historical ctx.now', async () => {
    const obs = await measure('ts(errors)', { now: NOW - 600_000 });
    expect(obs).toMatchObject({ kind: 'value', value: 9, display: '9.00' });
    expect(provider.historical).toBe(true);
  });

  it('makes no series an Error, a refused token Unauthorized, a missing token Argo\'s message', async () => {
    expect(await measure('ts(nothing)')).toMatchObject({ kind: 'error', message: 'No TimeSeries found in response from Wavefront' });
    expect(await measure('ts(errors)', {}, 'wrong-token')).toMatchObject({ kind: 'error', code: 'Unauthorized' });
    const obs = await measureWith(provider, { address: wf.url, query: 'ts(errors)' }, { secrets: secretsFor('other.wavefront.com') }, env);
    expect(obs).toMatchObject({ kind: 'error', message: 'API token not found' });
    const none = await measureWith(provider, { address: wf.url, query: 'ts(errors)' }, { secrets: secretsFrom({}) }, env);
    expect(none).toMatchObject({ kind: 'error', message: 'secrets "wavefront-api-tokens" not found' });
  });

  it('speaks https to a bare host[:port] address, as Argo\'s client does', () => {
    expect(chartUrl('example.wavefront.com', 'ts(x)', NOW)).toMatch(/^https:\/\/example\.wavefront\.com\/api\/v2\/chart\/api\?q=ts%28x%29&/);
  });
});
