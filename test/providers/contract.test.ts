/**
 * The providers against the shared provider contract (test/contract/provider.contract.ts). The
 * contract's local server plays the backend with canned answers; the real-server suites live in
 * prometheus/ and web/. Secrets ride in every credential field each provider has: basic-auth
 * password and a custom header for Prometheus; a custom Authorization header and the URL's user
 * info (printed as `***`, as Go's http.Client does) for Web.
 */
import { createCloudWatchProvider } from '../../providers/cloudwatch/index.js';
import { createDatadogProvider } from '../../providers/datadog/index.js';
import { createGraphiteProvider } from '../../providers/graphite/index.js';
import { createInfluxdbProvider } from '../../providers/influxdb/index.js';
import { createKayentaProvider } from '../../providers/kayenta/index.js';
import { createNewRelicProvider } from '../../providers/newrelic/index.js';
import { createPrometheusProvider } from '../../providers/prometheus/index.js';
import { createSkyWalkingProvider } from '../../providers/skywalking/index.js';
import { createWavefrontProvider } from '../../providers/wavefront/index.js';
import { createWebProvider } from '../../providers/web/index.js';
import { describeProviderContract } from '../contract/provider.contract.js';
import { sendJson, sendText } from '../support/http-server.js';
import { secretsFrom } from './secrets.js';

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

// Providers whose credentials live outside the block: the contract's `credentials` hands them
// the env vars and Secrets (by Argo's names) a user would set, with the contract secret inside.

describeProviderContract('datadog', {
  create: () => createDatadogProvider(),
  credentials: ({ baseUrl, secret }) => ({ env: { vars: { DD_API_KEY: secret, DD_APP_KEY: `app-${secret}`, DD_ADDRESS: baseUrl } } }),
  config: ({ timeoutSeconds }) => ({ apiVersion: 'v2', query: 'avg:errors{*}', requestTimeout: `${timeoutSeconds}s` }),
  invalidConfigs: (secret) => [
    { query: 'q', queries: { a: secret }, apiVersion: 'v2' },
    { query: secret, aggregator: 'sum' },
    { query: 'q', requestTimeout: '-5s' },
    { queries: 'not a map' },
    42,
  ],
  healthy: (_req, res) => sendJson(res, 200, { data: { type: 'scalar_response', attributes: { columns: [{ name: 'query', type: 'number', values: [0.5] }] } } }),
  malformed: (_req, res) => sendText(res, 200, '<html>maintenance</html>'),
  malformedKind: 'error',
});

describeProviderContract('newRelic', {
  create: () => createNewRelicProvider(),
  credentials: ({ baseUrl, secret }) => ({
    env: { controllerNamespace: 'argo-rollouts' },
    secrets: secretsFrom({ 'argo-rollouts': { newrelic: { 'personal-api-key': secret, 'account-id': '42', 'base-url-nerdgraph': `${baseUrl}/graphql` } } }),
  }),
  config: ({ timeoutSeconds }) => ({ query: 'SELECT count(*) FROM Transaction', timeout: timeoutSeconds }),
  invalidConfigs: (secret) => [{ query: secret, timeout: -1 }, { query: 'q', timeout: 'five' }, { profile: 42 }],
  healthy: (_req, res) => sendJson(res, 200, { data: { actor: { account: { nrql: { results: [{ count: 7 }] } } } } }),
  malformed: (_req, res) => sendText(res, 200, '<html>maintenance</html>'),
  malformedKind: 'error',
});

describeProviderContract('wavefront', {
  create: ({ timeoutSeconds }) => createWavefrontProvider({ requestTimeoutMs: timeoutSeconds * 1000 }),
  targetInInstance: true,
  credentials: ({ baseUrl, secret }) => ({
    env: { controllerNamespace: 'argo-rollouts' },
    secrets: secretsFrom({ 'argo-rollouts': { 'wavefront-api-tokens': { [baseUrl]: secret } } }),
  }),
  config: ({ baseUrl }) => ({ address: baseUrl, query: 'ts(errors)' }),
  invalidConfigs: () => [{ address: 42 }, { query: ['ts(x)'] }],
  healthy: (_req, res) => sendJson(res, 200, { timeseries: [{ label: 'errors', data: [[Math.floor(Date.now() / 1000), 1]] }] }),
  malformed: (_req, res) => sendText(res, 200, '<html>maintenance</html>'),
  malformedKind: 'error',
});

// Providers with a fixed client timeout (Argo's 10 s / 30 s, no field in the block) get the
// contract's timeout through their factory: one instance per target (targetInInstance).

describeProviderContract('graphite', {
  create: (t) => createGraphiteProvider({ timeoutMs: t.timeoutSeconds * 1000 }),
  targetInInstance: true,
  // Go sends URL user info as basic auth and prints the password as *** in errors.
  config: ({ baseUrl, secret }) => ({ address: baseUrl.replace('://', `://graphite:${secret}@`), query: 'target=app.errors&from=-5min' }),
  invalidConfigs: (secret) => [{ query: secret }, { address: 'http://[::1', query: secret }, { address: 42 }],
  healthy: (_req, res) => sendJson(res, 200, [{ target: 'app.errors', datapoints: [[0.5, 1700000000], [null, 1700000060]] }]),
  malformed: (_req, res) => sendText(res, 200, '<html>maintenance</html>'),
  malformedKind: 'error',
});

describeProviderContract('kayenta', {
  create: ({ timeoutSeconds }) => createKayentaProvider({ httpTimeoutMs: timeoutSeconds * 1000 }),
  targetInInstance: true,
  healthyKind: 'inProgress',
  config: ({ baseUrl }) => ({
    address: baseUrl,
    application: 'app',
    canaryConfigName: 'cfg',
    metricsAccountName: 'm',
    configurationAccountName: 'c',
    storageAccountName: 's',
    threshold: { pass: 90, marginal: 75 },
    scopes: [{ name: 'default', controlScope: { scope: 'a', region: 'r', step: 60, start: '2026-01-01T00:00:00Z', end: '2026-01-01T01:00:00Z' }, experimentScope: { scope: 'b', region: 'r', step: 60, start: '2026-01-01T00:00:00Z', end: '2026-01-01T01:00:00Z' } }],
  }),
  invalidConfigs: () => [{ address: 42 }, { threshold: { pass: 'ninety' } }, 'not an object'],
  healthy: (req, res) =>
    req.path === '/canaryConfig' ? sendJson(res, 200, [{ id: 'cfg-1', name: 'cfg', applications: ['app'] }]) : sendJson(res, 200, { canaryExecutionId: 'exec-1' }),
  malformed: (_req, res) => sendText(res, 200, '<html>maintenance</html>'),
  malformedKind: 'error',
});

describeProviderContract('cloudWatch', {
  create: (t) =>
    createCloudWatchProvider({
      clientConfig: { endpoint: t.baseUrl, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'AKIDCONTRACT', secretAccessKey: t.secret } },
      timeoutMs: t.timeoutSeconds * 1000,
    }),
  targetInInstance: true,
  config: () => ({ interval: '5m', metricDataQueries: [{ id: 'm1', metricStat: { metric: { namespace: 'AWS/EC2', metricName: 'CPUUtilization' }, period: 60, stat: 'Average' } }] }),
  invalidConfigs: (secret) => [{ metricDataQueries: secret }, { interval: 5, metricDataQueries: [] }, 'cloudwatch'],
  healthy: (_req, res) =>
    sendJson(res, 200, { MetricDataResults: [{ Id: 'm1', Label: 'CPUUtilization', Timestamps: [1700000000], Values: [12.5], StatusCode: 'Complete' }], Messages: [] }, { 'Content-Type': 'application/x-amz-json-1.0' }),
  malformed: (_req, res) => sendText(res, 200, 'not json at all', { 'Content-Type': 'application/x-amz-json-1.0' }),
  malformedKind: 'error',
});

describeProviderContract('influxdb', {
  create: (t) => createInfluxdbProvider({ timeoutMs: t.timeoutSeconds * 1000 }),
  targetInInstance: true,
  env: { controllerNamespace: 'argo-rollouts' },
  secrets: (t) => ({
    get: async (ns, name, key) => {
      const profile: Record<string, string> = { address: t.baseUrl, authToken: t.secret, org: 'assay' };
      return ns === 'argo-rollouts' && name === 'influxdb' && key in profile ? { ok: true, value: profile[key]! } : { ok: false, error: `secrets "${name}" not found` };
    },
  }),
  config: () => ({ query: 'from(bucket: "app") |> range(start: -5m) |> mean()' }),
  invalidConfigs: (secret) => [{ profile: 42, query: secret }, { query: ['from'] }, 7],
  healthy: (_req, res) =>
    sendText(
      res,
      200,
      '#datatype,string,long,double\r\n#group,false,false,false\r\n#default,_result,,\r\n,result,table,_value\r\n,,0,0.5\r\n\r\n',
      { 'Content-Type': 'text/csv; charset=utf-8' },
    ),
  malformed: (_req, res) => sendText(res, 200, 'not json at all', { 'Content-Type': 'text/csv; charset=utf-8' }),
  malformedKind: 'error',
});

describeProviderContract('skywalking', {
  create: (t) => createSkyWalkingProvider({ timeoutMs: t.timeoutSeconds * 1000 }),
  targetInInstance: true,
  config: ({ baseUrl }) => ({ address: baseUrl, interval: '5m', query: 'query q($duration: Duration!) { v: readMetricsValue(condition: {name: "service_sla", entity: {scope: Service, serviceName: "s", normal: true}}, duration: $duration) }' }),
  invalidConfigs: (secret) => [{ address: 'http://oap:12800', query: secret }, { address: 'http://oap:12800', interval: 'soon' }, { address: 1, interval: '5m' }],
  healthy: (_req, res) => sendJson(res, 200, { data: { v: 9990 } }),
  malformed: (_req, res) => sendText(res, 200, '<html>maintenance</html>'),
  malformedKind: 'error',
});
