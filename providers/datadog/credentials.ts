/**
 * Where Argo's Datadog provider finds its keys (`findCredentials`), in Argo's order:
 *
 * - `secretRef.name` set: only that Secret, in the controller namespace, or in the run's
 *   namespace when `secretRef.namespaced` is true.
 * - otherwise the environment (`DD_API_KEY`, `DD_APP_KEY`, `DD_ADDRESS`, used only when all three
 *   are set), then the Secret `datadog` in the controller namespace.
 *
 * A Secret counts only when both `api-key` and `app-key` are non-empty; `address` is optional
 * (the default endpoint is https://api.datadoghq.com).
 */
import type { MeasureContext } from '../../src/metric/provider.js';
import type { DatadogConfig } from './config.js';

export interface DatadogCredentials {
  address: string;
  apiKey: string;
  appKey: string;
}

const DEFAULT_SECRET = 'datadog';
export const NOT_FOUND = 'failed to find the credentials for datadog metrics provider';

async function fromSecret(ctx: MeasureContext, namespace: string, name: string): Promise<DatadogCredentials | undefined> {
  const read = async (key: string, sensitive = true): Promise<{ value: string; present: boolean; missingSecret: boolean }> => {
    const r = await ctx.secrets.get(namespace, name, key, { sensitive });
    if (r.ok) return { value: r.value, present: true, missingSecret: false };
    return { value: '', present: false, missingSecret: !r.error.startsWith("key '") };
  };
  const apiKey = await read('api-key');
  if (apiKey.missingSecret) return undefined;
  const appKey = await read('app-key');
  if (apiKey.value === '' || appKey.value === '') return undefined;
  // The endpoint is configuration: messages may quote it (Go's `Post "url": ...`).
  const address = await read('address', false);
  return { address: address.value, apiKey: apiKey.value, appKey: appKey.value };
}

function fromEnv(ctx: MeasureContext): DatadogCredentials | undefined {
  const vars = ctx.env.vars ?? {};
  const apiKey = vars['DD_API_KEY'];
  const appKey = vars['DD_APP_KEY'];
  const address = vars['DD_ADDRESS'];
  if (apiKey === undefined || appKey === undefined || address === undefined) return undefined;
  if (apiKey === '' || appKey === '') return undefined;
  return { address, apiKey, appKey };
}

export async function findCredentials(config: DatadogConfig, ctx: MeasureContext): Promise<DatadogCredentials | undefined> {
  const controllerNamespace = ctx.env.controllerNamespace ?? 'argo-rollouts';
  const { name, namespaced } = config.secretRef;
  if (name !== '') return fromSecret(ctx, namespaced ? ctx.run.namespace : controllerNamespace, name);
  return fromEnv(ctx) ?? (await fromSecret(ctx, controllerNamespace, DEFAULT_SECRET));
}
