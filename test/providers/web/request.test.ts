/**
 * What the web provider sends: method, headers, body, TLS, redirects. Each test runs a real
 * local server and asserts on the request it recorded.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWebProvider } from '../../../providers/web/index.js';
import { sendJson, sendText, selfSignedCert, startHttpServer, type TestHttpServer } from '../../support/http-server.js';
import { measureWith } from '../measure.js';

const provider = createWebProvider();
let server: TestHttpServer;

beforeAll(async () => {
  server = await startHttpServer();
});
afterAll(async () => {
  await provider.close?.();
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
  server.handle((_req, res) => sendJson(res, 200, { ok: true }));
});

describe('when no method is given', () => {
  it('sends a GET without a body to the URL, query string included', async () => {
    await measureWith(provider, { url: `${server.url}/status?service=checkout&x=a%20b` });
    expect(server.requests).toHaveLength(1);
    const [req] = server.requests;
    expect(req).toMatchObject({ method: 'GET', path: '/status', body: '' });
    expect(req!.query.get('x')).toBe('a b');
    expect(req!.headers['content-length']).toBeUndefined();
    expect(req!.headers['content-type']).toBeUndefined();
  });
});

describe('when headers are given', () => {
  it('sends them, the last of two same-named (case-insensitive) keys winning', async () => {
    await measureWith(provider, {
      url: server.url,
      headers: [
        { key: 'X-Scope-OrgID', value: 'tenant-a' },
        { key: 'Authorization', value: 'Bearer first' },
        { key: 'authorization', value: 'Bearer second' },
      ],
    });
    const headers = server.requests[0]!.headers;
    expect(headers['x-scope-orgid']).toBe('tenant-a');
    expect(headers.authorization).toBe('Bearer second');
  });
});

describe('when a string body is given', () => {
  it('POSTs it verbatim with no Content-Type of its own', async () => {
    await measureWith(provider, { url: server.url, method: 'POST', body: 'metric=latency&window=5m' });
    const req = server.requests[0]!;
    expect(req).toMatchObject({ method: 'POST', body: 'metric=latency&window=5m' });
    expect(req.headers['content-length']).toBe('24');
    expect(req.headers['content-type']).toBeUndefined();
  });

  it('sends Content-Length: 0 for a POST without a body, as Go does', async () => {
    await measureWith(provider, { url: server.url, method: 'POST' });
    expect(server.requests[0]!.headers['content-length']).toBe('0');
  });
});

describe('when jsonBody is given', () => {
  it('PUTs it as Go re-encodes it (sorted keys, compact, HTML-escaped) and forces Content-Type: application/json', async () => {
    await measureWith(provider, {
      url: server.url,
      method: 'PUT',
      headers: [{ key: 'content-type', value: 'text/plain' }],
      jsonBody: { query: 'a<b && c', window: 5, filters: [{ z: null, a: true }] },
    });
    const req = server.requests[0]!;
    expect(req.method).toBe('PUT');
    expect(req.body).toBe('{"filters":[{"a":true,"z":null}],"query":"a\\u003cb \\u0026\\u0026 c","window":5}');
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body)).toEqual({ query: 'a<b && c', window: 5, filters: [{ z: null, a: true }] });
  });
});

describe('when the server redirects', () => {
  it('follows a 302 from a POST with a GET without the body', async () => {
    server.handle((req, res) =>
      req.path === '/old' ? sendText(res, 302, '', { Location: '/new' }) : sendJson(res, 200, { moved: true }),
    );
    const obs = await measureWith(provider, { url: `${server.url}/old`, method: 'POST', body: 'payload' });
    expect(obs).toMatchObject({ kind: 'value', display: '{"moved":true}' });
    expect(server.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', '/old', 'payload'],
      ['GET', '/new', ''],
    ]);
  });

  it('keeps the method and body through a 307', async () => {
    server.handle((req, res) => (req.path === '/old' ? sendText(res, 307, '', { Location: '/new' }) : sendJson(res, 200, 1)));
    await measureWith(provider, { url: `${server.url}/old`, method: 'PUT', body: 'payload' });
    expect(server.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['PUT', '/old', 'payload'],
      ['PUT', '/new', 'payload'],
    ]);
  });

  it('drops credentials, but not other headers, when the redirect leaves the host', async () => {
    const other = await startHttpServer((_req, res) => sendJson(res, 200, { elsewhere: true }));
    try {
      server.handle((_req, res) => sendText(res, 302, '', { Location: `http://localhost:${other.port}/landing` }));
      const obs = await measureWith(provider, {
        url: `${server.url}/start`,
        headers: [{ key: 'Authorization', value: 'Bearer keep-me-home' }, { key: 'X-Trace', value: 't-1' }],
      });
      expect(obs).toMatchObject({ kind: 'value', display: '{"elsewhere":true}' });
      expect(server.requests[0]!.headers.authorization).toBe('Bearer keep-me-home');
      expect(other.requests[0]!.headers.authorization).toBeUndefined();
      expect(other.requests[0]!.headers['x-trace']).toBe('t-1');
    } finally {
      await other.close();
    }
  });

  it('gives up after 10 redirects with Go\'s message', async () => {
    server.handle((req, res) => sendText(res, 302, '', { Location: `/hop${Number(req.path.slice(4) || 0) + 1}` }));
    const obs = await measureWith(provider, { url: `${server.url}/hop0` });
    expect(obs).toEqual({ kind: 'error', code: 'BadResponse', message: `Get "${server.url}/hop10": stopped after 10 redirects` });
    expect(server.requests).toHaveLength(11);
  });
});

describe('when the server uses a self-signed certificate', () => {
  let tlsServer: TestHttpServer;
  beforeAll(async () => {
    tlsServer = await startHttpServer((_req, res) => sendJson(res, 200, { secure: 'yes' }), { tls: selfSignedCert() });
  });
  afterAll(() => tlsServer.close());

  it('refuses it with Go\'s x509 message unless insecure is set', async () => {
    const obs = await measureWith(provider, { url: `${tlsServer.url}/m` });
    expect(obs).toEqual({
      kind: 'error',
      code: 'Unreachable',
      message: `Get "${tlsServer.url}/m": tls: failed to verify certificate: x509: certificate signed by unknown authority`,
    });
  });

  it('accepts it with insecure: true', async () => {
    const obs = await measureWith(provider, { url: `${tlsServer.url}/m`, insecure: true, jsonPath: '{.secure}' });
    expect(obs).toEqual({ kind: 'value', value: 'yes', display: '"yes"' });
  });
});

describe('when the URL cannot be used', () => {
  it('reports an unsupported scheme as Go does', async () => {
    const obs = await measureWith(provider, { url: 'bad://url.com' });
    expect(obs).toEqual({ kind: 'error', code: 'Config', message: 'Get "bad://url.com": unsupported protocol scheme "bad"' });
  });

  it('hides the password of user info in messages', async () => {
    const obs = await measureWith(provider, { url: 'http://svc:hunter2@127.0.0.1:1/m' });
    expect(obs).toMatchObject({ kind: 'error', code: 'Unreachable' });
    if (obs.kind === 'error') {
      expect(obs.message).toBe('Get "http://svc:***@127.0.0.1:1/m": dial tcp 127.0.0.1:1: connect: connection refused');
    }
  });

  it('sends the user info as HTTP basic auth', async () => {
    await measureWith(provider, { url: server.url.replace('://', '://svc:hunter2@') });
    expect(server.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('svc:hunter2').toString('base64')}`);
  });
});
