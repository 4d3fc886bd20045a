/**
 * The composition root: the only place that chooses concrete adapters (memory or BullMQ
 * scheduler, providers) and wires them into an Engine. Everything else receives ports.
 */
import { setMaxListeners } from 'node:events';
import { createCloudWatchProvider } from '../../providers/cloudwatch/index.js';
import { createDatadogProvider } from '../../providers/datadog/index.js';
import { createGraphiteProvider } from '../../providers/graphite/index.js';
import { createInfluxdbProvider } from '../../providers/influxdb/index.js';
import { createKayentaProvider } from '../../providers/kayenta/index.js';
import { createNewRelicProvider } from '../../providers/newrelic/index.js';
import { createPrometheusProvider } from '../../providers/prometheus/index.js';
import { createSkyWalkingProvider } from '../../providers/skywalking/index.js';
import { createWavefrontProvider } from '../../providers/wavefront/index.js';
import { createWebProvider } from '../../providers/web/index.js';
import { pluginProviders } from './plugin-providers.js';
import type { MetricProvider, ProviderEnv } from '../metric/provider.js';
import type { SecretSource } from '../reconcile/ports.js';
import { BullMQScheduler } from '../scheduler/bullmq-scheduler.js';
import { MemoryScheduler } from '../scheduler/memory-scheduler.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { RunStore } from '../store/run-store.js';
import type { AssayConfig } from './config.js';
import { Engine } from './engine.js';
import { ProviderMeasurer } from './provider-measurer.js';

export interface Assembly {
  engine: Engine;
  scheduler: Scheduler;
  measurer: ProviderMeasurer;
  /** Stop ticking, abort in-flight provider calls, release connections. */
  close(): Promise<void>;
}

export interface AssembleOptions {
  config: AssayConfig;
  store: RunStore;
  secrets?: SecretSource;
  /** Extra providers (tests, plugins), added to the built-in ones. */
  providers?: MetricProvider<unknown>[];
  /** Scheduler override; by default BullMQ when config.redisUrl is set, else in-memory. */
  scheduler?: Scheduler;
  onProviderError?: (provider: string, code: string) => void;
  onSchedulerError?: (err: unknown, runKey?: string) => void;
}

export function builtinProviders(): MetricProvider<unknown>[] {
  return [
    createPrometheusProvider() as MetricProvider<unknown>,
    createWebProvider() as MetricProvider<unknown>,
    createDatadogProvider() as MetricProvider<unknown>,
    createNewRelicProvider() as MetricProvider<unknown>,
    createWavefrontProvider() as MetricProvider<unknown>,
    createKayentaProvider() as MetricProvider<unknown>,
    createCloudWatchProvider() as MetricProvider<unknown>,
    createGraphiteProvider() as MetricProvider<unknown>,
    createInfluxdbProvider() as MetricProvider<unknown>,
    createSkyWalkingProvider() as MetricProvider<unknown>,
    ...pluginProviders(),
  ];
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

export function assemble(opts: AssembleOptions): Assembly {
  const shutdown = new AbortController();
  // Every provider call in flight listens on this one signal (providers/shared/deadline.ts):
  // more than 10 at once is normal, not a leak.
  setMaxListeners(0, shutdown.signal);
  const scheduler =
    opts.scheduler ??
    (opts.config.redisUrl
      ? new BullMQScheduler({
          connection: opts.config.redisUrl,
          queueName: opts.config.queueName,
          ...(opts.config.bullmqLockMs ? { lockDurationMs: opts.config.bullmqLockMs } : {}),
          ...(opts.config.bullmqStalledMs ? { stalledIntervalMs: opts.config.bullmqStalledMs } : {}),
          ...(opts.onSchedulerError ? { onError: opts.onSchedulerError } : {}),
        })
      : new MemoryScheduler(opts.onSchedulerError ? { onError: (e, k) => opts.onSchedulerError!(e, k) } : {}));
  const measurer = new ProviderMeasurer({
    providers: [...builtinProviders(), ...(opts.providers ?? [])],
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
