/**
 * The Prometheus provider block: Argo's construction errors, word for word and in Argo's order,
 * the ARGO_ROLLOUTS_PROMETHEUS_ADDRESS fallback (arriving parsed in ProviderEnv), and defaults.
 */
import { describe, expect, it } from 'vitest';
import { prometheusProvider } from '../../../providers/prometheus/index.js';
import { refusal } from '../measure.js';

const parse = (raw: unknown, env = {}) => prometheusProvider.parseConfig(raw, env);

describe('the address', () => {
  it('is required, from the metric or the environment', () => {
    expect(refusal(prometheusProvider, { query: 'up' })).toBe('prometheus address is not configured');
    expect(refusal(prometheusProvider, { address: '', query: 'up' }, { prometheusAddress: '' })).toBe('prometheus address is not configured');
  });

  it('falls back to ARGO_ROLLOUTS_PROMETHEUS_ADDRESS', () => {
    const parsed = parse({ query: 'up' }, { prometheusAddress: 'http://prometheus.monitoring:9090' });
    expect(parsed.ok && parsed.config.address).toBe('http://prometheus.monitoring:9090');
  });

  it('prefers the metric\'s own address', () => {
    const parsed = parse({ address: 'https://thanos:10902', query: 'up' }, { prometheusAddress: 'http://prometheus:9090' });
    expect(parsed.ok && parsed.config.address).toBe('https://thanos:10902');
  });

  it.each(['prometheus:9090', 'localhost', '/api/v1', 'http://', 'not a url'])('must be a URL with scheme and host: %s', (address) => {
    expect(refusal(prometheusProvider, { address, query: 'up' })).toBe('prometheus address is not is url format');
    expect(refusal(prometheusProvider, { query: 'up' }, { prometheusAddress: address })).toBe('prometheus address is not is url format');
  });
});

describe('authentication', () => {
  it.each([{ username: 'argo' }, { password: 'pw' }, { username: '', password: 'pw' }])('needs both basic-auth fields: %j', (basicAuth) => {
    expect(refusal(prometheusProvider, { address: 'http://prom:9090', authentication: { basicAuth } })).toBe(
      'missing mandatory parameter in metric for basic auth setup: username|password',
    );
  });

  it.each([{ clientId: 'id' }, { clientSecret: 's' }, {}])('needs clientId and clientSecret with a tokenUrl: %j', (creds) => {
    expect(refusal(prometheusProvider, { address: 'http://prom:9090', authentication: { oauth2: { tokenUrl: 'http://idp/token', ...creds } } })).toBe(
      'missing mandatory parameter in metric for OAuth2 setup',
    );
  });

  it('checks the address before the credentials', () => {
    expect(refusal(prometheusProvider, { authentication: { basicAuth: { username: 'a' } } })).toBe('prometheus address is not configured');
  });

  it('signs with SigV4 for Amazon Managed Prometheus workspaces (signing itself: sigv4.test.ts)', () => {
    const raw = { address: 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1', authentication: { sigv4: { region: 'eu-west-1' } } };
    expect(parse(raw)).toMatchObject({ ok: true, config: { sigv4: { region: 'eu-west-1', profile: '', roleArn: '' } } });
  });

  it('ignores SigV4 settings for other addresses, or when all empty, as Argo does', () => {
    const other = parse({ address: 'http://prom:9090', authentication: { sigv4: { region: 'eu-west-1' } } });
    expect(other.ok && other.config.sigv4).toBe(undefined);
    const empty = parse({ address: 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1', authentication: { sigv4: {} } });
    expect(empty.ok && empty.config.sigv4).toBe(undefined);
  });
});

describe('the timeout', () => {
  it('defaults to 30 s', () => {
    const parsed = parse({ address: 'http://prom:9090' });
    expect(parsed.ok && parsed.config.timeoutMs).toBe(30_000);
  });

  it('is read in whole seconds', () => {
    const parsed = parse({ address: 'http://prom:9090', timeout: 40 });
    expect(parsed.ok && parsed.config.timeoutMs).toBe(40_000);
  });

  it('may not be negative', () => {
    expect(refusal(prometheusProvider, { address: 'http://prom:9090', timeout: -1 })).toBe('prometheus timeout should not be negative');
  });

  it('must be an integer', () => {
    expect(refusal(prometheusProvider, { address: 'http://prom:9090', timeout: '30s' })).toBe(
      'invalid prometheus provider: timeout: Invalid input: expected number, received string',
    );
  });
});

describe('the rest of the block', () => {
  it('keeps query, headers (last same-named key wins), insecure and rangeQuery', () => {
    const parsed = parse({
      address: 'http://prom:9090',
      query: 'sum(up)',
      insecure: true,
      headers: [{ key: 'X-A', value: '1' }, { key: 'x-a', value: '2' }],
      rangeQuery: { start: 'now() - duration("5m")', end: 'now()', step: '1m' },
      unknownField: 'ignored, as Go decoding ignores it',
    });
    expect(parsed.ok && parsed.config).toEqual({
      address: 'http://prom:9090',
      query: 'sum(up)',
      timeoutMs: 30_000,
      insecure: true,
      headers: { 'x-a': '2' },
      rangeQuery: { start: 'now() - duration("5m")', end: 'now()', step: '1m' },
    });
  });

  it('describes shape errors by path, without quoting values', () => {
    const message = refusal(prometheusProvider, { address: 'http://prom:9090', headers: [{ key: 'Authorization', value: 12345 }] });
    expect(message).toBe('invalid prometheus provider: headers.0.value: Invalid input: expected string, received number');
  });
});
