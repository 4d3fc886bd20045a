/**
 * `assay test`: no adapter at all. Runs live in memory on a virtual clock and every provider's
 * values are scripted by the test, except assay's plugin sources (assay/compare, assay/guard),
 * which compute over those values and so run for real. Imports nothing heavy: `assay test` must
 * start as fast as `lint` (test/integration/cli/lazy-imports.test.ts).
 */
import type { MetricProvider } from '../metric/provider.js';
import { pluginProviders } from '../runtime/plugin-providers.js';

/** The providers an AnalysisTest runs for real. */
export function offlineProviders(): MetricProvider<unknown>[] {
  return pluginProviders();
}
