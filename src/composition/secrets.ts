/**
 * Secret sources outside a cluster: none, or Secret manifests named by `--secrets FILE` (`run`,
 * `serve`, `backtest`). The controller reads Kubernetes Secrets (composition/cluster.ts).
 */
import type { SecretSource } from '../reconcile/ports.js';
import { FileSecretSource } from '../runtime/file-secrets.js';

export { noSecrets } from './engine.js';

/**
 * The Secrets in `paths`, or undefined when none are named (a notification's secretKeyRef then
 * says it needs a source). Throws with the file and document when one cannot be read.
 */
export async function secretsFromFiles(paths: readonly string[] | undefined): Promise<SecretSource | undefined> {
  return paths?.length ? FileSecretSource.load(paths) : undefined;
}
