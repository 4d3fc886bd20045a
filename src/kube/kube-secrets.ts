/**
 * Secrets for `valueFrom.secretKeyRef` args, read through the API on every reconcile as Argo
 * does (a rotated secret takes effect on the next measurement). Errors are worded as Kubernetes
 * and Argo word them, because they end up in the run's status message.
 */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { SecretResult, SecretSource } from '../reconcile/ports.js';
import { apiMessage, httpStatusOf } from './api-errors.js';

export class KubeSecretSource implements SecretSource {
  private readonly api: CoreV1Api;

  constructor(kubeConfig: KubeConfig) {
    this.api = kubeConfig.makeApiClient(CoreV1Api);
  }

  async get(namespace: string, name: string, key: string): Promise<SecretResult> {
    let secret;
    try {
      secret = await this.api.readNamespacedSecret({ namespace, name });
    } catch (err) {
      if (httpStatusOf(err) === 404) return { ok: false, error: `secrets "${name}" not found` };
      return { ok: false, error: apiMessage(err) };
    }
    const encoded = secret.data?.[key];
    if (encoded === undefined) return { ok: false, error: `key '${key}' does not exist in secret '${name}'` };
    return { ok: true, value: Buffer.from(encoded, 'base64').toString('utf8') };
  }
}
