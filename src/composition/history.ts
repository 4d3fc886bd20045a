/**
 * `assay backtest`: the measurer of a replay, over the providers that can be asked about the past
 * (composition/provider-registry.ts historicalProviders), with the `--secrets` files.
 */
import type { MetricProvider } from '../metric/provider.js';
import type { SecretSource } from '../reconcile/ports.js';
import type { AssayConfig } from '../runtime/config.js';
import { ProviderMeasurer } from '../runtime/provider-measurer.js';
import { noSecrets, providerEnvOf } from './engine.js';
import { historicalProviders } from './provider-registry.js';

export { historicalProviders };

interface ReplayMeasurement {
  measurer: ProviderMeasurer;
  secrets: SecretSource;
}

export function replayMeasurement(config: AssayConfig, providers: readonly MetricProvider<unknown>[], secrets: SecretSource = noSecrets): ReplayMeasurement {
  // --prometheus was applied to every metric's address when the run was built (run-guards.ts).
  return { measurer: new ProviderMeasurer({ providers, env: providerEnvOf(config), secrets }), secrets };
}
