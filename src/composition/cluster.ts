/**
 * `assay controller`: the Kubernetes adapters (the run store and template catalog over informers,
 * Secrets, Events, the Lease), the cluster's provider registry (with `job`) and the engine,
 * started in order, handed to the Controller as ports. A first list that fails stops everything
 * started and throws a ControllerStartError naming the URL and the cause: a controller without a
 * cache must fail loudly, not loop.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { SecretSource } from '../reconcile/ports.js';
import { errorText } from '../kube/api-errors.js';
import { KubeEventRecorder } from '../kube/kube-events.js';
import { KubeRunStore } from '../kube/kube-run-store.js';
import { KubeSecretSource } from '../kube/kube-secrets.js';
import { KubeTemplateCatalog } from '../kube/kube-templates.js';
import { LeaderElector } from '../kube/leader-election.js';
import { Controller, ControllerStartError, type ControllerOptions, type ControllerPorts } from '../controller/controller.js';
import { assemble } from './engine.js';
import { clusterProviders, liveProviders } from './provider-registry.js';

export async function startController(opts: ControllerOptions): Promise<Controller> {
  const log = opts.log ?? (() => undefined);
  const server = opts.kubeConfig.getCurrentCluster()?.server ?? '';
  const onError = (err: unknown, where: string) => log('warn', `${where}: ${errorText(err)}`, { server });
  const failed = (list: { path: string; error: unknown }[]) =>
    new ControllerStartError(list.map((u) => `cannot list ${server}${u.path}: ${errorText(u.error)}`).join('\n'));
  const store = await KubeRunStore.start({
    kubeConfig: opts.kubeConfig,
    ...(opts.namespaces ? { namespaces: opts.namespaces } : {}),
    ...(opts.kubeQps
      ? { statusWriteBudget: { qps: opts.kubeQps, ...(opts.kubeBurst ? { burst: opts.kubeBurst } : {}), ...(opts.onKubeWriteToken ? { onToken: opts.onKubeWriteToken } : {}) } }
      : {}),
    onError,
  });
  if (store.unsynced().length > 0) {
    const err = failed(store.unsynced());
    await store.close();
    throw err;
  }
  const templates = await KubeTemplateCatalog.start({
    kubeConfig: opts.kubeConfig,
    ...(opts.namespaces ? { namespaces: opts.namespaces } : {}),
    onError,
  });
  if (templates.unsynced().length > 0) {
    const err = failed(templates.unsynced());
    await templates.stop();
    await store.close();
    throw err;
  }
  const assembly = await assemble({
    config: opts.config,
    store,
    secrets: new KubeSecretSource(opts.kubeConfig),
    // Providers given (tests) replace `job`, which needs the controller's own Kubernetes client.
    providers: opts.providers ? [...liveProviders(), ...opts.providers] : clusterProviders(opts.kubeConfig),
    onSchedulerError: (err, key) => log('warn', `tick failed${key ? ` for ${key}` : ''}: ${errorText(err)}`),
  });
  // With Redis every replica is a BullMQ worker: a Lease would only idle the others.
  const election: ControllerPorts['election'] =
    opts.leaderElect && !opts.config.redisUrl
      ? (leading) =>
          new LeaderElector({
            kubeConfig: opts.kubeConfig,
            namespace: opts.leaseNamespace ?? 'default',
            name: opts.leaseName ?? 'assay-controller',
            identity: opts.identity ?? `assay-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
            ...(opts.leaseMs ? { leaseMs: opts.leaseMs } : {}),
            ...(opts.renewMs ? { renewMs: opts.renewMs } : {}),
            ...leading,
            onError: (err) => log('warn', `leader election: ${errorText(err)}`, { server }),
          })
      : undefined;
  return Controller.start(opts, {
    store,
    templates,
    assembly,
    events: new KubeEventRecorder(opts.kubeConfig, 'assay-controller', (err) => log('warn', `event not recorded: ${errorText(err)}`, { server })),
    ...(election ? { election } : {}),
    resyncMs: opts.resyncMs ?? opts.config.resyncMs ?? 300_000,
  });
}

/** The cluster's Secrets, for the notification secretKeyRefs read before the controller starts. */
export function clusterSecrets(kubeConfig: KubeConfig): SecretSource {
  return new KubeSecretSource(kubeConfig);
}
