/**
 * `assay lint` says which providers assay can run: plugin metrics (Argo's net/rpc plugins) and
 * providers assay lacks get a warning naming them, assay's own plugin sources and the providers
 * it runs get none; the list of runnable providers is what the engine registers.
 */
import { describe, expect, it } from 'vitest';
import type { Metric } from '../../../src/api/types.js';
import { lintMetric } from '../../../src/lint/analysis-spec.js';
import { Problems } from '../../../src/lint/problem.js';
import { RUNNABLE_PROVIDERS } from '../../../src/lint/provider-support.js';
import { liveProviders } from '../../../src/composition/provider-registry.js';

function warnings(provider: Record<string, unknown>) {
  const p = new Problems();
  const metric = { name: 'm', successCondition: 'result > 0', count: 1, provider } as unknown as Metric;
  lintMetric(metric, new Map(), ['spec', 'metrics', 0], p);
  return p.list.filter((x) => x.severity === 'warning');
}

describe('lint: provider support', () => {
  it('warns on a plugin metric, naming the plugin and where it must run', () => {
    const found = warnings({ plugin: { 'argoproj-labs/metric-plugin': { query: 'up' } } });
    expect(found).toEqual([
      {
        severity: 'warning',
        path: ['spec', 'metrics', 0, 'provider', 'plugin', 'argoproj-labs/metric-plugin'],
        message: expect.stringContaining('metric plugin "argoproj-labs/metric-plugin" cannot run in assay'),
      },
    ]);
    expect(found[0]!.message).toContain("Argo's analysis controller");
  });

  it("says nothing about assay's own plugin sources", () => {
    for (const key of liveProviders().map((p) => p.key).filter((k) => k.startsWith('plugin/'))) {
      expect(warnings({ plugin: { [key.slice('plugin/'.length)]: {} } }).filter((w) => w.message.includes('cannot run in assay')), key).toEqual([]);
    }
  });

  it('says nothing about providers assay runs, and warns on one it does not', () => {
    for (const key of ['datadog', 'newRelic', 'wavefront', 'kayenta', 'prometheus', 'web']) {
      expect(warnings({ [key]: {} }).filter((w) => w.message.includes('not supported by assay')), key).toEqual([]);
    }
    expect(warnings({ someFutureProvider: {} })).toContainEqual(expect.objectContaining({ path: ['spec', 'metrics', 0, 'provider', 'someFutureProvider'] }));
  });

  it('lists exactly the registered providers (plus job, which the controller registers)', () => {
    const keys = liveProviders().map((p) => p.key).filter((k) => !k.startsWith('plugin/'));
    expect([...RUNNABLE_PROVIDERS].sort()).toEqual([...keys, 'job'].sort());
  });
});
