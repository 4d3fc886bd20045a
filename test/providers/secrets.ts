/**
 * A ProviderSecrets over plain objects (`{namespace: {secret: {key: value}}}`) that words its
 * misses as Kubernetes does, and records every read, for provider tests.
 */
import type { ProviderSecrets } from '../../src/metric/provider.js';

export type SecretTree = Record<string, Record<string, Record<string, string>>>;

export function secretsFrom(tree: SecretTree): ProviderSecrets & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    async get(namespace, name, key) {
      reads.push(`${namespace}/${name}/${key}`);
      const secret = tree[namespace]?.[name];
      if (!secret) return { ok: false, error: `secrets "${name}" not found` };
      const value = secret[key];
      return value === undefined ? { ok: false, error: `key '${key}' does not exist in secret '${name}'` } : { ok: true, value };
    },
  };
}
