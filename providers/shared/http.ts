/**
 * One HTTP exchange over node:http/node:https, with the behaviour of Go's `http.Client` that Argo
 * relies on: redirects followed (at most 10; 301/302/303 turn into GET without a body, 307/308
 * keep both; credentials dropped when the redirect leaves the host), TLS verification that
 * `insecure` switches off, and an AbortSignal that ends the exchange at once in any phase.
 *
 * Failures are returned, never thrown. The caller words them (see transport-errors.ts) because
 * only it knows whether its deadline or the engine's shutdown caused an abort.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { setHeader } from './headers.js';

export interface HttpRequest {
  method: string;
  url: string;
  /** Final headers, applied with last-write-wins and case-insensitive names, as Go's Header.Set. */
  headers?: Record<string, string>;
  body?: string;
  insecure?: boolean;
  signal: AbortSignal;
  /** Bodies larger than this are refused (memory guard; Go reads without limit). */
  maxBodyBytes?: number;
}

export interface HttpResponse {
  ok: true;
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The URL that produced this response (after redirects). */
  url: string;
}

type HttpFailureKind =
  | 'aborted' // the signal fired
  | 'network' // refused, DNS, TLS, reset: see `error`
  | 'scheme' // not http/https; detail is Go's `unsupported protocol scheme "x"`
  | 'redirects' // more than 10 redirects
  | 'tooLarge'; // body over maxBodyBytes

export interface HttpFailure {
  ok: false;
  kind: HttpFailureKind;
  /** Whether response headers had arrived (Go words timeouts differently before and after). */
  phase: 'headers' | 'body';
  /** The URL of the failed hop, with the method used for it (for Go's `Op "url": ...`). */
  url: string;
  method: string;
  detail: string;
  error?: unknown;
}

/**
 * Response bodies larger than this are refused (`response body exceeds N bytes`): 32 MiB. Go reads
 * without limit; a V8 heap holds the body several times over while it is decoded (bytes, text,
 * parsed JSON, the displayed value), so one hostile backend could otherwise exhaust it. What a
 * measurement stores is capped much lower (src/core/value-cap.ts).
 */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
const MAX_REDIRECTS = 10;
const SENSITIVE_ON_REDIRECT = ['authorization', 'www-authenticate', 'cookie', 'cookie2'];

export async function httpRequest(req: HttpRequest): Promise<HttpResponse | HttpFailure> {
  let { method, url, body } = req;
  let headers: Record<string, string> = { ...req.headers };
  const initialHost = hostnameOf(url);
  for (let redirects = 0; ; redirects++) {
    const res = await exchange({ ...req, method, url, body, headers });
    if (!res.ok) return res;
    const location = res.headers.location;
    if (![301, 302, 303, 307, 308].includes(res.status) || location === undefined) return res;
    if (redirects >= MAX_REDIRECTS) {
      return { ok: false, kind: 'redirects', phase: 'body', url, method, detail: `stopped after ${MAX_REDIRECTS} redirects` };
    }
    let next: string;
    try {
      next = new URL(location, url).href;
    } catch {
      return res; // Go also hands back an unparseable Location as the response's own error; keep the response
    }
    if (res.status === 301 || res.status === 302 || res.status === 303) {
      if (method !== 'GET' && method !== 'HEAD') method = 'GET';
      if (method === 'GET' || method === 'HEAD') {
        body = undefined;
        headers = withoutHeaders(headers, ['content-type', 'content-length']);
      }
    }
    const nextHost = hostnameOf(next);
    if (!(nextHost === initialHost || nextHost.endsWith(`.${initialHost}`))) {
      headers = withoutHeaders(headers, SENSITIVE_ON_REDIRECT);
    }
    url = next;
  }
}

function hostnameOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return '';
  }
}

function withoutHeaders(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !names.includes(k.toLowerCase())));
}


function exchange(req: HttpRequest): Promise<HttpResponse | HttpFailure> {
  const { method, url, signal } = req;
  const fail = (kind: HttpFailureKind, phase: HttpFailure['phase'], detail: string, error?: unknown): HttpFailure => ({
    ok: false, kind, phase, url, method, detail, error,
  });
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    // Go parses scheme-less strings as relative URLs and then refuses them for their empty scheme.
    const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url)?.[1] ?? '';
    return Promise.resolve(fail('scheme', 'headers', `unsupported protocol scheme "${scheme}"`));
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return Promise.resolve(fail('scheme', 'headers', `unsupported protocol scheme "${target.protocol.slice(0, -1)}"`));
  }
  if (signal.aborted) return Promise.resolve(fail('aborted', 'headers', 'aborted'));
  const maxBody = req.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const headers: Record<string, string> = { ...req.headers };
  if (req.body !== undefined) setHeader(headers, 'Content-Length', String(Buffer.byteLength(req.body)));
  else if (method === 'POST' || method === 'PUT') setHeader(headers, 'Content-Length', '0');

  return new Promise((resolve) => {
    let phase: HttpFailure['phase'] = 'headers';
    let settled = false;
    const settle = (result: HttpResponse | HttpFailure): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const options: https.RequestOptions = { method, headers };
    if (target.protocol === 'https:') options.rejectUnauthorized = req.insecure !== true;
    const client = target.protocol === 'https:' ? https : http;
    const request = client.request(target, options, (response) => {
      phase = 'body';
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBody) {
          settle(fail('tooLarge', 'body', `response body exceeds ${maxBody} bytes`));
          request.destroy();
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () =>
        settle({ ok: true, status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks), url }),
      );
      response.on('error', (error) => settle(fail('network', 'body', String(error), error)));
      response.on('aborted', () => settle(fail('network', 'body', 'unexpected EOF')));
    });
    // Settle first, then tear down: the caller must not wait for sockets to close.
    const onAbort = (): void => {
      settle(fail('aborted', phase, 'aborted'));
      request.destroy();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    request.on('error', (error) => settle(fail('network', phase, String(error), error)));
    request.end(req.body);
  });
}
