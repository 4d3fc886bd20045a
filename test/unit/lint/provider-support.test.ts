/**
 * `assay lint` says which providers assay can run: plugin metrics (Argo's net/rpc plugins) and
 * providers assay lacks get a warning naming them; the list of runnable providers is what the
 * engine registers.
 */
import { describe, expect, it } from 'vitest';
import type { AnalysisTemplateSpec } from '../../../src/api/types.js';
import { lintSpec } from '../../../src/lint/lint.js';
import { RUNNABLE_PROVIDERS } from '../../../src/lint/provider-support.js';
import { builtinProviders } from '../../../src/runtime/assemble.js';

const spec = (provider: Record<string, unknown>): AnalysisTemplateSpec => ({
  metrics: [{ name: 'm', successCondition: 'result > 0', count: 1, provider } as never],
});

describe('lint: provider support', () => {
  it('warns on a plugin metric, naming the plugin and where it must run', () => {
    const problems = lintSpec({ kind: 'AnalysisTemplate', name: 't', spec: spec({ plugin: { 'argoproj-labs/metric-plugin': { query: 'up' } } }) });
    expect(problems).toContainEqual({
      severity: 'warning',
      field: 'spec.metrics[0].provider.plugin.argoproj-labs/metric-plugin',
      message: expect.stringContaining('metric plugin "argoproj-labs/metric-plugin" cannot run in assay'),
    });
    expect(problems.find((p) => p.field.includes('plugin'))!.message).toContain("Argo's analysis controller");
  });

  it('says nothing about assay\'s own plugin sources', () => {
    for (const key of builtinProviders().map((p) => p.key).filter((k) => k.startsWith('plugin/'))) {
      const name = key.slice('plugin/'.length);
      const problems = lintSpec({ kind: 'AnalysisTemplate', name: 't', spec: spec({ plugin: { [name]: {} } }) });
      expect(problems.filter((p) => p.severity === 'warning' && p.message.includes('cannot run in assay')), key).toEqual([]);
    }
  });

  it('says nothing about providers assay runs', () => {
    for (const key of ['datadog', 'newRelic', 'wavefront', 'kayenta', 'prometheus', 'web']) {
      const problems = lintSpec({ kind: 'AnalysisTemplate', name: 't', spec: spec({ [key]: {} }) });
      expect(problems.filter((p) => p.field.includes('.provider.')), key).toEqual([]);
    }
  });

  it('lists exactly the registered providers (plus job, which the controller registers)', () => {
    const keys = builtinProviders().map((p) => p.key).filter((k) => !k.startsWith('plugin/'));
    expect([...RUNNABLE_PROVIDERS].sort()).toEqual([...keys, 'job'].sort());
  });
});
