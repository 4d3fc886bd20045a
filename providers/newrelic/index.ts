/**
 * The New Relic metric provider (Argo's `metricproviders/newrelic`): one NRQL query through
 * NerdGraph per measurement (client.ts), with the account from the `profile` Secret (default
 * `newrelic`, controller namespace): `personal-api-key`, `account-id`, optional `region` (us|eu,
 * default us), `base-url-nerdgraph` (and `base-url-rest`, which NRQL does not use).
 *
 * Result: one NRDB result gives that map, several give the list, none (or an empty map) is an
 * Error `no results returned from NRQL query`; `value` is Go's JSON of it (keys sorted).
 *
 * Not historical: Argo sends the NRQL as written, and its `SINCE`/`UNTIL` are relative to the
 * moment NerdGraph runs it, so the provider cannot be asked about an instant in the past.
 */
import { z } from 'zod';
import type { MeasureContext, MetricProvider, Observation } from '../../src/metric/provider.js';
import { goJsonMarshal } from '../../src/go/format.js';
import { describeIssues, dropNulls } from '../shared/config.js';
import { withDeadline } from '../shared/deadline.js';
import { queryNrql, REGION_ENDPOINTS, type NerdGraphTarget } from './client.js';

interface NewRelicConfig {
  profile: string;
  query: string;
  timeoutSeconds: number;
}

export const DEFAULT_PROFILE = 'newrelic';
const DEFAULT_TIMEOUT_SECONDS = 5;

const schema = z.object({
  profile: z.string().default(''),
  query: z.string().default(''),
  timeout: z.number().int().optional(),
});

function parseConfig(raw: unknown): { ok: true; config: NewRelicConfig } | { ok: false; message: string } {
  const parsed = schema.safeParse(dropNulls(raw ?? {}));
  if (!parsed.success) return { ok: false, message: describeIssues('newRelic', parsed.error) };
  const c = parsed.data;
  const timeoutSeconds = c.timeout ?? DEFAULT_TIMEOUT_SECONDS;
  if (timeoutSeconds < 0) return { ok: false, message: 'timeout cannot be negative' };
  return { ok: true, config: { profile: c.profile !== '' ? c.profile : DEFAULT_PROFILE, query: c.query, timeoutSeconds: timeoutSeconds || DEFAULT_TIMEOUT_SECONDS } };
}

/** Go's strconv.Atoi: optional sign, decimal digits, int64 range. */
function atoi(s: string): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

async function resolveTarget(config: NewRelicConfig, ctx: MeasureContext): Promise<{ ok: true; target: NerdGraphTarget } | { ok: false; message: string }> {
  const namespace = ctx.env.controllerNamespace ?? 'argo-rollouts';
  const read = async (key: string, sensitive = true) => ctx.secrets.get(namespace, config.profile, key, { sensitive });
  const apiKey = await read('personal-api-key');
  if (!apiKey.ok && !apiKey.error.startsWith("key '")) return { ok: false, message: apiKey.error };
  // Configuration, not credentials: not masked out of results and messages.
  const accountId = await read('account-id', false);
  const region = await read('region', false);
  const nerdgraph = await read('base-url-nerdgraph', false);
  const key = apiKey.ok ? apiKey.value : '';
  const account = accountId.ok ? accountId.value : '';
  if (key === '' || account === '') return { ok: false, message: 'account ID or personal API key not found' };
  const id = atoi(account);
  if (id === undefined) return { ok: false, message: `could not parse account ID: strconv.Atoi: parsing "${account}": invalid syntax` };
  // newrelic-client-go falls back to the US region (with a warning) for an unknown region name.
  const regionName = region.ok ? region.value.toLowerCase() : 'us';
  const endpoint = nerdgraph.ok && nerdgraph.value !== '' ? nerdgraph.value : (REGION_ENDPOINTS[regionName] ?? REGION_ENDPOINTS['us']!);
  return { ok: true, target: { endpoint, apiKey: key, accountId: id } };
}

async function measure(config: NewRelicConfig, ctx: MeasureContext): Promise<Observation> {
  if (ctx.signal.aborted) return { kind: 'error', code: 'Aborted', message: 'context canceled' };
  const resolved = await resolveTarget(config, ctx);
  if (!resolved.ok) return { kind: 'error', code: 'Config', message: resolved.message };
  const deadline = withDeadline(ctx.signal, config.timeoutSeconds * 1000);
  try {
    const answer = await queryNrql(resolved.target, config.query, config.timeoutSeconds, deadline);
    if (!answer.ok) return answer.observation;
    const results = answer.results;
    if (results.length === 0) return { kind: 'error', code: 'NoData', message: 'no results returned from NRQL query' };
    if (results.length === 1) {
      const only = results[0];
      if (only === null || typeof only !== 'object' || Object.keys(only).length === 0) {
        return { kind: 'error', code: 'NoData', message: 'no results returned from NRQL query' };
      }
      return { kind: 'value', value: only, display: goJsonMarshal(only) };
    }
    return { kind: 'value', value: results, display: goJsonMarshal(results) };
  } finally {
    deadline.dispose();
  }
}

export function createNewRelicProvider(): MetricProvider<NewRelicConfig> {
  return {
    key: 'newRelic',
    type: 'NewRelic',
    parseConfig,
    measure,
    metadata: (config) => (config.query !== '' ? { ResolvedNewRelicQuery: config.query } : undefined),
  };
}

