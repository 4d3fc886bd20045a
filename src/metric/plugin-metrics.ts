/**
 * Argo's metric plugins (`provider.plugin.<name>`) are Go binaries that Argo's controller drives
 * over hashicorp/go-plugin (Go's net/rpc). assay cannot load them, so a plugin metric is named
 * for what it is, the same way by `assay lint` (a warning) and at run time (an Error measurement).
 */

/** `plugin/<name>` provider keys (core/metric-spec.ts) → the plugin's name, else undefined. */
export function pluginNameOf(providerKey: string): string | undefined {
  return providerKey.startsWith('plugin/') ? providerKey.slice('plugin/'.length) : undefined;
}

export function pluginMetricMessage(pluginName: string): string {
  return (
    `metric plugin "${pluginName}" cannot run in assay: Argo Rollouts metric plugins are Go binaries driven over Go's net/rpc; ` +
    `keep analysis that uses plugin metrics on Argo's analysis controller`
  );
}
