/**
 * The Datadog metric provider (Argo's `metricproviders/datadog`): one query per measurement over
 * the window `[now - interval, now]`, v1 (`/api/v1/query`) or v2 (`/api/v2/query/scalar`).
 * `now` is `ctx.now`, so the provider answers about the past in backtests.
 *
 * - config.ts:      the block, CRD defaults, Argo's validation messages
 * - credentials.ts: secretRef / DD_* env vars / the `datadog` Secret, in Argo's order
 * - request.ts:     URL, query string, scalar_request body, auth headers
 * - parse.ts:       status rules and the v1 / v2 (grouped) result shapes
 *
 * Measurement metadata follows Argo: `httpStatusCode`, `responseReceived`, `requestOutcome`
 * (`success`, `http_error`, `response_error`, `transport_error`, `timeout`), and `groups`.
 */
import type { MeasureContext, MetricProvider, Observation } from '../../src/metric/provider.js';
import { formatGoDuration } from '../../src/go/duration.js';
import { withDeadline } from '../shared/deadline.js';
import { exchange } from '../shared/exchange.js';
import { parseDatadogConfig, type DatadogConfig } from './config.js';
import { findCredentials, NOT_FOUND, type DatadogCredentials } from './credentials.js';
import { checkStatus, parseV1, parseV2 } from './parse.js';
import { buildRequest, DEFAULT_ADDRESS, endpointError } from './request.js';

export type { DatadogConfig } from './config.js';

function withMetadata(o: Observation, metadata: Record<string, string>): Observation {
  return { ...o, metadata: { ...metadata, ...(o.metadata ?? {}) } };
}

/**
 * Keys from DD_* env vars do not pass through ctx.secrets, so the measurer cannot redact them:
 * do it here, with the engine's mask, should a backend ever echo one.
 */
function withoutKeys(o: Observation, keys: string[]): Observation {
  const r = (t: string): string => keys.reduce((acc, k) => (k === '' ? acc : acc.split(k).join('*****')), t);
  const metadata = o.metadata ? Object.fromEntries(Object.entries(o.metadata).map(([k, v]) => [k, r(v)])) : undefined;
  const base = { ...o, ...(metadata ? { metadata } : {}) };
  if (base.kind === 'error') return { ...base, message: r(base.message) };
  if (base.kind === 'value') return { ...base, display: r(base.display) };
  return base;
}

async function measure(config: DatadogConfig, ctx: MeasureContext): Promise<Observation> {
  if (ctx.signal.aborted) return { kind: 'error', code: 'Aborted', message: 'context canceled' };
  const creds = await findCredentials(config, ctx);
  if (creds === undefined) return { kind: 'error', code: 'Config', message: NOT_FOUND };
  return withoutKeys(await query(config, creds, ctx), [creds.apiKey, creds.appKey]);
}

async function query(config: DatadogConfig, creds: DatadogCredentials, ctx: MeasureContext): Promise<Observation> {
  const bad = endpointError(creds.address !== '' ? creds.address : DEFAULT_ADDRESS);
  if (bad !== undefined) return { kind: 'error', code: 'Config', message: bad };

  const req = buildRequest(config, creds, ctx.now);
  const deadline = withDeadline(ctx.signal, config.requestTimeoutMs);
  try {
    const sent = await exchange(req, deadline);
    if (!sent.ok) {
      const o = sent.observation;
      if (o.kind !== 'error' || o.code === 'Aborted' || o.code === 'Config') return o;
      const timedOut = o.code === 'Timeout';
      const message = timedOut
        ? `Datadog API request timed out after ${formatGoDuration(config.requestTimeoutMs)} before receiving an HTTP response: ${o.message}`
        : `Datadog API request failed before receiving an HTTP response: ${o.message}`;
      return { ...o, message, metadata: { requestOutcome: timedOut ? 'timeout' : 'transport_error', responseReceived: 'false' } };
    }
    const { status, body } = sent.response;
    const meta = { httpStatusCode: String(status), responseReceived: 'true' };
    const text = body.toString('utf8');
    const statusError = checkStatus(status, text);
    if (statusError) return withMetadata(statusError, { ...meta, requestOutcome: 'http_error' });
    const parsed = config.apiVersion === 'v1' ? parseV1(text) : parseV2(text);
    return withMetadata(parsed, { ...meta, requestOutcome: parsed.kind === 'error' ? 'response_error' : 'success' });
  } finally {
    deadline.dispose();
  }
}

export function createDatadogProvider(): MetricProvider<DatadogConfig> {
  return {
    key: 'datadog',
    type: 'Datadog',
    historical: true,
    parseConfig: (raw) => parseDatadogConfig(raw),
    measure,
    // Argo's Datadog provider stores no metadata on the metric result.
    metadata: () => undefined,
  };
}

