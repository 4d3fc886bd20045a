/**
 * The Datadog request as Argo builds it: v1 `GET {address}/api/v1/query?from&query&to` (seconds),
 * v2 `POST {address}/api/v2/query/scalar` with a `scalar_request` (milliseconds), both over the
 * window `[now - interval, now]`, authenticated by the `DD-API-KEY` / `DD-APPLICATION-KEY`
 * headers. `now` is the evaluation instant, so a backtest asks about the past.
 */
import { goQueryEscape } from '../shared/go-url.js';
import type { DatadogConfig } from './config.js';
import type { DatadogCredentials } from './credentials.js';

export const DEFAULT_ADDRESS = 'https://api.datadoghq.com';

interface DatadogRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** Go's `url.Parse` refusal of the endpoint, or undefined when it parses. */
export function endpointError(endpoint: string): string | undefined {
  if (endpoint.startsWith(':')) return `parse "${endpoint}": missing protocol scheme`;
  if (/^[^/?#]*:/.test(endpoint) && !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(endpoint)) {
    return `parse "${endpoint}": first path segment in URL cannot contain colon`;
  }
  return undefined;
}

/** A Go map marshals with sorted keys; the queries are sent in name order. */
function queriesPayload(config: DatadogConfig): Record<string, string>[] {
  return Object.keys(config.queries)
    .sort()
    .map((name) => ({ aggregator: config.aggregator, data_source: 'metrics', name, query: config.queries[name]! }));
}

export function buildRequest(config: DatadogConfig, creds: DatadogCredentials, nowMs: number): DatadogRequest {
  const endpoint = creds.address !== '' ? creds.address : DEFAULT_ADDRESS;
  const now = Math.floor(nowMs / 1000);
  const from = now - config.intervalSeconds;
  const headers = {
    'Content-Type': 'application/json',
    'DD-API-KEY': creds.apiKey,
    'DD-APPLICATION-KEY': creds.appKey,
  };
  if (config.apiVersion === 'v1') {
    const query = `from=${from}&query=${goQueryEscape(config.query)}&to=${now}`;
    return { method: 'GET', url: `${endpoint}/api/v1/query?${query}`, headers };
  }
  const body = {
    data: {
      attributes: {
        from: from * 1000,
        to: now * 1000,
        queries: queriesPayload(config),
        formulas: config.formula !== '' ? [{ formula: config.formula }] : [],
      },
      type: 'scalar_request',
    },
  };
  return { method: 'POST', url: `${endpoint}/api/v2/query/scalar`, headers, body: JSON.stringify(body) };
}
