/**
 * The Datadog provider against the loopback Datadog API (test/support/vendors/datadog.ts):
 * v1 and v2 (single query, queries + formula, grouped), Argo's credential order, the query
 * window at `ctx.now` (a past instant in backtests), status and validation messages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatadogProvider } from '../../../providers/datadog/index.js';
import { startFakeDatadog, type FakeDatadog } from '../../support/vendors/datadog.js';
import { measureWith, refusal } from '../measure.js';
import { secretsFrom } from '../secrets.js';

const API_KEY = 'dd-api-0123456789abcdef';
const APP_KEY = 'dd-app-fedcba9876543210';
const NOW = Date.UTC(2026, 0, 10, 12, 0, 0);
const provider = createDatadogProvider();

let dd: FakeDatadog;
beforeAll(async () => {
  dd = await startFakeDatadog({ apiKey: API_KEY, appKey: APP_KEY });
  const minute = 60_000;
  dd.store('avg:errors{service:checkout}', [{ points: [[NOW - 20 * minute, 0.9], [NOW - 2 * minute, 0.01], [NOW - minute, 0.02]] }]);
  dd.store('sum:errors{*}', [{ points: [[NOW - minute, 5]] }]);
  dd.store('sum:requests{*}', [{ points: [[NOW - minute, 100]] }]);
  dd.store('avg:latency{*} by {service}', [
    { tags: { service: 'cart' }, points: [[NOW - minute, 0.2]] },
    { tags: { service: 'pay' }, points: [[NOW - minute, 0.7]] },
  ]);
});
afterAll(() => dd.close());

const env = () => ({ controllerNamespace: 'argo-rollouts', vars: { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY, DD_ADDRESS: dd.url } });
const measure = (raw: unknown, overrides = {}, e = env()) => measureWith(provider, raw, { now: NOW, ...overrides }, e);

describe('datadog v1', () => {
  it('returns the last point of the first series over [now - interval, now], with the DD_* keys as headers', async () => {
    const obs = await measure({ query: 'avg:errors{service:checkout}', interval: '5m' });
    expect(obs).toMatchObject({ kind: 'value', value: 0.02, display: '0.02', metadata: { requestOutcome: 'success', httpStatusCode: '200' } });
    const req = dd.requests.at(-1)!;
    expect(req.method).toBe('GET');
    expect(req.path).toBe('/api/v1/query');
    expect(req.query.get('from')).toBe(String(NOW / 1000 - 300));
    expect(req.query.get('to')).toBe(String(NOW / 1000));
    expect(req.headers['dd-api-key']).toBe(API_KEY);
    expect(req.headers['dd-application-key']).toBe(APP_KEY);
  });

  it('asks about the past when ctx.now is a historical instant (backtest)', async () => {
    const obs = await measure({ query: 'avg:errors{service:checkout}', interval: '5m' }, { now: NOW - 18 * 60_000 });
    expect(obs).toMatchObject({ kind: 'value', value: 0.9 });
    expect(provider.historical).toBe(true);
  });

  it('gives a nil result and the JSON of the series when there is no data', async () => {
    const obs = await measure({ query: 'avg:nothing{*}' });
    expect(obs).toMatchObject({ kind: 'value', value: null, display: '[]' });
  });

  it('reports refused keys as Unauthorized in Argo words, without the keys', async () => {
    const obs = await measure({ query: 'avg:errors{service:checkout}' }, {}, { ...env(), vars: { DD_API_KEY: 'wrong', DD_APP_KEY: APP_KEY, DD_ADDRESS: dd.url } });
    expect(obs).toMatchObject({ kind: 'error', code: 'Unauthorized', message: 'received authentication error response code: 403 {"errors":["Forbidden"]}' });
    expect(JSON.stringify(obs)).not.toContain(APP_KEY);
  });

  it('reports a 5xx as a non 2xx response', async () => {
    dd.fail(503, { errors: ['Service Unavailable'] });
    try {
      expect(await measure({ query: 'avg:errors{service:checkout}' })).toMatchObject({
        kind: 'error',
        code: 'BadResponse',
        message: 'received non 2xx response code: 503 {"errors":["Service Unavailable"]}',
        metadata: { requestOutcome: 'http_error', httpStatusCode: '503' },
      });
    } finally {
      dd.recover();
    }
  });
});

describe('datadog v2 (/api/v2/query/scalar)', () => {
  it('sends a scalar_request with the query named "query", aggregator last, from/to in ms', async () => {
    const obs = await measure({ apiVersion: 'v2', query: 'avg:errors{service:checkout}', interval: '10m' });
    expect(obs).toMatchObject({ kind: 'value', value: 0.02, display: '0.02' });
    const req = dd.requests.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/api/v2/query/scalar');
    expect(JSON.parse(req.body)).toEqual({
      data: {
        type: 'scalar_request',
        attributes: {
          from: NOW - 600_000,
          to: NOW,
          queries: [{ aggregator: 'last', data_source: 'metrics', name: 'query', query: 'avg:errors{service:checkout}' }],
          formulas: [],
        },
      },
    });
  });

  it('combines named queries with the formula', async () => {
    const obs = await measure({ apiVersion: 'v2', queries: { a: 'sum:errors{*}', b: 'sum:requests{*}' }, formula: 'a/b', aggregator: 'sum' });
    expect(obs).toMatchObject({ kind: 'value', value: 0.05, display: '0.05' });
    expect(JSON.parse(dd.requests.at(-1)!.body).data.attributes.formulas).toEqual([{ formula: 'a/b' }]);
  });

  it('returns a list and metadata.groups for a grouped query', async () => {
    const obs = await measure({ apiVersion: 'v2', query: 'avg:latency{*} by {service}' });
    expect(obs).toMatchObject({
      kind: 'value',
      value: [0.2, 0.7],
      display: '[0.2,0.7]',
      metadata: { groups: '[{"name":"cart","value":0.2},{"name":"pay","value":0.7}]' },
    });
  });

  it('gives a nil result and "[]" when the query has no data', async () => {
    expect(await measure({ apiVersion: 'v2', query: 'avg:nothing{*}' })).toMatchObject({ kind: 'value', value: null, display: '[]' });
  });
});

describe('datadog credentials (Argo order)', () => {
  const secretEnv = { controllerNamespace: 'rollouts-system', vars: {} };

  it('falls back to the `datadog` Secret in the controller namespace', async () => {
    const secrets = secretsFrom({ 'rollouts-system': { datadog: { 'api-key': API_KEY, 'app-key': APP_KEY, address: dd.url } } });
    const obs = await measure({ query: 'sum:errors{*}' }, { secrets }, secretEnv);
    expect(obs).toMatchObject({ kind: 'value', value: 5 });
    expect(secrets.reads[0]).toBe('rollouts-system/datadog/api-key');
  });

  it('reads only the secretRef Secret, from the run namespace when namespaced', async () => {
    const secrets = secretsFrom({ team: { 'dd-team': { 'api-key': API_KEY, 'app-key': APP_KEY, address: dd.url } } });
    const raw = { query: 'sum:errors{*}', secretRef: { name: 'dd-team', namespaced: true } };
    expect(await measure(raw, { secrets, run: { namespace: 'team', name: 'r', uid: 'u' } }, secretEnv)).toMatchObject({ kind: 'value', value: 5 });
    // Not namespaced: the controller namespace, where it does not exist.
    const elsewhere = await measure({ ...raw, secretRef: { name: 'dd-team' } }, { secrets, run: { namespace: 'team', name: 'r', uid: 'u' } }, secretEnv);
    expect(elsewhere).toMatchObject({ kind: 'error', message: 'failed to find the credentials for datadog metrics provider' });
  });

  it('uses the env vars only when all three are set', async () => {
    const partial = { controllerNamespace: 'argo-rollouts', vars: { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY } };
    expect(await measure({ query: 'sum:errors{*}' }, {}, partial)).toMatchObject({
      kind: 'error',
      code: 'Config',
      message: 'failed to find the credentials for datadog metrics provider',
    });
  });
});

describe('datadog validation (Argo messages)', () => {
  it.each([
    [{}, 'Must have either a query or queries. Please review the Analysis Template.'],
    [{ query: 'q', queries: { a: 'q' }, apiVersion: 'v2' }, 'Cannot have both a query and queries. Please review the Analysis Template.'],
    [{ queries: { a: 'q' } }, 'Query is empty. API Version v1 only supports using the query parameter in your Analysis Template.'],
    [{ query: 'q', formula: 'a', apiVersion: 'v2' }, 'Formula are only valid when queries are set. Please review the Analysis Template.'],
    [{ queries: { a: 'q', b: 'r' }, apiVersion: 'v2' }, 'When multiple queries are provided you must include a formula.'],
    [{ query: 'q', aggregator: 'sum' }, 'Aggregator is not supported in v1. Please review the Analysis Template.'],
    [{ query: 'q', requestTimeout: '0s' }, 'Request timeout must be a positive duration (e.g. 30s). Please review the Analysis Template.'],
    [{ query: 'q', secretRef: { namespaced: true } }, 'secret name is required for namespaced credentials'],
  ])('%j → %s', (raw, message) => {
    expect(refusal(provider, raw)).toBe(message);
  });
});

describe('datadog keys from env vars', () => {
  it('are masked should the backend echo them', async () => {
    dd.fail(400, { errors: [`bad key ${API_KEY} for app ${APP_KEY}`] });
    try {
      const obs = await measure({ query: 'avg:errors{service:checkout}' });
      expect(obs).toMatchObject({ kind: 'error', message: 'received non 2xx response code: 400 {"errors":["bad key ***** for app *****"]}' });
    } finally {
      dd.recover();
    }
  });
});
