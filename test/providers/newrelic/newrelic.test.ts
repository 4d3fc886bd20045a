/**
 * The New Relic provider against the loopback NerdGraph (test/support/vendors/newrelic.ts):
 * the profile Secret, the GraphQL request, result shapes and Argo's messages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNewRelicProvider } from '../../../providers/newrelic/index.js';
import { startFakeNerdGraph, type FakeNerdGraph } from '../../support/vendors/newrelic.js';
import { measureWith, refusal } from '../measure.js';
import { secretsFrom } from '../secrets.js';

const KEY = 'NRAK-TESTKEY0123456789';
const ACCOUNT = 1234567;
const provider = createNewRelicProvider();
let nr: FakeNerdGraph;

beforeAll(async () => {
  nr = await startFakeNerdGraph({ apiKey: KEY, accountId: ACCOUNT });
  nr.answer('SELECT percentage(count(*), WHERE error IS false) AS successRate FROM Transaction', [{ successRate: 99.5 }]);
  nr.answer('SELECT count(*) FROM Transaction FACET appName', [{ appName: 'a', count: 3 }, { appName: 'b', count: 4 }]);
  nr.answer('SELECT count(*) FROM Nothing', [{}]);
  nr.reject('SELEKT nonsense', "NRQL Syntax Error: Error at line 1 position 1, unexpected 'SELEKT'");
});
afterAll(() => nr.close());

const env = { controllerNamespace: 'argo-rollouts' };
function profile(extra: Record<string, string> = {}, name = 'newrelic') {
  return secretsFrom({ 'argo-rollouts': { [name]: { 'personal-api-key': KEY, 'account-id': String(ACCOUNT), 'base-url-nerdgraph': nr.graphqlUrl, ...extra } } });
}
const measure = (raw: unknown, secrets = profile()) => measureWith(provider, raw, { secrets }, env);

describe('newRelic', () => {
  it('runs the NRQL through NerdGraph with the profile key and account, returning the single result map', async () => {
    const query = 'SELECT percentage(count(*), WHERE error IS false) AS successRate FROM Transaction';
    const obs = await measure({ query });
    expect(obs).toEqual({ kind: 'value', value: { successRate: 99.5 }, display: '{"successRate":99.5}' });
    const req = nr.requests.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.headers['api-key']).toBe(KEY);
    expect(JSON.parse(req.body).variables).toEqual({ accountId: ACCOUNT, query, timeout: 5 });
    expect(provider.metadata?.({ query, profile: 'newrelic', timeoutSeconds: 5 })).toEqual({ ResolvedNewRelicQuery: query });
  });

  it('returns the list when there are several results (facets)', async () => {
    const obs = await measure({ query: 'SELECT count(*) FROM Transaction FACET appName', profile: 'team-nr' }, profile({}, 'team-nr'));
    expect(obs).toMatchObject({ kind: 'value', display: '[{"appName":"a","count":3},{"appName":"b","count":4}]' });
  });

  it('makes no results, or one empty result, an Error', async () => {
    for (const query of ['SELECT count(*) FROM Unknown', 'SELECT count(*) FROM Nothing']) {
      expect(await measure({ query })).toMatchObject({ kind: 'error', message: 'no results returned from NRQL query' });
    }
  });

  it('reports NerdGraph errors: a rejected NRQL, a refused key', async () => {
    expect(await measure({ query: 'SELEKT nonsense' })).toMatchObject({ kind: 'error', code: 'BadQuery', message: expect.stringContaining('NRQL Syntax Error') });
    const wrong = secretsFrom({ 'argo-rollouts': { newrelic: { 'personal-api-key': 'NRAK-WRONG', 'account-id': String(ACCOUNT), 'base-url-nerdgraph': nr.graphqlUrl } } });
    const obs = await measure({ query: 'SELECT 1' }, wrong);
    expect(obs).toMatchObject({ kind: 'error', code: 'Unauthorized' });
  });

  it('reports a missing profile the way Kubernetes words it, and incomplete profiles as Argo does', async () => {
    expect(await measure({ query: 'SELECT 1', profile: 'absent' })).toMatchObject({ kind: 'error', message: 'secrets "absent" not found' });
    const noAccount = secretsFrom({ 'argo-rollouts': { newrelic: { 'personal-api-key': KEY } } });
    expect(await measure({ query: 'SELECT 1' }, noAccount)).toMatchObject({ kind: 'error', message: 'account ID or personal API key not found' });
    const badAccount = profile({ 'account-id': 'abc' });
    expect(await measure({ query: 'SELECT 1' }, badAccount)).toMatchObject({ kind: 'error', message: 'could not parse account ID: strconv.Atoi: parsing "abc": invalid syntax' });
  });

  it('refuses a negative timeout', () => {
    expect(refusal(provider, { query: 'SELECT 1', timeout: -1 })).toBe('timeout cannot be negative');
  });

  it('is not asked about the past (NRQL time windows are relative to when NerdGraph runs them)', () => {
    expect(provider.historical).not.toBe(true);
  });
});
