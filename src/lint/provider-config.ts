/**
 * Provider blocks that Argo's providers refuse to build (the measurement would be an Error on
 * every attempt): the construction checks of metricproviders/*, with their messages. Only values
 * known from the manifest are judged; a field still holding `{{args.x}}` is skipped.
 */
import { isUrl } from '../../providers/shared/go-url.js';
import { parseGoDuration } from '../go/duration.js';
import { hasTag, isRecord, type FieldPath, type Problems } from './problem.js';

/** A Go duration field the provider parses on every measurement (an Error each time if it cannot). */
function duration(c: Record<string, unknown>, key: string, at: FieldPath, p: Problems): void {
  const v = c[key];
  if (typeof v !== 'string' || v === '' || hasTag(v)) return;
  const d = parseGoDuration(v);
  if (!d.ok) p.error([...at, key], `every measurement would fail: ${d.error}`);
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** A field the provider cannot do without: empty, every measurement is an Error. */
function needs(c: Record<string, unknown>, key: string, why: string, at: FieldPath, p: Problems): void {
  if (str(c[key]).trim() === '') p.error([...at, key], `Required value: ${why}`);
}

/** Providers that send `query` to `address` and have no default address. */
function addressAndQuery(name: string) {
  return (c: Record<string, unknown>, at: FieldPath, p: Problems) => {
    needs(c, 'address', `the ${name} provider has no default address`, at, p);
    const address = str(c.address);
    if (name !== 'Wavefront' && address !== '' && !hasTag(address) && !isUrl(address)) {
      p.error([...at, 'address'], `unsupported protocol scheme: "${address}" is not an absolute http(s) URL`);
    }
    needs(c, 'query', `the ${name} provider has nothing to ask without a query`, at, p);
  };
}

function checkOAuth2(auth: unknown, at: FieldPath, p: Problems): void {
  const oauth2 = isRecord(auth) && isRecord(auth.oauth2) ? auth.oauth2 : undefined;
  if (!oauth2 || str(oauth2.tokenUrl) === '') return;
  if (str(oauth2.clientId) === '' || str(oauth2.clientSecret) === '') {
    p.error([...at, 'authentication', 'oauth2'], 'missing mandatory parameter in metric for OAuth2 setup (clientId and clientSecret are required with tokenUrl)');
  }
}

function prometheus(c: Record<string, unknown>, at: FieldPath, p: Problems): void {
  const address = str(c.address);
  if (address !== '' && !hasTag(address) && !isUrl(address)) {
    p.error([...at, 'address'], `prometheus address is not is url format (got "${address}": a URL with a scheme and host, e.g. http://prometheus:9090)`);
  }
  if (typeof c.timeout === 'number' && c.timeout < 0) p.error([...at, 'timeout'], 'prometheus timeout should not be negative');
  const basic = isRecord(c.authentication) && isRecord(c.authentication.basicAuth) ? c.authentication.basicAuth : undefined;
  if (basic && (str(basic.username) !== '') !== (str(basic.password) !== '')) {
    p.error([...at, 'authentication', 'basicAuth'], 'missing mandatory parameter in metric for basic auth setup: username|password');
  }
  checkOAuth2(c.authentication, at, p);
  if (isRecord(c.rangeQuery)) duration(c.rangeQuery, 'step', [...at, 'rangeQuery'], p);
  needs(c, 'query', 'Prometheus answers every measurement with an error (bad_data)', at, p);
}

function web(c: Record<string, unknown>, at: FieldPath, p: Problems): void {
  const method = str(c.method) === '' ? 'GET' : str(c.method);
  const hasJsonBody = c.jsonBody !== undefined && c.jsonBody !== null;
  if (!hasTag(method) && !['GET', 'POST', 'PUT'].includes(method.toUpperCase())) {
    p.error([...at, 'method'], `unsupported method "${method}": the web provider sends GET, POST or PUT`);
  } else if (!hasTag(method) && method !== method.toUpperCase()) {
    p.warn([...at, 'method'], `method "${method}" is sent as written; HTTP methods are case-sensitive: write ${method.toUpperCase()}`);
  }
  if (str(c.body) !== '' && hasJsonBody) {
    p.error([...at, 'jsonBody'], 'use either Body or JSONBody; both cannot exists for WebMetric payload');
  } else if ((str(c.body) !== '' || hasJsonBody) && method === 'GET') {
    p.error([...at, str(c.body) !== '' ? 'body' : 'jsonBody'], 'Body/JSONBody can only be used with POST or PUT WebMetric Method types');
  }
  const url = str(c.url);
  if (url !== '' && !hasTag(url) && !isUrl(url)) {
    p.error([...at, 'url'], `unsupported protocol scheme: "${url}" is not an absolute http(s) URL`);
  }
  checkOAuth2(c.authentication, at, p);
}

function timeoutNotNegative(name: string) {
  return (c: Record<string, unknown>, at: FieldPath, p: Problems) => {
    if (typeof c.timeout === 'number' && c.timeout < 0) p.error([...at, 'timeout'], `${name} timeout should not be negative`);
  };
}

/**
 * Argo's Datadog `validateIncomingProps`. `apiVersion` absent is v1: the CRD defaults it when the
 * resource is stored.
 */
function datadog(c: Record<string, unknown>, at: FieldPath, p: Problems): void {
  const query = str(c.query);
  const queries = isRecord(c.queries) ? Object.keys(c.queries).length : 0;
  const v1 = c.apiVersion === undefined || c.apiVersion === 'v1';
  let message: string | undefined;
  if (query === '' && queries === 0) message = 'Must have either a query or queries. Please review the Analysis Template.';
  else if (query !== '' && queries > 0) message = 'Cannot have both a query and queries. Please review the Analysis Template.';
  else if (v1 && query === '') message = 'Query is empty. API Version v1 only supports using the query parameter in your Analysis Template.';
  else if (str(c.formula) !== '' && queries === 0) message = 'Formula are only valid when queries are set. Please review the Analysis Template.';
  else if (str(c.formula) === '' && queries > 1) message = 'When multiple queries are provided you must include a formula.';
  if (message !== undefined) p.error(at, message);
  duration(c, 'interval', at, p);
  duration(c, 'requestTimeout', at, p);
}

const CHECKS: Record<string, (c: Record<string, unknown>, at: FieldPath, p: Problems) => void> = {
  prometheus,
  web,
  datadog,
  newRelic: timeoutNotNegative('NewRelic'),
  cloudWatch: (c, at, p) => duration(c, 'interval', at, p),
  skywalking: (c, at, p) => {
    addressAndQuery('SkyWalking')(c, at, p);
    duration(c, 'interval', at, p);
  },
  graphite: addressAndQuery('Graphite'),
  wavefront: addressAndQuery('Wavefront'),
  influxdb: (c, at, p) => needs(c, 'query', 'the InfluxDB provider has nothing to ask without a Flux query', at, p),
};

export function lintProviderConfig(key: string, config: Record<string, unknown>, at: FieldPath, p: Problems): void {
  CHECKS[key]?.(config, at, p);
}
