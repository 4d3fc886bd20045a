/**
 * Both providers against the shared provider contract (test/contract/provider.contract.ts). The
 * contract's local server plays the backend with canned answers; the real-server suites live in
 * prometheus/ and web/. Secrets ride in every credential field each provider has: basic-auth
 * password and a custom header for Prometheus; a custom Authorization header and the URL's user
 * info (printed as `***`, as Go's http.Client does) for Web.
 */
import { createPrometheusProvider } from '../../providers/prometheus/index.js';
import { createWebProvider } from '../../providers/web/index.js';
import { describeProviderContract } from '../contract/provider.contract.js';
import { sendJson, sendText } from '../support/http-server.js';

describeProviderContract('prometheus', {
  create: () => createPrometheusProvider(),
  config: ({ baseUrl, timeoutSeconds, secret }) => ({
    address: baseUrl,
    query: 'sum(rate(http_requests_total{code!~"5.."}[5m]))',
    timeout: timeoutSeconds,
    headers: [{ key: 'X-Api-Key', value: secret }],
    authentication: { basicAuth: { username: 'argo', password: secret } },
  }),
  invalidConfigs: (secret) => [
    { query: 'up', authentication: { basicAuth: { password: secret } } }, // no address at all
    { address: 'not a url', query: 'up', headers: [{ key: 'X-Api-Key', value: secret }] },
    { address: 'http://prom:9090', authentication: { basicAuth: { password: secret } } },
    { address: 'http://prom:9090', timeout: -1 },
    { address: 'http://prom:9090', timeout: '30s' },
    { address: 'http://prom:9090', authentication: { oauth2: { tokenUrl: 'http://idp/token', clientSecret: secret } } },
    42,
  ],
  healthy: (_req, res) =>
    sendJson(res, 200, { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1700000000, '0.99'] }] } }),
  malformed: (_req, res) => sendText(res, 200, 'not json at all'),
  malformedKind: 'error',
});

describeProviderContract('web', {
  create: () => createWebProvider(),
  config: ({ baseUrl, timeoutSeconds, secret }) => ({
    url: baseUrl.replace('://', `://metrics:${secret}@`) + '/api/health',
    timeoutSeconds,
    headers: [{ key: 'Authorization', value: `Bearer ${secret}` }],
    jsonPath: '{.ok}',
  }),
  invalidConfigs: (secret) => [
    { headers: [{ key: 'Authorization', value: secret }] }, // url is required
    { url: 'http://x', timeoutSeconds: 'ten', headers: [{ key: 'X-Key', value: secret }] },
    { url: 'http://x', method: 'DELETE' },
    { url: 'http://x', body: secret }, // a body with GET
    { url: 'http://x', method: 'POST', body: secret, jsonBody: { a: 1 } },
    { url: 'http://x', jsonPath: '{.a' },
    { url: 'http://x', authentication: { oauth2: { tokenUrl: 'http://t', clientSecret: secret } } },
    'not an object',
  ],
  healthy: (_req, res) => sendJson(res, 200, { ok: true }),
  malformed: (_req, res) => sendText(res, 200, '<html>maintenance</html>'),
  malformedKind: 'value',
});
