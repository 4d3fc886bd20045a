/**
 * Through the live measurer: the New Relic key read from the profile Secret is masked wherever an
 * observation carries it, while the profile's configuration (region `us`, the account id, the
 * endpoint) is not, so a result such as `{"status":"busy"}` keeps its text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNewRelicProvider } from '../../../providers/newrelic/index.js';
import { ProviderMeasurer } from '../../../src/runtime/provider-measurer.js';
import { startFakeNerdGraph, type FakeNerdGraph } from '../../support/vendors/newrelic.js';
import { secretsFrom } from '../secrets.js';

const KEY = 'NRAK-REDACTME00000001';
const ACCOUNT = 3141592;
let nr: FakeNerdGraph;
let measurer: ProviderMeasurer;

beforeAll(async () => {
  nr = await startFakeNerdGraph({ apiKey: KEY, accountId: ACCOUNT });
  nr.answer('SELECT latest(status), latest(accountId) FROM Deployment', [{ 'latest.status': 'busy', 'latest.accountId': ACCOUNT }]);
  nr.reject('SELECT echo', `key ${KEY} may not run this query`);
  const secrets = secretsFrom({ 'argo-rollouts': { newrelic: { 'personal-api-key': KEY, 'account-id': String(ACCOUNT), region: 'us', 'base-url-nerdgraph': nr.graphqlUrl } } });
  measurer = new ProviderMeasurer({ providers: [createNewRelicProvider() as never], env: { controllerNamespace: 'argo-rollouts' }, secrets });
});
afterAll(() => nr.close());

const measure = (query: string) =>
  measurer.measure({ metric: { name: 'm', provider: { newRelic: { query } } }, mode: 'measure', index: 1, run: { namespace: 'd', name: 'r', uid: 'u' }, now: Date.now() });

describe('newRelic redaction', () => {
  it('keeps the profile configuration in results', async () => {
    const { observation } = await measure('SELECT latest(status), latest(accountId) FROM Deployment');
    expect(observation).toMatchObject({ kind: 'value', display: `{"latest.accountId":${ACCOUNT},"latest.status":"busy"}` });
  });

  it('masks the API key in a message that quotes it', async () => {
    const { observation } = await measure('SELECT echo');
    expect(observation).toMatchObject({ kind: 'error', message: 'key ***** may not run this query' });
  });
});
