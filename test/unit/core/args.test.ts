import { describe, expect, it } from 'vitest';
import type { Metric } from '../../../src/api/types.js';
import { marshalMetric, resolveMetricArgs, resolveQuotedArgs } from '../../../src/core/args.js';

const metric = (over: Partial<Metric> = {}): Metric => ({
  name: 'success-rate',
  successCondition: 'result[0] >= {{args.threshold}}',
  provider: { prometheus: { address: 'http://prom:9090', query: 'rate(x{service="{{ args.service }}"}[5m])' } },
  ...over,
});

describe('placeholder resolution (ResolveMetricArgs)', () => {
  it('substitutes trimmed tags everywhere, including count and provider config', () => {
    const r = resolveMetricArgs(metric({ count: '{{args.n}}' }), [
      { name: 'threshold', value: '0.95' },
      { name: 'service', value: 'checkout' },
      { name: 'n', value: '3' },
    ]);
    expect(r).toEqual({
      ok: true,
      value: {
        name: 'success-rate',
        count: '3',
        successCondition: 'result[0] >= 0.95',
        provider: { prometheus: { address: 'http://prom:9090', query: 'rate(x{service="checkout"}[5m])' } },
      },
    });
  });

  it('escapes quotes and newlines in values so the JSON stays valid', () => {
    const r = resolveMetricArgs(metric(), [
      { name: 'threshold', value: '1' },
      { name: 'service', value: 'a"b\nc' },
    ]);
    expect(r.ok && (r.value.provider.prometheus as { query: string }).query).toBe('rate(x{service="a"b\nc"}[5m])');
  });

  it('reports an arg without a value even when unreferenced', () => {
    expect(resolveMetricArgs(metric(), [{ name: 'threshold', value: '1' }, { name: 'service', value: 'x' }, { name: 'unused' }])).toEqual({
      ok: false,
      error: 'argument "unused" was not supplied',
    });
  });

  it('reports only the last unresolved tag, untrimmed', () => {
    const r = resolveMetricArgs(metric({ failureCondition: 'result[0] < {{ args.floor }}' }), []);
    expect(r).toEqual({ ok: false, error: 'failed to resolve {{ args.service }}' });
  });

  it('an unclosed tag inside a metric is closed by the JSON braces that follow (as in Go)', () => {
    const m: Metric = { name: 'm', successCondition: 'result > {{args.x', provider: { web: { url: 'http://x' } } };
    const json = marshalMetric(m);
    expect(json).toBe('{"name":"m","successCondition":"result \\u003e {{args.x","provider":{"web":{"url":"http://x"}}}');
    expect(resolveMetricArgs(m, [])).toEqual({ ok: false, error: 'failed to resolve {{args.x","provider":{"web":{"url":"http://x"}}' });
  });

  it('reports a tag with no end at all with the whole template, Go-quoted', () => {
    expect(resolveQuotedArgs('{"a":"x {{args.y"', [])).toEqual({
      ok: false,
      error: 'Cannot find end tag="}}" in the template="{\\"a\\":\\"x {{args.y\\"" starting from "args.y\\""',
    });
  });
});
