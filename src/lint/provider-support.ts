/**
 * Which providers assay can run, said by `assay lint` before a run depends on it: a plugin metric
 * (Argo's net/rpc plugins, which only Argo's controller can load) and any provider assay does not
 * implement get a warning naming the provider. assay's own sources under `provider.plugin`
 * (assay/compare, assay/guard) run and get none. Kept apart from the other checks so that the
 * list of runnable providers changes in one place.
 */
import type { Metric } from '../api/types.js';
import { providerKeysOf } from '../core/metric-spec.js';
import { pluginMetricMessage, pluginNameOf } from '../metric/plugin-metrics.js';
import { pluginProviders } from '../runtime/plugin-providers.js';

/**
 * The `metric.provider` keys assay measures (src/composition/provider-registry.ts liveProviders, plus
 * `job`, which the controller registers). test/unit/lint/provider-support.test.ts keeps this
 * list equal to what is registered.
 */
export const RUNNABLE_PROVIDERS: readonly string[] = [
  'prometheus',
  'web',
  'job',
  'datadog',
  'newRelic',
  'wavefront',
  'kayenta',
  'cloudWatch',
  'graphite',
  'influxdb',
  'skywalking',
];

/** A warning about one provider of a metric; `path` is relative to the metric. */
interface ProviderSupportWarning {
  path: string[];
  message: string;
}

export function providerSupport(metric: Metric, runnable: readonly string[] = RUNNABLE_PROVIDERS): ProviderSupportWarning[] {
  const warnings: ProviderSupportWarning[] = [];
  const assayPlugins = new Set(pluginProviders().map((p) => p.key));
  for (const key of providerKeysOf(metric)) {
    const plugin = pluginNameOf(key);
    if (plugin !== undefined) {
      if (!assayPlugins.has(key)) warnings.push({ path: ['provider', 'plugin', plugin], message: pluginMetricMessage(plugin) });
    } else if (!runnable.includes(key)) {
      warnings.push({
        path: ['provider', key],
        message: `provider "${key}" is not supported by assay (supported: ${runnable.join(', ')}): its measurements would be Errors`,
      });
    }
  }
  return warnings;
}
