/** Where a provider key's block sits in a metric's `provider`: `plugin/<name>` is `provider.plugin[<name>]`. */
export function providerBlockOf(provider: Record<string, unknown>, key: string): unknown {
  if (key.startsWith('plugin/')) return (provider['plugin'] as Record<string, unknown> | undefined)?.[key.slice('plugin/'.length)];
  return provider[key];
}
