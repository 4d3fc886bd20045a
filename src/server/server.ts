/**
 * `assay serve` as a library: the engine behind an HTTP API. `startServer` wires the run store,
 * the assembly (engine + scheduler + providers), the template catalog, the event hub, metrics and
 * health into a `node:http` server, and returns once it listens. The CLI (cli/serve-command.ts)
 * adds flags and signals on top; tests call this directly.
 *
 * Roles split one deployment across processes that share a store directory and a Redis queue:
 *   all     API + scheduling + tick execution (the default; one process does everything)
 *   api     API + scheduling: creates runs and asks for ticks, never executes one
 *   worker  executes ticks only; the port serves /healthz, /readyz and /metrics
 */
import { createServer, type Server } from 'node:http';
import { stat } from 'node:fs/promises';
import type { MetricProvider } from '../metric/provider.js';
import type { SecretSource } from '../reconcile/ports.js';
import { assemble, builtinProviders } from '../runtime/assemble.js';
import type { AssayConfig } from '../runtime/config.js';
import { silentLogger, type Logger } from '../runtime/logger.js';
import { MetricsRegistry } from '../runtime/metrics.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import { FileRunStore } from '../store/file-store.js';
import { MemoryRunStore } from '../store/memory-store.js';
import { RedisRunStore } from '../store/redis-store.js';
import type { RunStore } from '../store/run-store.js';
import { analysisRunGauges, analysisTemplateGauges } from './analysis-metrics.js';
import { Api, reloadAndLog } from './api.js';
import { EngineMetrics } from './engine-metrics.js';
import { EventHub } from './event-hub.js';
import { Health } from './health.js';
import { createRouter, type ServeRole } from './router.js';
import { SseStreams } from './sse.js';
import { traceRoute } from './trace-api.js';
import { webUiRoutes } from './web-ui.js';
import { measuredValueGauges } from './measured-metrics.js';
import type { NotifyConfig } from '../notify/config.js';
import { Notifier } from '../notify/notifier.js';
import { TraceLog } from '../runtime/trace-log.js';
import { TemplateCatalog, type ReloadResult } from './template-catalog.js';

export type { ServeRole } from './router.js';

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

export interface RunningServer {
  url: string;
  port: number;
  role: ServeRole;
  /** Reload the templates directory (what SIGHUP does). */
  reloadTemplates(): Promise<ReloadResult>;
  /** Stop accepting, end event streams, finish in-flight ticks, release everything. Idempotent. */
  close(): Promise<void>;
}

export const DEFAULT_SERVE_CONCURRENCY = 64;

/** ASSAY_PROVIDER_CONCURRENCY when set (0 = unbounded), else half the tick concurrency, at most 64. */
export function perAddressBound(configured: number | undefined, concurrency: number): number {
  if (configured !== undefined) return configured;
  return Math.max(1, Math.min(64, Math.floor(concurrency / 2)));
}

/** A start-up problem the operator must fix (bad flag combination, port in use, missing directory). */
export class ServeError extends Error {}

/** Why `role` cannot run with these settings, or undefined when it can. */
export function roleProblem(role: ServeRole, opts: { redisUrl?: string | undefined; storeDir?: string | undefined; store?: RunStore | undefined }): string | undefined {
  if (role === 'all' || opts.redisUrl) return undefined;
  return `--role ${role} needs REDIS_URL (the queue the api and worker processes share, and their run store unless --store-dir names a shared directory); a single process with everything in it is --role all (the default)`;
}

/**
 * The run store: files with --store-dir (survive restarts; shareable on one host), else Redis
 * when REDIS_URL is set (shared by hosts that have nothing else in common), else memory.
 */
async function openStore(storeDir: string | undefined, config: AssayConfig, log: Logger): Promise<RunStore> {
  if (storeDir) {
    return FileRunStore.open(storeDir, {
      onProblem: (p) => log.error({ run: p.run, file: p.file }, `stored run is unreadable and skipped: ${p.message}`),
    });
  }
  const url = config.storeRedisUrl ?? config.redisUrl;
  if (url) return new RedisRunStore(url, { prefix: `${config.queueName}:store` });
  return new MemoryRunStore();
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const role = opts.role ?? 'all';
  const log = (opts.logger ?? silentLogger()).child({ role });
  const problem = roleProblem(role, { redisUrl: opts.config.redisUrl, storeDir: opts.storeDir, store: opts.store });
  if (problem) throw new ServeError(problem);
  if (opts.templatesDir !== undefined && !(await stat(opts.templatesDir).catch(() => undefined))?.isDirectory()) {
    throw new ServeError(`--templates ${opts.templatesDir}: not a directory`);
  }
  const ownsStore = opts.store === undefined;
  const store: RunStore = opts.store ?? (await openStore(opts.storeDir, opts.config, log));
  const registry = new MetricsRegistry();
  // While Redis is down its clients report every reconnect attempt; one line per cause is enough.
  const repeats = new RepeatFilter(30_000);
  const engineMetrics = new EngineMetrics(registry);
  const concurrency = opts.concurrency ?? DEFAULT_SERVE_CONCURRENCY;
  const assembly = assemble({
    // One backend may hold at most half of the tick slots in flight, so that hung backends
    // (each call bounded by the measurement ceiling) cannot starve the other runs' verdicts.
    config: { ...opts.config, providerConcurrency: perAddressBound(opts.config.providerConcurrency, concurrency) },
    store,
    providers: engineMetrics.timed([...builtinProviders(), ...(opts.providers ?? [])]),
    ...(opts.scheduler ? { scheduler: opts.scheduler } : {}),
    ...(opts.secrets ? { secrets: opts.secrets } : {}),
    onProviderError: (provider, code) => engineMetrics.providerError(provider, code),
    onSchedulerError: (err, key) => {
      if (key !== undefined) {
        engineMetrics.tickFailed(key);
        log.error({ err, run: key }, 'tick failed; it will be retried');
      } else if (repeats.first(err instanceof Error ? err.message : String(err))) {
        log.error({ err }, 'scheduler error (the same error is logged at most every 30 s)');
      }
    },
  });
  const { engine } = assembly;
  const executes = role !== 'api';
  const servesApi = role !== 'worker';
  const hub = servesApi ? new EventHub(store, { deriveEvents: !executes }) : undefined;
  const catalog = new TemplateCatalog(servesApi ? opts.templatesDir : undefined);
  const traces = new TraceLog();
  const unlisten = [
    engineMetrics.attach(engine),
    engine.listen({
      onTraces: (key, run, ts) => traces.record(key, run, ts),
      onDeleted: (key) => traces.forget(key),
      onStatus: (key, run, previous) => {
        const phase = run.status?.phase ?? '';
        if (phase !== (previous?.phase ?? '')) {
          log.info({ run: key, phase, previousPhase: previous?.phase ?? '', message: run.status?.message || undefined }, 'run phase changed');
        }
      },
      onEvents: (key, _run, events) => hub?.publishEvents(key, events),
    }),
  ];
  // Notifications are planned where ticks run (the status writes happen there); with Redis the
  // outbox is shared, so any process may deliver.
  const notifier =
    opts.notifications && executes
      ? await Notifier.start({
          config: opts.notifications,
          ...(opts.config.redisUrl ? { redisUrl: opts.config.redisUrl, redisPrefix: `assay:notify:${opts.config.queueName}` } : {}),
          log: log.child({ component: 'notifications' }),
          registry,
          tracesOf: (key, metric) => traces.of(key, metric),
        })
      : undefined;
  if (notifier) unlisten.push(engine.listen({ onStatus: (key, run, previous) => notifier.onStatus(key, run, previous) }));
  let schedulerStarted = false;
  const health = new Health({
    store,
    schedulerStarted: () => (executes ? schedulerStarted : undefined),
    ...(opts.config.redisUrl ? { redisUrl: opts.config.redisUrl } : {}),
  });
  const sse = hub ? new SseStreams(hub, store, opts.heartbeatMs ?? 15_000) : undefined;
  const api =
    servesApi && sse
      ? new Api({
          engine,
          store,
          scheduler: assembly.scheduler,
          catalog,
          sse,
          log,
          onDeleted: (key) => {
            engineMetrics.forget(key);
            traces.forget(key);
          },
        })
      : undefined;
  if (servesApi) {
    registry.collect('analysis runs', async () => analysisRunGauges(await store.list()));
    registry.collect('measured values', async () => measuredValueGauges(await store.list()));
    registry.collect('analysis templates', () => analysisTemplateGauges(catalog.templates()));
  }
  const guard = { boundHost: opts.host ?? '127.0.0.1', allowedHosts: [...(opts.config.allowedHosts ?? []), ...(opts.allowedHosts ?? [])] };
  const extraRoutes = servesApi ? [traceRoute(store, traces), ...webUiRoutes()] : [];
  const server = createServer(
    createRouter({ role, api, health, metrics: registry, log, guard, extraRoutes, ...(opts.config.apiToken ? { apiToken: opts.config.apiToken } : {}) }),
  );

  let resyncTimer: NodeJS.Timeout | undefined;
  const release = async (): Promise<void> => {
    if (resyncTimer) clearInterval(resyncTimer);
    await assembly.close();
    await notifier?.close();
    for (const u of unlisten) u();
    hub?.close();
    await health.close();
    if (ownsStore) await store.close?.();
  };

  const host = opts.host ?? '127.0.0.1';
  let url = '';
  let port = 0;
  try {
    hub?.start();
    if (servesApi) await reloadAndLog(catalog, log);
    // Listen before touching Redis: while it is unreachable, /healthz answers and /readyz says why.
    await listen(server, opts.port ?? 8080, host);
    const address = server.address();
    port = typeof address === 'object' && address !== null ? address.port : (opts.port ?? 8080);
    url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    log.info(
      {
        url,
        store: opts.store ? 'custom' : opts.storeDir ? `file:${opts.storeDir}` : (opts.config.storeRedisUrl ?? opts.config.redisUrl) ? `redis:${withoutPassword((opts.config.storeRedisUrl ?? opts.config.redisUrl)!)}` : 'memory',
        scheduler: opts.config.redisUrl ? `redis:${withoutPassword(opts.config.redisUrl)}` : 'memory',
      },
      'assay serve listening',
    );
    if (opts.config.redisUrl) {
      const redisCheck = (await health.readiness()).checks.redis;
      if (redisCheck && !redisCheck.ok) log.warn({ error: redisCheck.message }, 'Redis is not reachable yet; start-up waits for it');
    }
    // Runs left unfinished by a crash or restart continue from their stored status.
    const resumed = await engine.resync();
    if (resumed > 0) log.info({ runs: resumed }, 'resumed unfinished runs');
    if (executes) {
      await engine.start(concurrency);
      schedulerStarted = true;
      if (opts.config.redisUrl) {
        resyncTimer = setInterval(() => {
          engine.resync().catch((err: unknown) => log.warn({ err }, 'periodic resync failed'));
        }, opts.resyncIntervalMs ?? 5 * 60_000);
        resyncTimer.unref();
      }
    }
  } catch (err) {
    server.close();
    server.closeAllConnections();
    await release().catch(() => undefined);
    throw err;
  }

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    role,
    // A worker has no templates to reload; SIGHUP is then a no-op rather than a confusing log line.
    reloadTemplates: () => (servesApi ? reloadAndLog(catalog, log) : catalog.reload()),
    close: () => {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        sse?.closeAll();
        server.closeIdleConnections();
        // In-flight requests get a few seconds to finish; then their connections are cut.
        const cut = setTimeout(() => server.closeAllConnections(), 5000);
        await closed;
        clearTimeout(cut);
        await release();
        log.info('assay serve stopped');
      })();
      return closing;
    },
  };
}

/** Lets a message through the first time, then again only after `windowMs`. */
class RepeatFilter {
  private readonly seen = new Map<string, number>();
  constructor(private readonly windowMs: number) {}
  first(message: string): boolean {
    const now = Date.now();
    const last = this.seen.get(message);
    if (last !== undefined && now - last < this.windowMs) return false;
    if (this.seen.size > 100) this.seen.clear();
    this.seen.set(message, now);
    return true;
  }
}

/** A Redis URL fit for logs: the password (redis://:secret@host) replaced. */
function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      if (err.code === 'EADDRINUSE') reject(new ServeError(`${host}:${port} is already in use; pick another port with --port`));
      else if (err.code === 'EACCES') reject(new ServeError(`not allowed to listen on ${host}:${port}; ports below 1024 need privileges`));
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') reject(new ServeError(`--host ${host}: no such local address`));
      else reject(err);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
