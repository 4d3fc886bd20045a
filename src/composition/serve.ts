/**
 * `assay serve`: the run store (files with --store-dir, else Redis with REDIS_URL, else memory),
 * the scheduler, the live providers timed by the engine metrics, the readiness checks and the
 * periodic resync, handed as ports to the HTTP service (server/server.ts). Tests call
 * startServer directly, with a store, scheduler or providers of their own.
 */
import type { MetricProvider } from '../metric/provider.js';
import { EngineMetrics } from '../observability/engine-metrics.js';
import { Health } from '../observability/health.js';
import { MetricsRegistry } from '../observability/metrics-registry.js';
import type { SecretSource } from '../reconcile/ports.js';
import type { AssayConfig } from '../runtime/config.js';
import { silentLogger, type Logger } from '../runtime/logger.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import { MemoryRunStore } from '../store/memory-store.js';
import type { RunStore } from '../store/run-store.js';
import type { NotifyConfig } from '../notify/config.js';
import {
  checkServeSettings,
  DEFAULT_SERVE_CONCURRENCY,
  perAddressBound,
  schedulerErrorLog,
  serveHttp,
  withoutPassword,
  type RunningServer,
  type ServeRole,
} from '../server/server.js';
import { assemble, notificationOutbox } from './engine.js';
import { liveProviders } from './provider-registry.js';

export interface ServerOptions {
  config: AssayConfig;
  /** Default 8080; 0 picks a free port (read it back from `port`/`url`). */
  port?: number;
  /** Default 127.0.0.1; use 0.0.0.0 in a container. */
  host?: string;
  role?: ServeRole;
  /** Directory of AnalysisTemplates / ClusterAnalysisTemplates (a GitOps checkout). */
  templatesDir?: string;
  /** FileRunStore directory, shareable by several processes. Without it (and without `store`): memory. */
  storeDir?: string;
  /** A store to use instead (tests); the caller keeps ownership and closes it. */
  store?: RunStore;
  /** Ticks executed at once by this process. Default 64 (ticks wait on I/O, not CPU). */
  concurrency?: number;
  logger?: Logger;
  /** Extra metric providers (tests, plugins); a provider replaces a built-in one with the same key. */
  providers?: MetricProvider<unknown>[];
  /** Scheduler override (tests); default BullMQ when config.redisUrl is set, else in-memory. */
  scheduler?: Scheduler;
  /** Host names accepted besides loopback and the bound address when no token is set (--allowed-host). */
  allowedHosts?: string[];
  /** Secrets for secretKeyRef args and provider credentials (`--secrets` files); default none. */
  secrets?: SecretSource;
  /** Interval of the SSE heartbeat comment. Default 15 s. */
  heartbeatMs?: number;
  /** With Redis: how often unfinished runs are re-requested, healing a flushed queue. Default 5 min. */
  resyncIntervalMs?: number;
  /** Parsed `--notifications FILE`: verdicts (and metric phase changes) sent to webhooks. */
  notifications?: NotifyConfig;
}

interface ChosenStore {
  store: RunStore;
  close?: () => Promise<void>;
  describe: string;
}

/**
 * Files with --store-dir (survive restarts; shareable on one host), else Redis when REDIS_URL is
 * set (shared by hosts that have nothing else in common), else memory. The file and Redis stores
 * are imported only when chosen.
 */
async function openStore(storeDir: string | undefined, config: AssayConfig, log: Logger): Promise<ChosenStore> {
  if (storeDir) {
    const { FileRunStore } = await import('../store/file-store.js');
    const store = await FileRunStore.open(storeDir, {
      onProblem: (p) => log.error({ run: p.run, file: p.file }, `stored run is unreadable and skipped: ${p.message}`),
    });
    return { store, close: () => store.close(), describe: `file:${storeDir}` };
  }
  const url = config.storeRedisUrl ?? config.redisUrl;
  if (url) {
    const { RedisRunStore } = await import('../store/redis-store.js');
    const store = new RedisRunStore(url, { prefix: `${config.queueName}:store` });
    return { store, close: () => store.close(), describe: `redis:${withoutPassword(url)}` };
  }
  return { store: new MemoryRunStore(), describe: 'memory' };
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const role = opts.role ?? 'all';
  const log = (opts.logger ?? silentLogger()).child({ role });
  await checkServeSettings(role, opts.config, opts.templatesDir);
  const chosen: ChosenStore = opts.store ? { store: opts.store, describe: 'custom' } : await openStore(opts.storeDir, opts.config, log);
  const { store } = chosen;
  const registry = new MetricsRegistry();
  const engineMetrics = new EngineMetrics(registry);
  const concurrency = opts.concurrency ?? DEFAULT_SERVE_CONCURRENCY;
  const redisUrl = opts.config.redisUrl;
  let assembly: Awaited<ReturnType<typeof assemble>>;
  try {
    assembly = await assemble({
      // One backend may hold at most half of the tick slots in flight, so that hung backends
      // (each call bounded by the measurement ceiling) cannot starve the other runs' verdicts.
      config: { ...opts.config, providerConcurrency: perAddressBound(opts.config.providerConcurrency, concurrency) },
      store,
      providers: engineMetrics.timed([...liveProviders(), ...(opts.providers ?? [])]),
      ...(opts.scheduler ? { scheduler: opts.scheduler } : {}),
      ...(opts.secrets ? { secrets: opts.secrets } : {}),
      onProviderError: (provider, code) => engineMetrics.providerError(provider, code),
      onSchedulerError: schedulerErrorLog(log, engineMetrics),
    });
  } catch (err) {
    await chosen.close?.().catch(() => undefined);
    throw err;
  }
  const health = new Health({ store, consumesTicks: role !== 'api', ...(redisUrl ? { redisUrl } : {}) });
  return await serveHttp(
    {
      config: opts.config,
      role,
      log,
      concurrency,
      ...(opts.port !== undefined ? { port: opts.port } : {}),
      ...(opts.host !== undefined ? { host: opts.host } : {}),
      ...(opts.templatesDir !== undefined ? { templatesDir: opts.templatesDir } : {}),
      ...(opts.allowedHosts ? { allowedHosts: opts.allowedHosts } : {}),
      ...(opts.heartbeatMs !== undefined ? { heartbeatMs: opts.heartbeatMs } : {}),
      ...(opts.notifications ? { notifications: opts.notifications } : {}),
    },
    {
      store,
      ...(chosen.close ? { closeStore: chosen.close } : {}),
      assembly,
      registry,
      engineMetrics,
      health,
      notificationOutbox: () => notificationOutbox(opts.config),
      // Only a shared queue can lose requests behind this process's back (a flushed Redis).
      ...(redisUrl ? { periodicResyncMs: opts.resyncIntervalMs ?? 5 * 60_000 } : {}),
      describe: { store: chosen.describe, scheduler: redisUrl ? `redis:${withoutPassword(redisUrl)}` : 'memory' },
    },
  );
}
