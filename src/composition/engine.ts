/**
 * What the live modes share: the engine (a scheduler, BullMQ when REDIS_URL is set, else
 * in-process; the provider measurer; the Engine over a run store the mode chose), the secret
 * sources outside a cluster, and the notification outbox. BullMQ, the Redis outbox and ioredis are
 * imported only when chosen, so `assay run` never loads them.
 */
import { setMaxListeners } from 'node:events';
import type { MetricProvider, ProviderEnv } from '../metric/provider.js';
import type { SecretSource } from '../reconcile/ports.js';
import { MemoryOutbox, type Outbox } from '../notify/outbox.js';
import { FileSecretSource } from '../runtime/file-secrets.js';
import { MemoryScheduler } from '../scheduler/memory-scheduler.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { RunStore } from '../store/run-store.js';
import type { AssayConfig } from '../runtime/config.js';
import { Engine } from '../runtime/engine.js';
import { ProviderMeasurer } from '../runtime/provider-measurer.js';

export interface Assembly {
  engine: Engine;
  scheduler: Scheduler;
  measurer: ProviderMeasurer;
  /** Stop ticking, abort in-flight provider calls, release connections. */
  close(): Promise<void>;
}

interface AssembleOptions {
  config: AssayConfig;
  store: RunStore;
  secrets?: SecretSource;
  /** The mode's provider registry (composition/provider-registry.ts); a later provider replaces an earlier one with the same key. */
  providers: readonly MetricProvider<unknown>[];
  /** Scheduler override (tests); by default BullMQ when config.redisUrl is set, else in-memory. */
  scheduler?: Scheduler;
  onProviderError?: (provider: string, code: string) => void;
  onSchedulerError?: (err: unknown, runKey?: string) => void;
}

/** What providers may know of the start-up environment (config.ts read it once). */
export function providerEnvOf(config: AssayConfig): ProviderEnv {
  return {
    ...(config.prometheusAddress ? { prometheusAddress: config.prometheusAddress } : {}),
    ...(config.jobNamespace ? { jobNamespace: config.jobNamespace } : {}),
    controllerNamespace: config.controllerNamespace ?? 'argo-rollouts',
    vars: config.providerVars ?? {},
  };
}

/** Secrets are unavailable outside Kubernetes unless a source is given. */
export const noSecrets: SecretSource = {
  async get(_namespace, name) {
    return { ok: false, error: `secrets "${name}" not found` };
  },
};

/**
 * The Secrets in the `--secrets` files, or undefined when none are named (a notification's
 * secretKeyRef then says it needs a source). Throws naming the file and document when one cannot
 * be read. The controller reads Kubernetes Secrets instead (composition/cluster.ts).
 */
export async function secretsFromFiles(paths: readonly string[] | undefined): Promise<SecretSource | undefined> {
  return paths?.length ? FileSecretSource.load(paths) : undefined;
}

/**
 * The notification outbox: in Redis when REDIS_URL is set (it survives restarts and any process
 * of the deployment may deliver), else in memory. `config` undefined: a process of its own
 * (`assay run`), whose outbox is in memory whatever REDIS_URL says.
 */
export async function notificationOutbox(config: Pick<AssayConfig, 'redisUrl' | 'queueName'> | undefined): Promise<Outbox> {
  if (!config?.redisUrl) return new MemoryOutbox();
  const { RedisOutbox } = await import('../notify/redis-outbox.js');
  // One prefix per deployment sharing a Redis.
  return RedisOutbox.connect(config.redisUrl, `assay:notify:${config.queueName}`);
}

/** BullMQ with REDIS_URL (ticks shared by every process on the queue), else an in-process heap. */
async function chooseScheduler(opts: AssembleOptions): Promise<Scheduler> {
  const onError = opts.onSchedulerError;
  if (!opts.config.redisUrl) return new MemoryScheduler(onError ? { onError: (e, k) => onError(e, k) } : {});
  const { BullMQScheduler } = await import('../scheduler/bullmq-scheduler.js');
  return new BullMQScheduler({
    connection: opts.config.redisUrl,
    queueName: opts.config.queueName,
    ...(opts.config.bullmqLockMs ? { lockDurationMs: opts.config.bullmqLockMs } : {}),
    ...(opts.config.bullmqStalledMs ? { stalledIntervalMs: opts.config.bullmqStalledMs } : {}),
    ...(onError ? { onError } : {}),
  });
}

export async function assemble(opts: AssembleOptions): Promise<Assembly> {
  const shutdown = new AbortController();
  // Every provider call in flight listens on this one signal (providers/shared/deadline.ts):
  // more than 10 at once is normal, not a leak.
  setMaxListeners(0, shutdown.signal);
  const scheduler = opts.scheduler ?? (await chooseScheduler(opts));
  const measurer = new ProviderMeasurer({
    providers: opts.providers,
    env: providerEnvOf(opts.config),
    secrets: opts.secrets ?? noSecrets,
    shutdown: shutdown.signal,
    ...(opts.onProviderError ? { onProviderError: opts.onProviderError } : {}),
    ...(opts.config.coalesceStepMs !== undefined ? { coalesceStepMs: opts.config.coalesceStepMs } : {}),
    ...(opts.config.providerConcurrency !== undefined ? { maxConcurrentPerAddress: opts.config.providerConcurrency } : {}),
    ...(opts.config.maxMeasurementMs !== undefined ? { maxMeasurementMs: opts.config.maxMeasurementMs } : {}),
  });
  const engine = new Engine({
    store: opts.store,
    scheduler,
    measurer,
    secrets: opts.secrets ?? noSecrets,
    clock: { now: () => Date.now() },
  });
  return {
    engine,
    scheduler,
    measurer,
    async close() {
      // Let in-flight ticks finish (the scheduler's grace period) before aborting provider calls,
      // so that a shutdown never records an aborted query as an Error measurement.
      await scheduler.close();
      shutdown.abort();
      await measurer.close();
    },
  };
}
