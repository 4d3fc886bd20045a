/**
 * `assay serve`'s HTTP service: the engine the composition root assembled (composition/serve.ts
 * chooses the run store, scheduler, providers, health checks and resync) behind a `node:http`
 * server, with the template catalog, the event hub and metrics; returns once it listens. The CLI
 * (cli/serve-command.ts) adds flags and signals on top.
 *
 * Roles split one deployment across processes that share a run store and a Redis queue:
 *   all     API + scheduling + tick execution (the default; one process does everything)
 *   api     API + scheduling: creates runs and asks for ticks, never executes one
 *   worker  executes ticks only; the port serves /healthz, /readyz and /metrics
 */
import { createServer, type Server } from 'node:http';
import { stat } from 'node:fs/promises';
import type { AssayConfig } from '../runtime/config.js';
import type { Logger } from '../runtime/logger.js';
import type { Engine } from '../runtime/engine.js';
import type { MetricsRegistry } from '../observability/metrics-registry.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { RunStore } from '../store/run-store.js';
import { analysisRunGauges, analysisTemplateGauges } from '../observability/analysis-metrics.js';
import { Api, reloadAndLog } from './api.js';
import type { EngineMetrics } from '../observability/engine-metrics.js';
import { EventHub } from './event-hub.js';
import type { Health } from '../observability/health.js';
import { createRouter, type ServeRole } from './router.js';
import { SseStreams } from './sse.js';
import { traceRoute } from './trace-api.js';
import { webUiRoutes } from './web-ui.js';
import { measuredValueGauges } from '../observability/measured-metrics.js';
import type { NotifyConfig } from '../notify/config.js';
import { Notifier } from '../notify/notifier.js';
import type { Outbox } from '../notify/outbox.js';
import { TraceLog } from '../runtime/trace-log.js';
import { TemplateCatalog, type ReloadResult } from './template-catalog.js';

export type { ServeRole } from './router.js';

/** What the HTTP service is asked to do (flags and settings); the adapters come as ServerPorts. */
interface HttpServiceOptions {
  config: AssayConfig;
  /** Default 8080; 0 picks a free port (read it back from `port`/`url`). */
  port?: number;
  /** Default 127.0.0.1; use 0.0.0.0 in a container. */
  host?: string;
  role: ServeRole;
  /** Directory of AnalysisTemplates / ClusterAnalysisTemplates (a GitOps checkout). */
  templatesDir?: string;
  /** Ticks executed at once by this process. */
  concurrency: number;
  /** Already tagged with the role. */
  log: Logger;
  /** Host names accepted besides loopback and the bound address when no token is set (--allowed-host). */
  allowedHosts?: string[];
  /** Interval of the SSE heartbeat comment. Default 15 s. */
  heartbeatMs?: number;
  /** Parsed `--notifications FILE`: verdicts (and metric phase changes) sent to webhooks. */
  notifications?: NotifyConfig;
}

/** The adapters the composition root chose, already wired; the service releases them on close. */
interface ServerPorts {
  store: RunStore;
  /** Release the store on close (undefined: the caller keeps ownership). */
  closeStore?: () => Promise<void>;
  assembly: { engine: Engine; scheduler: Scheduler; close(): Promise<void> };
  registry: MetricsRegistry;
  engineMetrics: EngineMetrics;
  health: Health;
  /** How often unfinished runs are re-requested (healing a flushed queue); none when undefined. */
  periodicResyncMs?: number;
  /** Opens the outbox of `--notifications` (only called when notifications are planned here). */
  notificationOutbox: () => Promise<Outbox>;
  /** How the store and the scheduler are described in the start-up log line. */
  describe: { store: string; scheduler: string };
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

/** Refuse settings that cannot work, before any adapter is opened. */
export async function checkServeSettings(role: ServeRole, config: AssayConfig, templatesDir: string | undefined): Promise<void> {
  const problem = roleProblem(role, { redisUrl: config.redisUrl });
  if (problem) throw new ServeError(problem);
  if (templatesDir !== undefined && !(await stat(templatesDir).catch(() => undefined))?.isDirectory()) {
    throw new ServeError(`--templates ${templatesDir}: not a directory`);
  }
}

/**
 * A tick failure is logged with its run; a scheduler error without a run (Redis down, reconnect
 * attempts) once per cause every 30 s.
 */
export function schedulerErrorLog(log: Logger, engineMetrics: EngineMetrics): (err: unknown, key?: string) => void {
  const repeats = new RepeatFilter(30_000);
  return (err, key) => {
    if (key !== undefined) {
      engineMetrics.tickFailed(key);
      log.error({ err, run: key }, 'tick failed; it will be retried');
    } else if (repeats.first(err instanceof Error ? err.message : String(err))) {
      log.error({ err }, 'scheduler error (the same error is logged at most every 30 s)');
    }
  };
}

export async function serveHttp(opts: HttpServiceOptions, ports: ServerPorts): Promise<RunningServer> {
  const { role, log, concurrency } = opts;
  const { store, assembly, registry, engineMetrics, health } = ports;
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
          outbox: await ports.notificationOutbox(),
          log: log.child({ component: 'notifications' }),
          registry,
          tracesOf: (key, metric) => traces.of(key, metric),
        })
      : undefined;
  if (notifier) unlisten.push(engine.listen({ onStatus: (key, run, previous) => notifier.onStatus(key, run, previous) }));
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
    await ports.closeStore?.();
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
        store: ports.describe.store,
        scheduler: ports.describe.scheduler,
      },
      'assay serve listening',
    );
    {
      const redisCheck = (await health.readiness()).checks.redis;
      if (redisCheck && !redisCheck.ok) log.warn({ error: redisCheck.message }, 'Redis is not reachable yet; start-up waits for it');
    }
    // Runs left unfinished by a crash or restart continue from their stored status.
    const resumed = await engine.resync();
    if (resumed > 0) log.info({ runs: resumed }, 'resumed unfinished runs');
    if (executes) {
      await engine.start(concurrency);
      health.markSchedulerStarted();
      if (ports.periodicResyncMs !== undefined) {
        resyncTimer = setInterval(() => {
          engine.resync().catch((err: unknown) => log.warn({ err }, 'periodic resync failed'));
        }, ports.periodicResyncMs);
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
export function withoutPassword(url: string): string {
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
