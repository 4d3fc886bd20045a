/**
 * NRQL through NerdGraph, as newrelic-client-go's `Nrdb` sends it for Argo: one GraphQL POST to
 * the region's endpoint (`https://api.newrelic.com/graphql`, EU `https://api.eu.newrelic.com/graphql`,
 * or the profile's `base-url-nerdgraph`) with the personal key in `API-Key`, the account id and
 * NRQL as variables, and NerdGraph's own `timeout` argument (seconds).
 *
 * A small typed client instead of an SDK: the official JavaScript packages are agents and browser
 * SDKs, not NerdGraph clients, and one POST does not need one.
 */
import { STATUS_CODES } from 'node:http';
import type { Observation } from '../../src/metric/provider.js';
import type { Deadline } from '../shared/deadline.js';
import { exchange, statusCode } from '../shared/exchange.js';

export const REGION_ENDPOINTS: Record<string, string> = {
  us: 'https://api.newrelic.com/graphql',
  eu: 'https://api.eu.newrelic.com/graphql',
  staging: 'https://staging-api.newrelic.com/graphql',
};

const USER_AGENT = 'argo-rollouts/assay (https://github.com/argoproj/argo-rollouts)';

const NRQL_QUERY = `query($accountId: Int!, $query: Nrql!, $timeout: Seconds) {
  actor {
    account(id: $accountId) {
      nrql(query: $query, timeout: $timeout) {
        results
        metadata { eventTypes facets messages timeWindow { begin compareWith end since until } }
      }
    }
  }
}`;

export interface NerdGraphTarget {
  endpoint: string;
  apiKey: string;
  accountId: number;
}

/** The NRQL results (`[]NRDBResult`), or the failure as an Observation. */
export async function queryNrql(
  target: NerdGraphTarget,
  nrql: string,
  timeoutSeconds: number,
  deadline: Deadline,
): Promise<{ ok: true; results: unknown[] } | { ok: false; observation: Observation }> {
  const body = JSON.stringify({ query: NRQL_QUERY, variables: { accountId: target.accountId, query: nrql, timeout: timeoutSeconds } });
  const sent = await exchange(
    {
      method: 'POST',
      url: target.endpoint,
      headers: { 'Content-Type': 'application/json', 'API-Key': target.apiKey, 'User-Agent': USER_AGENT, 'NewRelic-Requesting-Services': 'argo-rollouts' },
      body,
    },
    deadline,
  );
  if (!sent.ok) return sent;
  const { status } = sent.response;
  const text = sent.response.body.toString('utf8');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = undefined;
  }
  const root = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
  const errors = Array.isArray(root['errors']) ? (root['errors'] as { message?: unknown; extensions?: { errorClass?: unknown } }[]) : [];
  const messages = errors.map((e) => (typeof e.message === 'string' ? e.message : '')).filter((m) => m !== '');
  if (status < 200 || status >= 300) {
    const detail = messages.length > 0 ? messages.join(', ') : text.trim();
    return { ok: false, observation: { kind: 'error', code: statusCode(status), message: `${status} response returned: ${detail || (STATUS_CODES[status] ?? '')}` } };
  }
  if (doc === undefined) return { ok: false, observation: { kind: 'error', code: 'BadResponse', message: `could not decode NerdGraph response: ${text.slice(0, 200)}` } };
  if (messages.length > 0) {
    const unauthorized = errors.some((e) => ['UNAUTHORIZED', 'FORBIDDEN'].includes(String(e.extensions?.errorClass ?? '')));
    return { ok: false, observation: { kind: 'error', code: unauthorized ? 'Unauthorized' : 'BadQuery', message: messages.join(', ') } };
  }
  const nrqlResult = (root['data'] as { actor?: { account?: { nrql?: { results?: unknown } | null } | null } } | undefined)?.actor?.account?.nrql;
  const results = nrqlResult?.results;
  if (results !== undefined && results !== null && !Array.isArray(results)) {
    return { ok: false, observation: { kind: 'error', code: 'BadResponse', message: 'NerdGraph returned results that are not a list' } };
  }
  return { ok: true, results: (results ?? []) as unknown[] };
}
