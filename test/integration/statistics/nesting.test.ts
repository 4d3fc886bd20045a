/**
 * How the live measurer wires assay's plugin sources to the providers they sample: a guard may
 * wrap a compare, a block naming an unknown provider is an Error measurement naming it, nothing
 * nests without end, and credentials in a nested block never reach the message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Metric } from '../../../src/api/types.js';
import { liveProviders } from '../../../src/composition/provider-registry.js';
import { ProviderMeasurer } from '../../../src/runtime/provider-measurer.js';
import { sendJson, startHttpServer, type TestHttpServer } from '../../support/http-server.js';

let backend: TestHttpServer;
let measurer: ProviderMeasurer;
beforeAll(async () => {
  backend = await startHttpServer((req, res) => sendJson(res, 200, { values: req.path.includes('canary') ? [5, 6, 7, 8, 9, 10] : [1, 2, 3, 4, 5, 6] }));
  measurer = new ProviderMeasurer({ providers: liveProviders(), env: {} });
});
afterAll(async () => {
  await measurer?.close();
  await backend?.close();
});

const web = (path: string) => ({ web: { url: `${backend.url}${path}`, jsonPath: '{$.values}' } });
const measure = (plugin: Record<string, unknown>) =>
  measurer.measure({
    metric: { name: 'm', provider: { plugin } } as Metric,
    mode: 'measure',
    index: 1,
    run: { namespace: 'default', name: 'r', uid: 'u' },
    now: Date.now(),
  });

describe('nested sampling', () => {
  it('a guard around a compare measures both sides through the web provider', async () => {
    const r = await measure({ 'assay/guard': { provider: { plugin: { 'assay/compare': { minSamples: 3, baseline: web('/baseline'), canary: web('/canary') } } } } });
    expect(r.observation).toMatchObject({ kind: 'value', value: { method: 'mann-whitney', decision: 'fail', baseline: { n: 6 }, canary: { n: 6 } } });
    expect(backend.requests.map((q) => q.path).sort()).toEqual(['/baseline', '/canary']);
  });

  it('refuses a nested block naming an unknown provider, naming it', async () => {
    const r = await measure({ 'assay/compare': { baseline: { influx: { query: 'x' } }, canary: web('/canary') } });
    expect(r.observation).toMatchObject({ kind: 'error', code: 'Config', message: 'baseline: nested provider "influx" is not supported by assay' });
  });

  it('stops a compare nested inside a compare inside a guard', async () => {
    const inner = { plugin: { 'assay/compare': { baseline: web('/b'), canary: web('/c') } } };
    const r = await measure({ 'assay/guard': { provider: { plugin: { 'assay/compare': { baseline: inner, canary: inner } } } } });
    expect(r.observation).toMatchObject({ kind: 'error', code: 'Config' });
    expect((r.observation as { message: string }).message).toContain('cannot be nested');
  });

  it('keeps a password in a nested URL out of the error message', async () => {
    const r = await measure({ 'assay/guard': { provider: { web: { url: 'http://user:hunter2-secret@127.0.0.1:1/x' } } } });
    expect(r.observation).toMatchObject({ kind: 'error' });
    expect(JSON.stringify(r)).not.toContain('hunter2-secret');
  });
});
