/**
 * Which providers assay can run, said by `assay lint` before a run depends on it: a plugin metric
 * (Argo's net/rpc plugins, which only Argo's controller can load) and any provider assay does not
 * implement get a warning naming the metric and the provider. Kept apart from lint.ts so that the
 * list of runnable providers changes in one place.
 */
import type { Metric } from '../api/types.js';
import { providerKeysOf } from '../engine/metric-spec.js';
import { pluginMetricMessage, pluginNameOf } from '../metric/plugin-metrics.js';
import { pluginProviders } from '../runtime/plugin-providers.js';

/**
 * The `metric.provider` keys assay measures (src/runtime/assemble.ts builtinProviders, plus
 * `job`, which the controller and `assay run` register). test/unit/lint/provider-support.test.ts
 * keeps this list equal to what is registered.
 */
/** A lint finding (lint.ts's LintProblem, restated to keep the imports one-way). */
export interface ProviderProblem {
  severity: 'warning';
  field: string;
  message: string;
}

export const RUNNABLE_PROVIDERS: readonly string[] = ['prometheus', 'web', 'job', 'datadog', 'newRelic', 'wavefront', 'kayenta'];

function assayPluginKeys(): string[] {
  return pluginProviders().map((p) => p.key);
}

export function providerSupportProblems(metrics: readonly Metric[], runnable: readonly string[] = RUNNABLE_PROVIDERS): ProviderProblem[] {
  const problems: ProviderProblem[] = [];
  metrics.forEach((metric, i) => {
    for (const key of providerKeysOf(metric)) {
      const plugin = pluginNameOf(key);
      const field = `spec.metrics[${i}].provider.${plugin !== undefined ? `plugin.${plugin}` : key}`;
      if (plugin !== undefined) {
        // assay's own sources under provider.plugin (assay/compare, ...) run; Argo's Go plugins do not.
        if (!assayPluginKeys().includes(key)) problems.push({ severity: 'warning', field, message: pluginMetricMessage(plugin) });
      } else if (!runnable.includes(key)) {
        problems.push({ severity: 'warning', field, message: `provider "${key}" is not supported by assay (supported: ${runnable.join(', ')}): its measurements would be Errors` });
      }
    }
  });
  return problems;
}
