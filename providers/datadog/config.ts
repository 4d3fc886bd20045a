/**
 * The `datadog` provider block (Argo's `DatadogMetric`) with the defaults Argo's CRD fills in
 * (`interval: 5m`, `apiVersion: v1`, `requestTimeout: 10s`) and the checks of Argo's
 * `validateIncomingProps`, word for word: a failed check is the measurement's Error message.
 *
 * Argo validates after it found credentials; assay validates first (parseConfig is synchronous
 * and credentials are read per measurement). Only a block that is invalid AND lacks credentials
 * reports differently: the validation message instead of the missing-credentials one.
 */
import { z } from 'zod';
import { parseGoDuration } from '../../src/go/duration.js';
import { describeIssues, dropNulls } from '../shared/config.js';

const schema = z.object({
  interval: z.string().optional(),
  query: z.string().default(''),
  queries: z.record(z.string(), z.string()).default({}),
  formula: z.string().default(''),
  apiVersion: z.string().optional(),
  aggregator: z.string().default(''),
  secretRef: z.object({ name: z.string().default(''), namespaced: z.boolean().default(false) }).prefault({}),
  requestTimeout: z.string().optional(),
});

export interface DatadogConfig {
  /** `v1` (`GET /api/v1/query`) or `v2` (`POST /api/v2/query/scalar`); Argo treats anything but `v1` as v2. */
  apiVersion: 'v1' | 'v2';
  /** v1: the query string. */
  query: string;
  /** v2: named queries (a single `query` becomes `{query: <query>}`, as in Argo). */
  queries: Record<string, string>;
  formula: string;
  /** v2 aggregator; Argo sends `last` when none is set. */
  aggregator: string;
  /** The query window in whole seconds (`interval`, default 5m). */
  intervalSeconds: number;
  requestTimeoutMs: number;
  secretRef: { name: string; namespaced: boolean };
}

const DEFAULT_INTERVAL = '5m';
const DEFAULT_REQUEST_TIMEOUT = '10s';

export function parseDatadogConfig(raw: unknown): { ok: true; config: DatadogConfig } | { ok: false; message: string } {
  const parsed = schema.safeParse(dropNulls(raw ?? {}));
  if (!parsed.success) return { ok: false, message: describeIssues('datadog', parsed.error) };
  const dd = parsed.data;
  // The CRD fills in `v1` when the field is absent; an explicit other value (even "") is v2.
  const apiVersion = dd.apiVersion === undefined || dd.apiVersion === 'v1' ? 'v1' : 'v2';
  const queryCount = Object.keys(dd.queries).length;

  if (dd.query === '' && queryCount === 0) return fail('Must have either a query or queries. Please review the Analysis Template.');
  if (dd.query !== '' && queryCount > 0) return fail('Cannot have both a query and queries. Please review the Analysis Template.');
  if (apiVersion === 'v1' && dd.query === '') {
    return fail('Query is empty. API Version v1 only supports using the query parameter in your Analysis Template.');
  }
  if (dd.formula !== '' && queryCount === 0) return fail('Formula are only valid when queries are set. Please review the Analysis Template.');
  if (dd.formula === '' && queryCount > 1) return fail('When multiple queries are provided you must include a formula.');
  if (apiVersion === 'v1' && dd.aggregator !== '') return fail('Aggregator is not supported in v1. Please review the Analysis Template.');

  const timeoutText = dd.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT;
  const timeout = parseGoDuration(timeoutText);
  if (timeoutText !== '') {
    if (!timeout.ok) return fail(`Could not parse the request timeout: ${timeout.error}. Please review the Analysis Template.`);
    if (timeout.ms <= 0) return fail('Request timeout must be a positive duration (e.g. 30s). Please review the Analysis Template.');
  }
  const interval = parseGoDuration(dd.interval ?? DEFAULT_INTERVAL);
  if (!interval.ok) return fail(interval.error);
  if (dd.secretRef.namespaced && dd.secretRef.name === '') return fail('secret name is required for namespaced credentials');

  return {
    ok: true,
    config: {
      apiVersion,
      query: dd.query,
      queries: dd.query !== '' ? { query: dd.query } : dd.queries,
      formula: dd.formula,
      aggregator: dd.aggregator === '' ? 'last' : dd.aggregator,
      // Go: int64(duration.Seconds()) truncates toward zero.
      intervalSeconds: Math.trunc(interval.ms / 1000),
      requestTimeoutMs: timeoutText === '' || !timeout.ok ? 10_000 : timeout.ms,
      secretRef: dd.secretRef,
    },
  };
}

function fail(message: string): { ok: false; message: string } {
  return { ok: false, message };
}
