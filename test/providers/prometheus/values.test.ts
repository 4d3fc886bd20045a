/**
 * Result mapping against a real Prometheus (2.42 from Debian): scalar, vector, matrix, empty and
 * unsupported results; NaN and ±Inf preserved both from PromQL arithmetic and from stored samples;
 * instant queries evaluated at `ctx.now` (how backtests replay history); range queries whose
 * `start`/`end` expressions are evaluated against `ctx.now`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusProvider } from '../../../providers/prometheus/index.js';
import { startPrometheus, type PrometheusInstance } from '../../support/prometheus.js';
import type { Series } from '../../support/remote-write.js';
import { measureWith } from '../measure.js';

const MINUTE = 60_000;
/** "Now" for these tests: a whole minute, so every written sample sits on the query grid. */
const T = Math.floor(Date.now() / MINUTE) * MINUTE;
const provider = createPrometheusProvider();
let prom: PrometheusInstance;

/** One sample per minute for minutes [from, to] before T. */
function perMinute(labels: Record<string, string>, from: number, to: number, value: (minutesAgo: number) => number): Series {
  const samples = [];
  for (let m = from; m >= to; m--) samples.push({ timestamp: T - m * MINUTE, value: value(m) });
  return { labels, samples };
}

beforeAll(async () => {
  prom = await startPrometheus();
  await prom.remoteWrite([
    // The canary's success ratio was poor two hours ago and good for the last hour.
    perMinute({ __name__: 'canary_success_ratio', service: 'checkout' }, 120, 0, (m) => (m > 60 ? 0.5 : 0.97)),
    perMinute({ __name__: 'special_value', kind: 'nan' }, 3, 0, () => NaN),
    perMinute({ __name__: 'special_value', kind: 'pinf' }, 3, 0, () => Infinity),
    perMinute({ __name__: 'special_value', kind: 'ninf' }, 3, 0, () => -Infinity),
    perMinute({ __name__: 'latency_seconds', pod: 'a' }, 10, 0, (m) => m / 10),
    perMinute({ __name__: 'latency_seconds', pod: 'b' }, 10, 0, (m) => 100 + m),
  ]);
});
afterAll(async () => {
  await provider.close?.();
  await prom?.stop();
});

const query = (q: string, extra: Record<string, unknown> = {}, now = T) =>
  measureWith(provider, { address: prom.url, query: q, ...extra }, { now });

describe('when the result is a scalar', () => {
  it.each([
    ['1/0', Infinity, '+Inf'],
    ['-1/0', -Infinity, '-Inf'],
    ['0/0', NaN, 'NaN'],
    ['scalar(vector(0.5))', 0.5, '0.5'],
    ['10', 10, '10'],
    ['1e21', 1e21, '1000000000000000000000'],
    ['0.0000001', 1e-7, '0.0000001'],
  ])('%s gives a number, displayed as Go FormatFloat(v, \'f\', -1)', async (q, value, display) => {
    expect(await query(q)).toEqual({ kind: 'value', value, display });
  });
});

describe('when the result is an instant vector', () => {
  it('gives one number per sample', async () => {
    expect(await query('vector(10)')).toEqual({ kind: 'value', value: [10], display: '[10]' });
    expect(await query('canary_success_ratio')).toEqual({ kind: 'value', value: [0.97], display: '[0.97]' });
  });

  it.each([
    ['nan', NaN, '[NaN]'],
    ['pinf', Infinity, '[+Inf]'],
    ['ninf', -Infinity, '[-Inf]'],
  ])('keeps a stored %s sample (prometheus-query alone would turn infinities into NaN)', async (kind, value, display) => {
    expect(await query(`special_value{kind="${kind}"}`)).toEqual({ kind: 'value', value: [value], display });
  });

  it('gives an empty list when nothing matches', async () => {
    expect(await query('no_such_metric{job="x"}')).toEqual({ kind: 'value', value: [], display: '[]' });
  });
});

describe('when ctx.now is in the past (backtest)', () => {
  it('evaluates the instant query at ctx.now, not at the wall clock', async () => {
    expect(await query('canary_success_ratio', {}, T - 90 * MINUTE)).toMatchObject({ value: [0.5] });
    expect(await query('canary_success_ratio', {}, T - 30 * MINUTE)).toMatchObject({ value: [0.97] });
  });

  it('passes ctx.now with millisecond precision', async () => {
    const now = T - 45 * MINUTE + 123;
    expect(await query('time()', {}, now)).toEqual({ kind: 'value', value: now / 1000, display: String(now / 1000) });
  });
});

describe('when rangeQuery is set', () => {
  const rangeQuery = { start: 'now() - duration("5m")', end: 'now()', step: '1m' };

  it('returns every sample of every series, flattened series by series', async () => {
    const obs = await query('latency_seconds', { rangeQuery });
    const a = [0.5, 0.4, 0.3, 0.2, 0.1, 0];
    const b = [105, 104, 103, 102, 101, 100];
    expect(obs).toEqual({ kind: 'value', value: [...a, ...b], display: `[${[...a, ...b].join(',')}]` });
  });

  it('evaluates start and end against ctx.now', async () => {
    const obs = await query('canary_success_ratio', { rangeQuery: { ...rangeQuery, step: '30m' } }, T - 60 * MINUTE);
    expect(obs).toEqual({ kind: 'value', value: [0.5], display: '[0.5]' });
    const wider = await query('canary_success_ratio', { rangeQuery: { start: 'now() - duration("90m")', end: 'now()', step: '30m' } });
    expect(wider).toEqual({ kind: 'value', value: [0.5, 0.97, 0.97, 0.97], display: '[0.5,0.97,0.97,0.97]' });
  });

  it('gives an empty list for a range without data', async () => {
    expect(await query('no_such_metric', { rangeQuery })).toEqual({ kind: 'value', value: [], display: '[]' });
  });

  it('reports unusable start, end and step expressions with Argo\'s prefixes', async () => {
    expect(await query('up', { rangeQuery: { ...rangeQuery, start: 'now() +' } })).toMatchObject({
      kind: 'error',
      code: 'Config',
      message: expect.stringMatching(/^failed to parse rangeQuery\.start as time: /),
    });
    expect(await query('up', { rangeQuery: { ...rangeQuery, end: '1 + 1' } })).toEqual({
      kind: 'error',
      code: 'Config',
      message: 'failed to parse rangeQuery.end as time: expected time.Time, but got int',
    });
    expect(await query('up', { rangeQuery: { ...rangeQuery, step: '1d' } })).toEqual({
      kind: 'error',
      code: 'Config',
      message: 'failed to parse rangeQuery.step as duration: time: unknown unit "d" in duration "1d"',
    });
  });
});

describe('when the result has another type', () => {
  it('refuses a string result as Argo does', async () => {
    expect(await query('"hello"')).toEqual({ kind: 'error', code: 'BadResponse', message: 'Prometheus metric type not supported' });
  });
});

describe('when the metric has no address', () => {
  it('queries ARGO_ROLLOUTS_PROMETHEUS_ADDRESS, passed in ctx.env', async () => {
    const obs = await measureWith(provider, { query: 'vector(7)' }, { now: T }, { prometheusAddress: prom.url });
    expect(obs).toEqual({ kind: 'value', value: [7], display: '[7]' });
  });
});

describe('metadata', () => {
  it('records the resolved query, as Argo\'s GetMetadata', () => {
    const parsed = provider.parseConfig({ address: 'http://prom:9090', query: 'sum(up{job="checkout"})' }, {});
    expect(parsed.ok && provider.metadata?.(parsed.config)).toEqual({ ResolvedPrometheusQuery: 'sum(up{job="checkout"})' });
  });
});
