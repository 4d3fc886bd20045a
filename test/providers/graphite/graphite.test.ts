/**
 * The graphite provider against a real Graphite (carbon-cache + graphite-web, see
 * test/support/graphite.ts) holding a known history: values, gaps, the empty case, the error
 * answers graphite-web gives, and every query anchored at ctx.now (what backtests rely on).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGraphiteProvider } from '../../../providers/graphite/index.js';
import { graphiteMissing, startGraphite, type GraphiteInstance } from '../../support/graphite.js';
import { startHttpServer, sendText, type TestHttpServer } from '../../support/http-server.js';
import { measureWith, refusal } from '../measure.js';

const missing = graphiteMissing();
if (missing !== undefined) console.warn(`skipping the real-Graphite suite: ${missing}`);

const NOW = Math.floor(Date.now() / 1000 / 10) * 10; // a 10 s boundary, the retention's step
const HOUR_AGO = NOW - 3600;

describe.skipIf(missing !== undefined)('graphite provider against a real Graphite', () => {
  let graphite: GraphiteInstance;
  const provider = createGraphiteProvider();

  beforeAll(async () => {
    graphite = await startGraphite();
    // An hour ago: 1.5, 2.5, (gap), 3.5 at 10 s steps; recently: 0.25 twice.
    await graphite.write([
      ['app.checkout.errors', 1.5, HOUR_AGO - 30],
      ['app.checkout.errors', 2.5, HOUR_AGO - 20],
      ['app.checkout.errors', 3.5, HOUR_AGO],
      ['app.checkout.errors', 0.25, NOW - 20],
      ['app.checkout.errors', 0.25, NOW - 10],
    ]);
    await graphite.waitFor('app.checkout.errors', 5, NOW - 7200, NOW);
  }, 90_000);
  afterAll(async () => graphite?.stop());

  it('returns the datapoints of the window ending at ctx.now, gaps dropped, as Argo formats them', async () => {
    const obs = await measureWith(provider, { address: graphite.url, query: 'target=app.checkout.errors&from=-40s' }, { now: HOUR_AGO * 1000 });
    expect(obs).toEqual({ kind: 'value', value: [1.5, 2.5, 3.5], display: '[1.500000,2.500000,3.500000]' });
  });

  it('sees the recent values when ctx.now is the present', async () => {
    const obs = await measureWith(provider, { address: graphite.url, query: 'target=app.checkout.errors&from=-30s' }, { now: NOW * 1000 });
    expect(obs).toMatchObject({ kind: 'value', value: [0.25, 0.25] });
  });

  it('collapses whitespace in a multi-line query and applies Graphite functions', async () => {
    const query = `target=sumSeries(
        app.checkout.errors)&from=-40s`;
    const obs = await measureWith(provider, { address: graphite.url, query }, { now: HOUR_AGO * 1000 });
    expect(obs).toMatchObject({ kind: 'value', value: [1.5, 2.5, 3.5] });
  });

  it('keeps an explicit until/from (absolute) as written', async () => {
    const q = `target=app.checkout.errors&from=${HOUR_AGO - 31}&until=${HOUR_AGO - 15}`;
    const obs = await measureWith(provider, { address: graphite.url, query: q }, { now: NOW * 1000 });
    expect(obs).toMatchObject({ kind: 'value', value: [1.5, 2.5] });
  });

  it('reports a window with only gaps as [] and an unknown series as an Error: no values found', async () => {
    const gaps = await measureWith(provider, { address: graphite.url, query: 'target=app.checkout.errors&from=-10min' }, { now: (HOUR_AGO - 1200) * 1000 });
    expect(gaps).toMatchObject({ kind: 'value', value: [], display: '[]' });
    const unknown = await measureWith(provider, { address: graphite.url, query: 'target=app.nothing.here&from=-5min' });
    expect(unknown).toEqual({ kind: 'error', code: 'NoData', message: 'no values found' });
  });

  it("reports graphite-web's 400 for an unknown function with its body", async () => {
    const obs = await measureWith(provider, { address: graphite.url, query: 'target=noSuchFunction(app.checkout.errors)' });
    expect(obs).toMatchObject({ kind: 'error', code: 'BadResponse' });
    if (obs.kind === 'error') expect(obs.message).toMatch(/^error response: Invalid parameters \(Received request for unknown function: noSuchFunction\)/);
  });
});

describe('graphite provider: request and configuration', () => {
  let server: TestHttpServer;
  beforeAll(async () => {
    server = await startHttpServer((_req, res) => sendText(res, 200, '[{"target":"x","datapoints":[[1,1700000000],[null,1700000010],["2.5",1700000020]]}]'));
  });
  afterAll(async () => server.close());

  it('sends GET <path>/render with the query re-encoded as Go does, format=json and now=ctx.now', async () => {
    const provider = createGraphiteProvider();
    const obs = await measureWith(
      provider,
      { address: `${server.url}/graphite/`, query: 'target=summarize(a.b, "1min")&from=-5min' },
      { now: 1_700_000_123_456 },
    );
    expect(obs).toEqual({ kind: 'value', value: [1, 2.5], display: '[1.000000,2.500000]' });
    const req = server.requests.at(-1)!;
    expect(req.method).toBe('GET');
    expect(req.path).toBe('/graphite/render');
    expect(req.url).toBe('/graphite/render?format=json&from=-5min&now=1700000123&target=summarize%28a.b%2C+%221min%22%29');
  });

  it('keeps a now= the query sets itself', async () => {
    await measureWith(createGraphiteProvider(), { address: server.url, query: 'target=a&now=-1h' }, { now: 1_700_000_000_000 });
    expect(server.requests.at(-1)!.query.getAll('now')).toEqual(['-1h']);
  });

  it('refuses an empty or unparseable address with Argo\'s message', () => {
    const provider = createGraphiteProvider();
    expect(refusal(provider, { query: 'target=a' })).toBe('Graphite address  is not a valid URL');
    expect(refusal(provider, { address: 'http://[::1', query: 'target=a' })).toBe('Graphite address http://[::1 is not a valid URL');
    expect(refusal(provider, { address: 42 })).toMatch(/^invalid graphite provider: address: /);
  });
});
