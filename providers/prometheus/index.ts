/**
 * The Prometheus metric provider (Argo's `metricproviders/prometheus`).
 *
 * One measurement = one query: an instant query evaluated at `ctx.now` (so a backtest replays
 * history by passing a past instant), or, with `rangeQuery`, a range query whose `start`/`end`
 * expressions are evaluated against `ctx.now`. The provider observes only; the engine applies the
 * success/failure conditions to the returned value.
 */
import { evalTime as defaultEvalTime } from '../../src/conditions/index.js';
import type { MeasureContext, MetricProvider, Observation } from '../../src/metric/provider.js';
import { withDeadline, contextErrorText, type Deadline } from '../shared/deadline.js';
import { parseGoDuration } from '../../src/go/duration.js';
import { setHeader } from '../shared/headers.js';
import { TokenCache } from '../shared/oauth2.js';
import { urlErrorText } from '../shared/transport-errors.js';
import { PrometheusTransport, type QueryRequest } from './client.js';
import { parsePrometheusConfig, type PrometheusConfig } from './config.js';
import { formatWarnings, interpretResponse } from './parse.js';
import { SigV4Signer } from './sigv4.js';

export type { PrometheusConfig } from './config.js';

/** `evalTime(expression, now)` from the conditions module: a time expression to epoch ms. */
export type EvalTime = (expression: string, now: number) => { ok: true; value: number } | { ok: false; error: string };

interface PrometheusProviderOptions {
  /** Override the time-expression evaluator (tests). */
  evalTime?: EvalTime;
  /** Wall clock for OAuth2 token expiry. */
  clock?: () => number;
}

type QueryWindow = { kind: 'instant'; time: number } | { kind: 'range'; start: number; end: number; stepSeconds: number };

/** Argo evaluates `rangeQuery` at measurement time: start, end, then step. */
function queryWindow(config: PrometheusConfig, now: number, evalTime: EvalTime): QueryWindow | { kind: 'invalid'; message: string } {
  const range = config.rangeQuery;
  if (range === undefined) return { kind: 'instant', time: now };
  const start = evalTime(range.start, now);
  if (!start.ok) return { kind: 'invalid', message: `failed to parse rangeQuery.start as time: ${start.error}` };
  const end = evalTime(range.end, now);
  if (!end.ok) return { kind: 'invalid', message: `failed to parse rangeQuery.end as time: ${end.error}` };
  const step = parseGoDuration(range.step);
  if (!step.ok) return { kind: 'invalid', message: `failed to parse rangeQuery.step as duration: ${step.error}` };
  return { kind: 'range', start: start.value, end: end.value, stepSeconds: step.ms / 1000 };
}

function abortedObservation(deadline: Deadline, method: string, url: string): Observation {
  const cause = deadline.cause() ?? 'cancel';
  return {
    kind: 'error',
    code: cause === 'timeout' ? 'Timeout' : 'Aborted',
    message: urlErrorText(method, url, contextErrorText(cause)),
  };
}

export function createPrometheusProvider(options: PrometheusProviderOptions = {}): MetricProvider<PrometheusConfig> {
  const evalTime = options.evalTime ?? defaultEvalTime;
  const tokens = new TokenCache(options.clock);
  const transport = new PrometheusTransport();
  const signer = new SigV4Signer();

  async function measure(config: PrometheusConfig, ctx: MeasureContext): Promise<Observation> {
    const window = queryWindow(config, ctx.now, evalTime);
    if (window.kind === 'invalid') return { kind: 'error', code: 'Config', message: window.message };
    const queryUrl = `${config.address.replace(/\/$/, '')}/api/v1/${window.kind === 'instant' ? 'query' : 'query_range'}`;
    const deadline = withDeadline(ctx.signal, config.timeoutMs);
    try {
      if (deadline.signal.aborted) return abortedObservation(deadline, 'POST', queryUrl);
      // Round-trippers as Argo stacks them: oauth2 (outermost) sets a bearer token, basic auth
      // only fills an empty Authorization, custom headers are applied last and win.
      const headers: Record<string, string> = {};
      // With SigV4 the signature is the Authorization (it replaces oauth2's and basic auth's).
      if (config.oauth2 !== undefined && config.sigv4 === undefined) {
        const token = await tokens.authorization(config.oauth2, { signal: deadline.signal, insecure: config.insecure });
        if (!token.ok) {
          if (token.aborted || deadline.cause() !== undefined) return abortedObservation(deadline, 'POST', queryUrl);
          return { kind: 'error', code: token.code, message: urlErrorText('POST', queryUrl, token.detail) };
        }
        headers.Authorization = token.authorization;
      }
      if (config.basicAuth !== undefined && headers.Authorization === undefined && config.sigv4 === undefined) {
        const { username, password } = config.basicAuth;
        headers.Authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
      }
      for (const [key, value] of Object.entries(config.headers)) setHeader(headers, key, value);

      const request: QueryRequest = {
        address: config.address, query: config.query, headers, insecure: config.insecure, signal: deadline.signal, ...window,
      };
      const sigv4 = config.sigv4;
      if (sigv4 !== undefined) request.sign = (req) => signer.sign(sigv4, req);
      const exchange = await transport.query(request);
      if (!exchange.ok) {
        if (exchange.aborted || deadline.cause() !== undefined) return abortedObservation(deadline, exchange.method, exchange.url);
        return { kind: 'error', code: exchange.code, message: urlErrorText(exchange.method, exchange.url, exchange.detail) };
      }
      const outcome = interpretResponse(exchange.status, exchange.text);
      if (!outcome.ok) return { kind: 'error', code: outcome.code, message: outcome.message };
      const observation: Observation = { kind: 'value', value: outcome.value, display: outcome.display };
      const warnings = formatWarnings(outcome.warnings);
      if (warnings !== undefined) observation.metadata = { warnings };
      return observation;
    } finally {
      deadline.dispose();
    }
  }

  return {
    key: 'prometheus',
    type: 'Prometheus',
    // Queries are evaluated at ctx.now (instant `time`, range expressions), so backtests replay it.
    historical: true,
    parseConfig: parsePrometheusConfig,
    measure,
    metadata: (config) => (config.query !== '' ? { ResolvedPrometheusQuery: config.query } : undefined),
    close: async () => {
      tokens.clear();
      signer.clear();
      transport.close();
    },
  };
}

/** The shared instance the engine registers. */
export const prometheusProvider: MetricProvider<PrometheusConfig> = createPrometheusProvider();
