/**
 * Transport to the Prometheus HTTP API, through prometheus-query (the project's chosen client).
 *
 * prometheus-query builds the request (endpoint + `/api/v1/`, form-encoded parameters, POST
 * with `preferPost`) and sends it with axios. Its result handling cannot be used as is: it parses
 * sample values with `parseFloat` (`+Inf`/`-Inf` become NaN), reads warnings from the wrong
 * object, loses the HTTP status of non-JSON error bodies, and has no per-request signal or TLS
 * option. So two interceptors adapt it: the request interceptor attaches the AbortSignal, the
 * TLS agent and raw-text handling (and disables axios' own 10 s timeout); the response interceptor
 * captures the raw status and body, which parse.ts then interprets exactly as client_golang does.
 *
 * Like client_golang (`DoGetFallback`), queries are POSTed as a form and retried as GET when the
 * server answers 405 or 501. Proxies come from the standard environment variables, as Go's
 * `http.ProxyFromEnvironment` does (axios reads them itself).
 */
import * as https from 'node:https';
import { PrometheusDriver, type PrometheusConnectionOptions } from 'prometheus-query';
import type { ProviderErrorCode } from '../../src/metric/provider.js';
import { formatFloatF } from '../../src/go/format.js';
import { DEFAULT_MAX_BODY_BYTES } from '../shared/http.js';
import { describeNetworkError } from '../shared/transport-errors.js';
import type { SignableRequest, SignResult } from './sigv4.js';

export type QueryRequest = {
  address: string;
  query: string;
  /** Final request headers (custom headers and Authorization already resolved). */
  headers: Record<string, string>;
  insecure: boolean;
  signal: AbortSignal;
  /**
   * SigV4: called with the request as it will be sent (method, URL, body, the headers present
   * before the metric's own); returns the signature headers, or a failure message.
   */
  sign?: (req: SignableRequest) => Promise<SignResult>;
} & ({ kind: 'instant'; time: number } | { kind: 'range'; start: number; end: number; stepSeconds: number });

type QueryExchange =
  | { ok: true; status: number; text: string }
  /** `aborted`: the signal fired; the caller knows whether that was its deadline or a shutdown. */
  | { ok: false; aborted: true; method: string; url: string }
  | { ok: false; aborted: false; code: ProviderErrorCode; detail: string; method: string; url: string };

type RequestInterceptor = NonNullable<PrometheusConnectionOptions['requestInterceptor']>;
type ResponseInterceptor = NonNullable<PrometheusConnectionOptions['responseInterceptor']>;
type AxiosResponseLike = Parameters<ResponseInterceptor['onFulfilled']>[0];

interface Captured {
  response?: AxiosResponseLike;
  error?: unknown;
  /** Anything prometheus-query threw before axios ran (a bug, reported as Internal). */
  thrown?: unknown;
  /** The signer refused (no region, no credentials). */
  signFailure?: string;
}

export class PrometheusTransport {
  private insecureAgent: https.Agent | undefined;

  /** Send the query; never throws. */
  async query(req: QueryRequest): Promise<QueryExchange> {
    const first = await this.send(req, true);
    if (first.ok && (first.status === 405 || first.status === 501)) return this.send(req, false);
    return first;
  }

  close(): void {
    this.insecureAgent?.destroy();
    this.insecureAgent = undefined;
  }

  private agentFor(insecure: boolean): https.Agent | undefined {
    if (!insecure) return undefined;
    this.insecureAgent ??= new https.Agent({ keepAlive: true, rejectUnauthorized: false });
    return this.insecureAgent;
  }

  private async send(req: QueryRequest, preferPost: boolean): Promise<QueryExchange> {
    const endpoint = req.address.replace(/\/$/, '');
    const method = preferPost ? 'POST' : 'GET';
    const url = `${endpoint}/api/v1/${req.kind === 'instant' ? 'query' : 'query_range'}`;
    const captured: Captured = {};
    const agent = this.agentFor(req.insecure);
    const onRequest: RequestInterceptor['onFulfilled'] = (config) => {
      config.signal = req.signal;
      config.timeout = 0; // the signal carries the deadline
      config.maxRedirects = 10; // Go's http.Client limit
      config.maxContentLength = DEFAULT_MAX_BODY_BYTES;
      config.responseType = 'text';
      config.transformResponse = [(data: unknown) => data];
      config.validateStatus = () => true;
      if (agent !== undefined) config.httpsAgent = agent;
      if (req.sign === undefined) return config;
      return signConfig(config, req.sign, req.headers, captured);
    };
    const onResponse: ResponseInterceptor = {
      onFulfilled: (response) => {
        captured.response = response;
        return response;
      },
      onRejected: (error: unknown) => {
        captured.error = error;
        throw error;
      },
    };
    try {
      const driver = new PrometheusDriver({
        endpoint,
        baseURL: '/api/v1/',
        headers: req.headers,
        preferPost,
        requestInterceptor: { onFulfilled: onRequest },
        responseInterceptor: onResponse,
      });
      // Dates, not numbers: prometheus-query replaces a falsy time (epoch 0) with "now".
      if (req.kind === 'instant') await driver.instantQuery(req.query, new Date(req.time));
      else await driver.rangeQuery(req.query, new Date(req.start), new Date(req.end), formatFloatF(req.stepSeconds));
    } catch (thrown) {
      // prometheus-query rejects with plain objects for everything (including our raw-text
      // successes, which it cannot parse); the interceptors captured what really happened.
      captured.thrown = thrown;
    }
    if (captured.signFailure !== undefined) return { ok: false, aborted: false, method, url, code: 'Unauthorized', detail: captured.signFailure };
    if (captured.response !== undefined) {
      const data: unknown = captured.response.data;
      return { ok: true, status: captured.response.status, text: typeof data === 'string' ? data : '' };
    }
    if (req.signal.aborted) return { ok: false, aborted: true, method, url };
    if (captured.error === undefined) {
      const t = captured.thrown as { message?: unknown; error?: unknown } | undefined;
      return { ok: false, aborted: false, method, url, code: 'Internal', detail: `prometheus client: ${String(t?.message ?? t?.error ?? t)}` };
    }
    return { ok: false, aborted: false, method, url, ...describeAxiosError(captured.error, url) };
  }
}

/** Axios failures in Go's words (see transport-errors.ts for plain network errors). */
function describeAxiosError(error: unknown, url: string): { code: ProviderErrorCode; detail: string } {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; message?: unknown; cause?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(error);
  switch (e.code) {
    case 'ERR_FR_TOO_MANY_REDIRECTS':
      return { code: 'BadResponse', detail: 'stopped after 10 redirects' };
    case 'ERR_BAD_RESPONSE':
      return { code: 'BadResponse', detail: message };
    case 'ERR_BAD_REQUEST': {
      const scheme = /Unsupported protocol (\S*):/.exec(message)?.[1];
      if (scheme !== undefined) return { code: 'Config', detail: `unsupported protocol scheme "${scheme}"` };
      return { code: 'Config', detail: message };
    }
  }
  // Network errors: axios copies the errno code; the Node error with address/port is the cause.
  return describeNetworkError(e.cause ?? error, url);
}

type AxiosConfig = Parameters<RequestInterceptor['onFulfilled']>[0];

/**
 * Sign the request axios is about to send: the URL (with a GET's parameters) and the form body
 * are fixed here, so that exactly the signed bytes go out. The metric's own headers are set
 * after signing and win, as Argo's headers round tripper sits inside the sigv4 one.
 */
async function signConfig(
  config: AxiosConfig,
  sign: (req: SignableRequest) => Promise<SignResult>,
  custom: Record<string, string>,
  captured: Captured,
): Promise<AxiosConfig> {
  const base = `${config.baseURL ?? ''}${config.url ?? ''}`;
  const params = config.params instanceof URLSearchParams ? config.params.toString() : '';
  const url = params === '' ? base : `${base}?${params}`;
  const method = (config.method ?? 'get').toUpperCase();
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (method === 'POST') {
    body = config.data instanceof URLSearchParams ? config.data.toString() : typeof config.data === 'string' ? config.data : '';
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  const signed = await sign({ method, url, headers, ...(body !== undefined ? { body } : {}) });
  if (!signed.ok) {
    captured.signFailure = signed.message;
    throw new Error(signed.message);
  }
  config.baseURL = undefined;
  config.url = url;
  config.params = undefined;
  if (body !== undefined) config.data = body;
  const customNames = new Set(Object.keys(custom).map((k) => k.toLowerCase()));
  for (const [k, v] of Object.entries({ ...headers, ...signed.headers })) {
    if (k.toLowerCase() === 'host' || customNames.has(k.toLowerCase())) continue;
    config.headers.set(k, v);
  }
  return config;
}
