/**
 * A tiny recording HTTP(S) server for provider tests: every request is recorded (method, path,
 * query, headers, body) before the current handler answers it, so tests can assert exactly what a
 * provider sent. Handlers are swappable per test. `close()` drops open connections, including
 * requests a handler deliberately never answers.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RecordedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The body as a form when it is `application/x-www-form-urlencoded`. */
  form: URLSearchParams;
}

export type Handler = (req: RecordedRequest, res: http.ServerResponse) => void | Promise<void>;

export interface TestHttpServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Replace the handler for subsequent requests. */
  handle(handler: Handler): void;
  close(): Promise<void>;
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

export function sendText(res: http.ServerResponse, status: number, text: string, headers: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain', ...headers });
  res.end(text);
}

/** A handler that never answers (for timeout and abort tests). */
export const hang: Handler = () => undefined;

export async function startHttpServer(handler: Handler = hang, opts: { tls?: { key: string; cert: string } } = {}): Promise<TestHttpServer> {
  let current = handler;
  const requests: RecordedRequest[] = [];
  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const parsed = new URL(req.url ?? '/', 'http://localhost');
      const isForm = String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        path: parsed.pathname,
        query: parsed.searchParams,
        headers: req.headers,
        body,
        form: new URLSearchParams(isForm ? body : ''),
      };
      requests.push(recorded);
      Promise.resolve(current(recorded, res)).catch((err: unknown) => {
        if (!res.headersSent) sendText(res, 599, `test handler failed: ${String(err)}`);
      });
    });
  };
  const server = opts.tls ? https.createServer(opts.tls, listener) : http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    handle: (h) => {
      current = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A handler forwarding every request to `target` (a reverse proxy in front of a real server). */
export function forwardTo(target: string): Handler {
  return (req, res) =>
    new Promise<void>((resolve) => {
      const headers = { ...req.headers };
      delete headers.host;
      delete headers['content-length'];
      const upstream = http.request(new URL(req.url, target), { method: req.method, headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        up.on('end', resolve);
      });
      upstream.on('error', (err) => {
        sendText(res, 502, String(err));
        resolve();
      });
      upstream.end(req.body);
    });
}

/** A 127.0.0.1 port with nothing listening on it (bound, then released). */
export async function unusedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let cachedCert: { key: string; cert: string } | undefined;

/** A self-signed certificate for 127.0.0.1, made once per process with the openssl CLI. */
export function selfSignedCert(): { key: string; cert: string } {
  if (cachedCert) return cachedCert;
  const dir = mkdtempSync(join(tmpdir(), 'assay-cert-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    cachedCert = { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
    return cachedCert;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
