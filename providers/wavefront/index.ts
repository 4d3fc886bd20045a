/**
 * The Wavefront metric provider (Argo's `metricproviders/wavefront`, over the go-wavefront
 * client): `GET https://<address>/api/v2/chart/api` with `q`, `s = e = now` (epoch ms), `g=s`,
 * `p=1`, `i=true` and `Authorization: Bearer <token>`, the token being the key named after the
 * address in the Secret `wavefront-api-tokens` (controller namespace). `now` is `ctx.now`, so a
 * backtest asks about the past.
 *
 * Result: one series gives a float (the point closest to `now`), several give `[]float64`, none is
 * an Error. `value` is `%.2f` (`[%.2f,...]`). Metadata: `timestamps` and `drift` (seconds between
 * the chosen point and `now`), and Wavefront's `warnings`.
 *
 * Addresses are host[:port] as in Argo (https is implied); an address that already carries a
 * scheme (`http://host:port`) is used as it is, which Argo's client would not accept.
 */
import { STATUS_CODES } from 'node:http';
import type { MeasureContext, MetricProvider, Observation } from '../../src/metric/provider.js';
import { describeIssues, dropNulls } from '../shared/config.js';
import { withDeadline } from '../shared/deadline.js';
import { exchange, statusCode } from '../shared/exchange.js';
import { z } from 'zod';

interface WavefrontConfig {
  address: string;
  query: string;
}

const TOKENS_SECRET = 'wavefront-api-tokens';
/** go-wavefront's http.Client has no timeout; assay bounds a query at 30 s. */
const REQUEST_TIMEOUT_MS = 30_000;

const schema = z.object({ address: z.string().default(''), query: z.string().default('') });

function parseConfig(raw: unknown): { ok: true; config: WavefrontConfig } | { ok: false; message: string } {
  const parsed = schema.safeParse(dropNulls(raw ?? {}));
  if (!parsed.success) return { ok: false, message: describeIssues('wavefront', parsed.error) };
  return { ok: true, config: parsed.data };
}

export function chartUrl(address: string, query: string, nowMs: number): string {
  const base = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(address) ? address.replace(/\/+$/, '') : `https://${address}`;
  const at = String(Math.floor(nowMs / 1000) * 1000);
  const params = new URLSearchParams({ q: query, s: at, e: at, g: 's', p: '1', i: 'true' });
  return `${base}/api/v2/chart/api?${params.toString()}`;
}

type DataPoint = [number, number];

/** The point closest to `now` (Argo's findDataPointValue): value, its epoch seconds, drift. */
function closest(points: DataPoint[], nowSeconds: number): { value: number; epoch: string; drift: string } {
  let value = 0;
  let time = 0;
  let delta = Infinity;
  for (const [t, v] of points) {
    const d = t - nowSeconds;
    if (Math.abs(d) < Math.abs(delta)) {
      value = v;
      time = t;
      delta = d;
    }
  }
  // Go's int64(+Inf) on amd64 is the minimum int64: what Argo writes for a series without points.
  const drift = Number.isFinite(delta) ? String(Math.trunc(delta)) : '-9223372036854775808';
  return { value, epoch: String(Math.trunc(time)), drift };
}

/** Go's `%.2f`. */
function f2(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return v.toFixed(2);
}

export function interpret(body: string, nowMs: number): Observation {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (err) {
    return { kind: 'error', code: 'BadResponse', message: (err as Error).message };
  }
  const root = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
  const metadata: Record<string, string> = {};
  if (typeof root['warnings'] === 'string' && root['warnings'] !== '') metadata['warnings'] = root['warnings'];
  const series = Array.isArray(root['timeseries']) ? (root['timeseries'] as unknown[]) : [];
  if (series.length === 0) {
    return { kind: 'error', code: 'NoData', message: 'No TimeSeries found in response from Wavefront', ...(Object.keys(metadata).length ? { metadata } : {}) };
  }
  const nowSeconds = Math.floor(nowMs / 1000);
  const picks = series.map((s) => {
    const data = (s as { data?: unknown }).data;
    const points = (Array.isArray(data) ? data : []).filter(
      (p): p is DataPoint => Array.isArray(p) && typeof p[0] === 'number' && typeof p[1] === 'number',
    );
    return closest(points, nowSeconds);
  });
  if (picks.length === 1) {
    const p = picks[0]!;
    return { kind: 'value', value: p.value, display: f2(p.value), metadata: { ...metadata, timestamps: p.epoch, drift: p.drift } };
  }
  const list = (key: 'epoch' | 'drift') => `[${picks.map((p) => p[key]).join(',')}]`;
  return {
    kind: 'value',
    value: picks.map((p) => p.value),
    display: `[${picks.map((p) => f2(p.value)).join(',')}]`,
    metadata: { ...metadata, timestamps: list('epoch'), drift: list('drift') },
  };
}

async function measure(config: WavefrontConfig, ctx: MeasureContext, requestTimeoutMs: number): Promise<Observation> {
  if (ctx.signal.aborted) return { kind: 'error', code: 'Aborted', message: 'context canceled' };
  const namespace = ctx.env.controllerNamespace ?? 'argo-rollouts';
  const token = await ctx.secrets.get(namespace, TOKENS_SECRET, config.address);
  if (!token.ok) {
    const missingSecret = !token.error.startsWith("key '");
    return { kind: 'error', code: 'Config', message: missingSecret ? token.error : 'API token not found' };
  }
  const url = chartUrl(config.address, config.query, ctx.now);
  const deadline = withDeadline(ctx.signal, requestTimeoutMs);
  try {
    const sent = await exchange({ method: 'GET', url, headers: { Authorization: `Bearer ${token.value}` } }, deadline);
    if (!sent.ok) return sent.observation;
    const { status, body } = sent.response;
    const text = body.toString('utf8').trim();
    if (status < 200 || status >= 300) {
      // go-wavefront: fmt.Errorf("server returned %s\n%s\n", resp.Status, body)
      return { kind: 'error', code: statusCode(status), message: `server returned ${status} ${STATUS_CODES[status] ?? ''}\n${text}\n` };
    }
    return interpret(text, ctx.now);
  } finally {
    deadline.dispose();
  }
}

interface WavefrontProviderOptions {
  /** Bound on one query (default 30 s; tests shorten it). */
  requestTimeoutMs?: number;
}

export function createWavefrontProvider(options: WavefrontProviderOptions = {}): MetricProvider<WavefrontConfig> {
  const requestTimeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  return {
    key: 'wavefront',
    type: 'Wavefront',
    historical: true,
    parseConfig,
    measure: (config, ctx) => measure(config, ctx, requestTimeoutMs),
    metadata: () => undefined,
  };
}

