/**
 * What a web page can make a token-less `assay serve` do: nothing. Cross-origin "simple" writes
 * (text/plain, forms), foreign Origins and foreign Host headers (DNS rebinding) are refused with a
 * message saying why; same-origin JSON still works; with a token the rules give way to the token.
 * Deeply nested JSON is a 400, not a 500.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce } from '../../support/build.js';
import { sendJson, startHttpServer, type TestHttpServer } from '../../support/http-server.js';
import { postJson, startServe, webRun, type ServeProcess } from './serve.js';

let backend: TestHttpServer;
let serve: ServeProcess;

/** A raw request, so that Host and Origin are exactly what a browser (or an attacker) sends. */
function raw(port: number, opts: { method: string; path: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: opts.method, path: opts.path, headers: opts.headers, setHost: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

beforeAll(async () => {
  await buildOnce();
  backend = await startHttpServer((_req, res) => sendJson(res, 200, { value: 1 }));
  serve = await startServe({ args: ['--allowed-host', 'assay.internal'] });
}, 240_000);

afterAll(async () => {
  await serve?.stop();
  await backend?.close();
});

describe('assay serve without a token', () => {
  const body = () => JSON.stringify({ analysisRun: webRun(`r${Math.random().toString(36).slice(2, 8)}`, { url: `${backend.url}/x` }) });

  it('refuses a cross-origin simple POST (text/plain, form) with 403 and creates nothing', async () => {
    const host = `127.0.0.1:${serve.port}`;
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await raw(serve.port, { method: 'POST', path: '/api/v1/runs', headers: { Host: host, Origin: 'http://evil.example', 'Content-Type': type }, body: body() });
      expect(res.status, type).toBe(403);
    }
    const noOrigin = await raw(serve.port, { method: 'POST', path: '/api/v1/runs', headers: { Host: host, 'Content-Type': 'text/plain' }, body: body() });
    expect(noOrigin.status).toBe(403);
    expect(JSON.parse(noOrigin.body).error.message).toContain('Content-Type: application/json');
    const foreignJson = await raw(serve.port, { method: 'POST', path: '/api/v1/runs', headers: { Host: host, Origin: 'http://evil.example', 'Content-Type': 'application/json' }, body: body() });
    expect(foreignJson.status).toBe(403);
    expect(JSON.parse(foreignJson.body).error.message).toContain('cross-origin');
    const terminate = await raw(serve.port, { method: 'POST', path: '/api/v1/runs/default/x/terminate', headers: { Host: host, Origin: 'null' } });
    expect(terminate.status).toBe(403);
    const list = (await (await fetch(`${serve.url}/api/v1/runs`)).json()) as { items: unknown[] };
    expect(list.items).toEqual([]);
  });

  it('refuses a foreign Host (DNS rebinding) with 421, and answers the names it listens as', async () => {
    const rebound = await raw(serve.port, { method: 'GET', path: '/api/v1/runs', headers: { Host: `attacker.example:${serve.port}` } });
    expect(rebound.status).toBe(421);
    expect(JSON.parse(rebound.body).error.message).toContain('--allowed-host');
    for (const host of [`localhost:${serve.port}`, `127.0.0.1:${serve.port}`, `[::1]:${serve.port}`, 'assay.internal', `ASSAY.internal:${serve.port}`]) {
      expect((await raw(serve.port, { method: 'GET', path: '/api/v1/runs', headers: { Host: host } })).status, host).toBe(200);
    }
  });

  it('accepts same-origin (or Origin-less) JSON writes', async () => {
    const host = `127.0.0.1:${serve.port}`;
    const same = await raw(serve.port, { method: 'POST', path: '/api/v1/runs', headers: { Host: host, Origin: `http://${host}`, 'Content-Type': 'application/json' }, body: body() });
    expect(same.status).toBe(201);
    expect((await postJson(`${serve.url}/api/v1/runs`, JSON.parse(body()))).status).toBe(201);
  });

  it('answers 400 for JSON nested 1000 and 100000 levels deep, and stays up', async () => {
    for (const depth of [1000, 100_000]) {
      const deep = `{"analysisRun": ${'['.repeat(depth)}${']'.repeat(depth)}}`;
      const res = await fetch(`${serve.url}/api/v1/runs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: deep });
      expect(res.status, `depth ${depth}`).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain('nests deeper than');
    }
    expect((await fetch(`${serve.url}/healthz`)).status).toBe(200);
  });
});

describe('assay serve with a token', () => {
  it('lets token holders through whatever the Host, and refuses everyone else', async () => {
    const withToken = await startServe({ env: { ASSAY_API_TOKEN: 'tok-123' } });
    try {
      const headers = { Host: 'assay.svc.cluster.local', Authorization: 'Bearer tok-123' };
      expect((await raw(withToken.port, { method: 'GET', path: '/api/v1/runs', headers })).status).toBe(200);
      expect((await raw(withToken.port, { method: 'GET', path: '/api/v1/runs', headers: { Host: 'assay.svc.cluster.local' } })).status).toBe(401);
    } finally {
      await withToken.stop();
    }
  }, 60_000);
});
