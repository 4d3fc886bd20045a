/**
 * assay's own measurement sources under `provider.plugin` (Argo's CRD keeps the plugin map's
 * unknown fields, so templates using them stay valid Argo manifests). Kept apart from the
 * composition root so that `assay test` can load them without the live adapters.
 */
import { createCompareProvider } from '../../providers/compare/index.js';
import { createGuardProvider } from '../../providers/guard/index.js';
import type { MetricProvider } from '../metric/provider.js';

export function pluginProviders(): MetricProvider<unknown>[] {
  return [createCompareProvider() as MetricProvider<unknown>, createGuardProvider() as MetricProvider<unknown>];
}
