/**
 * Lint for assay's own measurement sources under `provider.plugin` (assay/compare, assay/guard):
 * their configuration is checked with the same parser that runs them, so a misspelt field or a
 * wrong method fails in CI rather than at the first measurement.
 */
import type { Metric } from '../api/types.js';
import { pluginProviders } from '../runtime/plugin-providers.js';

/** Problems in lint's shape (severity, field, message); all are errors. */
export function lintPluginSources(metric: Metric, at: string): { severity: 'error'; field: string; message: string }[] {
  const plugin = (metric.provider as { plugin?: Record<string, unknown> } | undefined)?.plugin;
  if (!plugin) return [];
  const problems: { severity: 'error'; field: string; message: string }[] = [];
  for (const [name, config] of Object.entries(plugin)) {
    const provider = pluginProviders().find((p) => p.key === `plugin/${name}`);
    // Other plugins are Argo's Go plugins: reported elsewhere, not configured by assay.
    if (!provider) continue;
    // Values that only arrive with the run's args cannot be checked here.
    if (JSON.stringify(config ?? null).includes('{{')) continue;
    const parsed = provider.parseConfig(config, {});
    if (!parsed.ok) problems.push({ severity: 'error', field: `${at}.provider.plugin["${name}"]`, message: parsed.message });
  }
  return problems;
}
