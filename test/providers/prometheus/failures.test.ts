/**
 * Failures as values: a Prometheus that is down, one that never answers, one behind a broken
 * proxy, and a real Prometheus refusing a bad query. Messages are what Argo would record
 * (client_golang's `*url.Error` and API error wording).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusProvider } from '../../../providers/prometheus/index.js';
import { hang, sendJson, sendText, startHttpServer, type TestHttpServer } from '../../support/http-server.js';
import { startPrometheus, type PrometheusInstance } from '../../support/prometheus.js';
import { measureWith } from '../measure.js';

const provider = createPrometheusProvider();
let prom: PrometheusInstance;
let fake: TestHttpServer;

beforeAll(async () => {
  [prom, fake] = await Promise.all([startPrometheus(), startHttpServer()]);
});
afterAll(async () => {
  await provider.close?.();
  await Promise.all([prom?.stop(), fake?.close()]);
});

const measure = (address: string, extra: Record<string, unknown> = {}) => measureWith(provider, { address, query: 'up', ...extra });

describe('when Prometheus is down', () => {
  it('reports Unreachable with Go\'s dial error', async () => {
    const down = await startPrometheus();
    await down.stop();
    const port = new URL(down.url).port;
    expect(await measure(down.url)).toEqual({
      kind: 'error',
      code: 'Unreachable',
      message: `Post "${down.url}/api/v1/query": dial tcp 127.0.0.1:${port}: connect: connection refused`,
    });
  });

  it('reports an unknown host', async () => {
    const obs = await measure('http://prometheus.invalid:9090');
    expect(obs).toMatchObject({ kind: 'error', code: 'Unreachable' });
    if (obs.kind === 'error') expect(obs.message).toMatch(/^Post "http:\/\/prometheus\.invalid:9090\/api\/v1\/query": dial tcp: lookup prometheus\.invalid/);
  });
});

describe('when Prometheus does not answer in time', () => {
  it('gives up after `timeout` seconds with context deadline exceeded', async () => {
    fake.handle(hang);
    const started = Date.now();
    const obs = await measure(fake.url, { timeout: 1 });
    const elapsed = Date.now() - started;
    expect(obs).toEqual({ kind: 'error', code: 'Timeout', message: `Post "${fake.url}/api/v1/query": context deadline exceeded` });
    expect(elapsed).toBeGreaterThanOrEqual(950);
    // No upper bound on the clock: the server never answers, so only the 1 s deadline can end
    // the call before this test's timeout (well under the provider's 30 s default).
  }, 15_000);

  it('fails at once with timeout: 0, as a Go context with a zero timeout does', async () => {
    fake.handle(hang);
    expect(await measure(fake.url, { timeout: 0 })).toMatchObject({ kind: 'error', code: 'Timeout' });
    // The server never answers: only the zero deadline can have ended it within the test timeout.
  }, 10_000);
});

describe('when something between us and Prometheus misbehaves', () => {
  it('words a 500 as client_golang does, without reading the body', async () => {
    fake.handle((_req, res) => sendText(res, 500, 'upstream exploded'));
    expect(await measure(fake.url)).toEqual({ kind: 'error', code: 'BadResponse', message: 'server_error: server error: 500' });
  });

  it('recognises Prometheus\' own query timeout behind a 503', async () => {
    fake.handle((_req, res) => sendJson(res, 503, { status: 'error', errorType: 'timeout', error: 'query timed out in expression evaluation' }));
    expect(await measure(fake.url)).toEqual({ kind: 'error', code: 'Timeout', message: 'server_error: server error: 503' });
  });

  it.each([
    ['<html><body>502 Bad Gateway</body></html>', "bad_response: invalid character '<' looking for beginning of value"],
    ['not json', "bad_response: invalid character 'o' in literal null (expecting 'u')"],
    ['{"status":"success","data":', 'bad_response: unexpected end of JSON input'],
    ['', 'bad_response: unexpected end of JSON input'],
  ])('reports a malformed 200 body %j', async (body, message) => {
    fake.handle((_req, res) => sendText(res, 200, body));
    expect(await measure(fake.url)).toEqual({ kind: 'error', code: 'BadResponse', message });
  });

  it('copies warnings into metadata as Argo formats them', async () => {
    fake.handle((_req, res) =>
      sendJson(res, 200, {
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: { job: 'a' }, value: [1, '1'] }] },
        warnings: ['PromQL info: metric might not be a counter', 'partial response'],
      }),
    );
    expect(await measure(fake.url)).toEqual({
      kind: 'value',
      value: [1],
      display: '[1]',
      metadata: { warnings: '"PromQL info: metric might not be a counter", "partial response"' },
    });
  });
});

describe('when Prometheus rejects the query', () => {
  it('reports a PromQL syntax error as BadQuery with Prometheus\' message', async () => {
    const obs = await measure(prom.url, { query: 'sum(rate(http_requests_total[5m])' });
    expect(obs).toMatchObject({ kind: 'error', code: 'BadQuery' });
    if (obs.kind === 'error') {
      expect(obs.message).toMatch(/^bad_data: invalid parameter "query": 1:\d+: parse error: unclosed left parenthesis$/);
    }
  });

  it('reports an invalid range step as BadQuery', async () => {
    const obs = await measure(prom.url, { rangeQuery: { start: 'now() - duration("1h")', end: 'now()', step: '0s' } });
    expect(obs).toMatchObject({ kind: 'error', code: 'BadQuery' });
    if (obs.kind === 'error') expect(obs.message).toMatch(/^bad_data: .*zero or negative query resolution step widths are not accepted/);
  });

  it('reports an execution error (422) as BadQuery', async () => {
    fake.handle((_req, res) =>
      sendJson(res, 422, { status: 'error', errorType: 'execution', error: 'found duplicate series for the match group' }),
    );
    expect(await measure(fake.url)).toEqual({
      kind: 'error',
      code: 'BadQuery',
      message: 'execution: found duplicate series for the match group',
    });
  });
});
