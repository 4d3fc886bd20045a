/**
 * The checks `assay run` and `assay backtest` make before a run starts (src/cli/run-guards.ts):
 * --prometheus reaches every Prometheus query (assay's plugin sources included), runs that could
 * never end are found with their args substituted, and -a names are checked against the args.
 */
import { describe, expect, it } from 'vitest';
import type { AnalysisRun, Metric } from '../../../src/api/types.js';
import { applyArgs, explainUnresolvedArg, indefiniteMetrics, overridePrometheus, unknownArgs } from '../../../src/cli/run-guards.js';

const run = (metrics: Metric[], args: AnalysisRun['spec']['args'] = []): AnalysisRun => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisRun',
  metadata: { name: 'r', namespace: 'default' },
  spec: { metrics, args },
});
const prom = (address?: string) => ({ prometheus: { ...(address ? { address } : {}), query: 'up' } });

describe('--prometheus', () => {
  it('replaces the address of every prometheus metric, also one the template sets', () => {
    const r = overridePrometheus(run([{ name: 'a', provider: prom('http://prometheus.monitoring.svc:9090') }, { name: 'b', provider: prom() }]), 'http://localhost:9090');
    expect(r.ok && r.value.spec.metrics.map((m) => m.provider.prometheus?.['address'])).toEqual(['http://localhost:9090', 'http://localhost:9090']);
  });

  it('reaches the Prometheus sources inside assay/compare, and leaves other plugins opaque', () => {
    const compare = { baseline: prom('http://in-cluster:9090'), canary: prom() };
    const r = overridePrometheus(
      run([
        { name: 'c', provider: { plugin: { 'assay/compare': compare } } },
        { name: 'x', provider: { plugin: { 'acme/thing': { prometheus: { address: 'keep' } } } } },
      ]),
      'http://localhost:9090',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const [c, x] = r.value.spec.metrics;
    expect(c!.provider.plugin).toEqual({ 'assay/compare': { baseline: { prometheus: { address: 'http://localhost:9090', query: 'up' } }, canary: { prometheus: { address: 'http://localhost:9090', query: 'up' } } } });
    expect(x!.provider.plugin).toEqual({ 'acme/thing': { prometheus: { address: 'keep' } } });
  });

  it('is refused, not ignored, when nothing queries Prometheus; and must be an http(s) URL', () => {
    const web = run([{ name: 'w', provider: { web: { url: 'http://x' } } }]);
    expect(overridePrometheus(web, 'http://localhost:9090')).toEqual({
      ok: false,
      error: '--prometheus: no metric uses the prometheus provider, so the flag would be ignored (metrics: w (web))',
    });
    expect(overridePrometheus(run([{ name: 'a', provider: prom() }]), 'localhost:9090')).toMatchObject({ ok: false, error: expect.stringContaining('not an http(s) URL') });
  });
});

describe('metrics that run indefinitely', () => {
  it('are an interval without a count, read with the args substituted', () => {
    const metrics: Metric[] = [
      { name: 'watch', interval: '1m', provider: prom() },
      { name: 'once', provider: prom() },
      { name: 'counted', interval: '1m', count: 3, provider: prom() },
      { name: 'from-arg', interval: '1m', count: '{{args.n}}', provider: prom() },
      { name: 'zero-arg', interval: '1m', count: '{{args.zero}}', provider: prom() },
    ];
    expect(indefiniteMetrics(run(metrics, [{ name: 'n', value: '5' }, { name: 'zero', value: '0' }])).map((m) => m.name)).toEqual(['watch', 'zero-arg']);
  });
});

describe('-a names', () => {
  it('an undeclared name is listed with the declared ones', () => {
    expect(unknownArgs([{ name: 'servce', value: 'x' }], [{ name: 'service' }, { name: 'namespace', value: 'd' }])).toBe('-a servce: no such arg (declared: service, namespace)');
    expect(unknownArgs([{ name: 'service', value: 'x' }], [{ name: 'service' }])).toBeUndefined();
  });

  it('a missing value suggests the flag', () => {
    expect(explainUnresolvedArg('args.service was not resolved')).toBe('args.service was not resolved: the templates declare arg "service" without a value; supply it with -a service=VALUE');
  });

  it('sets the value of an arg an AnalysisRun declares, and refuses one it does not', () => {
    const r = run([{ name: 'a', provider: prom() }], [{ name: 'service', value: 'old' }]);
    expect(applyArgs(r, [{ name: 'service', value: 'new' }])).toMatchObject({ ok: true, value: { spec: { args: [{ name: 'service', value: 'new' }] } } });
    expect(applyArgs(r, [{ name: 'svc', value: 'new' }])).toEqual({ ok: false, error: '-a svc: no such arg (declared: service)' });
  });
});
