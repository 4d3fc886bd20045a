/**
 * `assay controller`: owns AnalysisRuns in a cluster beside Argo Rollouts (which runs with
 * --analysis-threads=0) or alone. Informers feed the scheduler; the engine reconciles and writes
 * status as Argo does (merge patch on the run, only when something changed); events go to the
 * run; completed runs are garbage-collected by ttlStrategy. With several replicas and no Redis,
 * one leader (a Lease) ticks; with Redis every replica is a BullMQ worker.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { isCompleted } from '../api/phase.js';
import { errorText } from '../kube/api-errors.js';
import { KubeEventRecorder } from '../kube/kube-events.js';
import { KubeRunStore } from '../kube/kube-run-store.js';
import { KubeSecretSource } from '../kube/kube-secrets.js';
import { KubeTemplateCatalog } from '../kube/kube-templates.js';
import { LeaderElector } from '../kube/leader-election.js';
import type { MetricProvider } from '../metric/provider.js';
import { createJobProvider } from '../../providers/job/index.js';
import { assemble, type Assembly } from '../runtime/assemble.js';
import type { AssayConfig } from '../runtime/config.js';
import type { Engine } from '../runtime/engine.js';
import { TraceLog } from '../runtime/trace-log.js';
import { measurementEvents, verdictEvents } from '../engine/explain.js';

export interface ControllerOptions {
  config: AssayConfig;
  kubeConfig: KubeConfig;
  /** Watch only these namespaces (all when empty). */
  namespaces?: readonly string[];
  concurrency?: number;
  /** Elect one leader among replicas with a Lease (ignored with Redis: every replica works). */
  leaderElect?: boolean;
  leaseNamespace?: string;
  leaseName?: string;
  identity?: string;
  leaseMs?: number;
  renewMs?: number;
  /** Extra providers (the job provider needs the controller's KubeConfig). */
  providers?: MetricProvider<unknown>[];
  /** Periodic resync of every unfinished run (heals a lost scheduler state). Default 5 min. */
  resyncMs?: number;
  /**
   * Status writes per second to the Kubernetes API (token bucket, burst `kubeBurst`, default
   * ceil(qps)); a status that completes a run jumps the queue. Unlimited when absent or 0.
   */
  kubeQps?: number;
  kubeBurst?: number;
  /** Observes each status-write token taken (bucket clock): how tests check the budget. */
  onKubeWriteToken?: (at: number) => void;
  /** Lost leadership: by default the process exits so its replacement starts clean. */
  onLostLeadership?: () => void;
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

/**
 * The API server did not answer the first list of AnalysisRuns or templates: no cache to reconcile
 * from. The message names the URL and the cause (`fetch failed: connect ECONNREFUSED ...`).
 */
export class ControllerStartError extends Error {}

export class Controller {
  private resyncTimer: NodeJS.Timeout | undefined;
  private elector: LeaderElector | undefined;
  private ticking = false;
  private stopping = false;
  private unwatch: (() => void) | undefined;
  /** Decision traces of the runs this replica measured (memory, bounded like measurement retention). */
  readonly traces = new TraceLog();

  private constructor(
    private readonly opts: ControllerOptions,
    readonly store: KubeRunStore,
    /** AnalysisTemplates and ClusterAnalysisTemplates in the cluster (lookup and metrics). */
    readonly templates: KubeTemplateCatalog,
    private readonly assembly: Assembly,
  ) {}

  get engine(): Engine {
    return this.assembly.engine;
  }

  isLeader(): boolean {
    return this.ticking;
  }

  /** Informers whose cache is not synced now (an API error since their last list), for /readyz. */
  unsynced(): string[] {
    return [...this.store.unsynced(), ...this.templates.unsynced()].map((u) => `${u.path}: ${errorText(u.error)}`);
  }

  /**
   * Start the informers and wait for their first list; if any list fails (no API server at the
   * kubeconfig's URL, refused credentials, plain http without skipTLSVerify) everything started is
   * stopped and a ControllerStartError names the URL and the cause: a controller without a cache
   * must fail loudly, not loop.
   */
  static async start(opts: ControllerOptions): Promise<Controller> {
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
    const assembly = assemble({
      config: opts.config,
      store,
      secrets: new KubeSecretSource(opts.kubeConfig),
      // The job provider needs the controller's own Kubernetes client.
      providers: opts.providers ?? [createJobProvider({ kubeConfig: opts.kubeConfig }) as MetricProvider<unknown>],
      onSchedulerError: (err, key) => log('warn', `tick failed${key ? ` for ${key}` : ''}: ${errorText(err)}`),
    });
    const controller = new Controller(opts, store, templates, assembly);
    const events = new KubeEventRecorder(opts.kubeConfig, 'assay-controller', (err) => log('warn', `event not recorded: ${errorText(err)}`, { server }));
    const traces = controller.traces;
    assembly.engine.listen({
      onEvents: (_key, run, evs) => void events.record(run, evs, Date.now()),
      // Why, as events beside Argo's: each measurement that did not succeed, then the verdict's reasons.
      onTraces: (key, run, ts) => {
        traces.record(key, run, ts);
        const why = measurementEvents(ts);
        if (why.length > 0) void events.record(run, why, Date.now());
      },
      onStatus: (key, run, prev) => {
        if (isCompleted(run.status?.phase) && !isCompleted(prev?.phase)) {
          void events.record(run, verdictEvents(run, (metric) => traces.of(key, metric)), Date.now());
        }
        if (run.status?.phase !== prev?.phase) log('info', 'analysis run phase changed', { run: key, from: prev?.phase ?? '', to: run.status?.phase, message: run.status?.message });
      },
      onDeleted: (key) => {
        traces.forget(key);
        log('info', 'analysis run deleted by ttlStrategy', { run: key });
      },
    });
    // Every change from outside (a new run, a Rollout setting spec.terminate, a relist) asks for
    // a tick now; our own status writes coming back through the informer do not.
    controller.unwatch = store.watch((change) => {
      if (change.type === 'delete') {
        controller.traces.forget(change.key);
        return void assembly.scheduler.cancel(change.key);
      }
      if (change.own) return;
      const run = change.run;
      if (isCompleted(run.status?.phase) && !run.spec.ttlStrategy) return;
      void assembly.engine.schedule(change.key, Date.now());
    });
    const lead = opts.leaderElect && !opts.config.redisUrl;
    if (lead) {
      controller.elector = new LeaderElector({
        kubeConfig: opts.kubeConfig,
        namespace: opts.leaseNamespace ?? 'default',
        name: opts.leaseName ?? 'assay-controller',
        identity: opts.identity ?? `assay-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
        ...(opts.leaseMs ? { leaseMs: opts.leaseMs } : {}),
        ...(opts.renewMs ? { renewMs: opts.renewMs } : {}),
        onStartedLeading: () => controller.startTicking(),
        onStoppedLeading: () => {
          if (controller.stopping) return;
          log('warn', 'lost leadership');
          (opts.onLostLeadership ?? (() => process.exit(1)))();
        },
        onError: (err) => log('warn', `leader election: ${errorText(err)}`, { server }),
      });
      await controller.elector.start();
    } else {
      await controller.startTicking();
    }
    return controller;
  }

  private async startTicking(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    await this.assembly.engine.start(this.opts.concurrency ?? 16);
    // Runs created before this process started continue where their status left off.
    await this.assembly.engine.resync();
    this.resyncTimer = setInterval(() => void this.assembly.engine.resync(), this.opts.resyncMs ?? this.opts.config.resyncMs ?? 300_000);
    this.resyncTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.unwatch?.();
    await this.elector?.stop();
    await this.assembly.close();
    await this.store.close();
    await this.templates.stop();
  }
}
