/**
 * What the Prometheus provider sends, and how it authenticates: a real Prometheus sits behind a
 * local recording reverse proxy (optionally TLS with a self-signed certificate) that enforces
 * credentials the way a gateway would; a local token endpoint issues OAuth2 tokens. Every test
 * asserts the requests those servers received.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPrometheusProvider } from '../../../providers/prometheus/index.js';
import { forwardTo, selfSignedCert, sendJson, sendText, startHttpServer, type Handler, type TestHttpServer } from '../../support/http-server.js';
import { startPrometheus, type PrometheusInstance } from '../../support/prometheus.js';
import { measureWith } from '../measure.js';

const NOW = Math.floor(Date.now() / 1000) * 1000 - 5000;
const BASIC = `Basic ${Buffer.from('argo:pa55:word').toString('base64')}`;
let clock = 1_700_000_000_000;
const provider = createPrometheusProvider({ clock: () => clock });
let prom: PrometheusInstance;
let gateway: TestHttpServer;
let idp: TestHttpServer;
let tokensIssued = 0;

/** Forward to Prometheus only when the Authorization header is the expected one. */
function requireAuth(expected: string): Handler {
  const forward = forwardTo(prom.url);
  return (req, res) => (req.headers.authorization === expected ? forward(req, res) : sendText(res, 401, 'unauthorized\n'));
}

beforeAll(async () => {
  prom = await startPrometheus();
  await prom.remoteWrite([{ labels: { __name__: 'up', job: 'checkout' }, samples: [{ timestamp: NOW - 30_000, value: 1 }] }]);
  gateway = await startHttpServer();
  idp = await startHttpServer((_req, res) => {
    tokensIssued += 1;
    sendJson(res, 200, { access_token: `tok-${tokensIssued}`, token_type: 'Bearer', expires_in: 600 });
  });
});
afterAll(async () => {
  await provider.close?.();
  await Promise.all([gateway?.close(), idp?.close()]);
  await prom?.stop();
});
beforeEach(() => {
  gateway.requests.length = 0;
  idp.requests.length = 0;
  gateway.handle(forwardTo(prom.url));
});

const measure = (extra: Record<string, unknown>, address = gateway.url) =>
  measureWith(provider, { address, query: 'up{job="checkout"}', ...extra }, { now: NOW });

describe('the query request', () => {
  it('POSTs the query as a form with time = ctx.now in seconds, like client_golang', async () => {
    expect(await measure({})).toEqual({ kind: 'value', value: [1], display: '[1]' });
    expect(gateway.requests).toHaveLength(1);
    const req = gateway.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/api/v1/query');
    expect(req.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(req.form.get('query')).toBe('up{job="checkout"}');
    expect(req.form.get('time')).toBe(String(NOW / 1000));
  });

  it('sends rangeQuery as start, end and step in seconds to query_range', async () => {
    const obs = await measure({ rangeQuery: { start: 'now() - duration("2m")', end: 'now()', step: '90s' } });
    expect(obs).toMatchObject({ kind: 'value', value: [1] });
    const req = gateway.requests[0]!;
    expect(req.path).toBe('/api/v1/query_range');
    expect([req.form.get('start'), req.form.get('end'), req.form.get('step')]).toEqual([
      String((NOW - 120_000) / 1000),
      String(NOW / 1000),
      '90',
    ]);
  });

  it('retries as GET when the server refuses POST with 405, as client_golang does', async () => {
    const forward = forwardTo(prom.url);
    gateway.handle((req, res) => (req.method === 'POST' ? sendText(res, 405, 'method not allowed') : forward(req, res)));
    expect(await measure({})).toMatchObject({ kind: 'value', value: [1] });
    expect(gateway.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
    expect(gateway.requests[1]!.query.get('query')).toBe('up{job="checkout"}');
  });

  it('keeps a path prefix of the address', async () => {
    const forward = forwardTo(prom.url);
    gateway.handle((req, res) => forward({ ...req, url: req.url.replace(/^\/prometheus/, '') }, res));
    expect(await measure({}, `${gateway.url}/prometheus/`)).toMatchObject({ kind: 'value' });
    expect(gateway.requests[0]!.path).toBe('/prometheus/api/v1/query');
  });
});

describe('custom headers and basic auth', () => {
  it('sends every custom header and basic credentials', async () => {
    gateway.handle(requireAuth(BASIC));
    const obs = await measure({
      headers: [{ key: 'X-Scope-OrgID', value: 'team-a' }, { key: 'x-scope-orgid', value: 'team-b' }],
      authentication: { basicAuth: { username: 'argo', password: 'pa55:word' } },
    });
    expect(obs).toMatchObject({ kind: 'value', value: [1] });
    expect(gateway.requests[0]!.headers['x-scope-orgid']).toBe('team-b');
    expect(gateway.requests[0]!.headers.authorization).toBe(BASIC);
  });

  it('lets a custom Authorization header override basic auth (headers are the innermost round-tripper)', async () => {
    gateway.handle(requireAuth('Bearer static'));
    const obs = await measure({
      headers: [{ key: 'Authorization', value: 'Bearer static' }],
      authentication: { basicAuth: { username: 'argo', password: 'pa55:word' } },
    });
    expect(obs).toMatchObject({ kind: 'value' });
  });

  it('reports rejected credentials as Unauthorized with client_golang\'s message', async () => {
    gateway.handle(requireAuth(BASIC));
    const obs = await measure({ authentication: { basicAuth: { username: 'argo', password: 'wrong' } } });
    expect(obs).toEqual({ kind: 'error', code: 'Unauthorized', message: 'client_error: client error: 401' });
  });
});

describe('OAuth2 client credentials', () => {
  const oauth2 = () => ({ tokenUrl: `${idp.url}/token`, clientId: 'assay', clientSecret: 'c-secret', scopes: ['prometheus'] });

  it('fetches a token from tokenUrl, sends it as bearer and reuses it until it expires', async () => {
    await provider.close?.();
    gateway.handle((req, res) => {
      if (!/^Bearer tok-\d+$/.test(req.headers.authorization ?? '')) return sendText(res, 401, 'no token');
      return forwardTo(prom.url)(req, res);
    });
    expect(await measure({ authentication: { oauth2: oauth2() } })).toMatchObject({ kind: 'value', value: [1] });
    expect(await measure({ authentication: { oauth2: oauth2() } })).toMatchObject({ kind: 'value', value: [1] });
    expect(idp.requests).toHaveLength(1);
    expect(idp.requests[0]!.form.get('grant_type')).toBe('client_credentials');
    expect(idp.requests[0]!.form.get('scope')).toBe('prometheus');
    expect(idp.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('assay:c-secret').toString('base64')}`);
    const first = gateway.requests[0]!.headers.authorization;
    expect(gateway.requests[1]!.headers.authorization).toBe(first);

    clock += 600_000;
    await measure({ authentication: { oauth2: oauth2() } });
    expect(idp.requests).toHaveLength(2);
    expect(gateway.requests[2]!.headers.authorization).not.toBe(first);
  });

  it('prefers the bearer token over basic auth, which only fills an empty Authorization', async () => {
    await measure({ authentication: { oauth2: oauth2(), basicAuth: { username: 'argo', password: 'pa55:word' } } });
    expect(gateway.requests[0]!.headers.authorization).toMatch(/^Bearer tok-/);
  });

  it('reports a failing token endpoint without any credential in the message', async () => {
    const obs = await measure({ authentication: { oauth2: { ...oauth2(), tokenUrl: `${gateway.url}/no-token-here` } } });
    expect(obs).toMatchObject({ kind: 'error', code: 'BadResponse' });
    if (obs.kind === 'error') {
      expect(obs.message).toMatch(new RegExp(`^Post "${gateway.url}/api/v1/query": oauth2: cannot fetch token: `));
      expect(obs.message).not.toContain('c-secret');
    }
  });
});

describe('TLS', () => {
  let tlsGateway: TestHttpServer;
  beforeAll(async () => {
    tlsGateway = await startHttpServer(forwardTo(prom.url), { tls: selfSignedCert() });
  });
  afterAll(() => tlsGateway.close());

  it('refuses a self-signed certificate unless insecure is set', async () => {
    expect(await measure({}, tlsGateway.url)).toEqual({
      kind: 'error',
      code: 'Unreachable',
      message: `Post "${tlsGateway.url}/api/v1/query": tls: failed to verify certificate: x509: certificate signed by unknown authority`,
    });
    expect(await measure({ insecure: true }, tlsGateway.url)).toEqual({ kind: 'value', value: [1], display: '[1]' });
  });
});
