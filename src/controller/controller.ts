/**
 * `assay controller`: owns AnalysisRuns in a cluster beside Argo Rollouts (which runs with
 * --analysis-threads=0) or alone. Informers feed the scheduler; the engine reconciles and writes
 * status as Argo does (merge patch on the run, only when something changed); events go to the
 * run; completed runs are garbage-collected by ttlStrategy. With several replicas and no Redis,
 * one leader (a Lease) ticks; with Redis every replica is a BullMQ worker. The Kubernetes
 * adapters are chosen and started by the composition root (composition/cluster.ts).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { AnalysisRun } from '../api/types.js';
import type { AnalysisEvent } from '../core/assess.js';
import { isCompleted } from '../api/phase.js';
import { errorText } from '../kube/api-errors.js';
import type { KubeRunStore } from '../kube/kube-run-store.js';
import type { KubeTemplateCatalog } from '../kube/kube-templates.js';
import type { MetricProvider } from '../metric/provider.js';
import type { AssayConfig } from '../runtime/config.js';
import type { Engine } from '../runtime/engine.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import { TraceLog } from '../runtime/trace-log.js';
import { measurementEvents, verdictEvents } from '../core/explain.js';

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

/** The adapters composition/cluster.ts started for a controller. */
export interface ControllerPorts {
  store: KubeRunStore;
  templates: KubeTemplateCatalog;
  assembly: { engine: Engine; scheduler: Scheduler; close(): Promise<void> };
  /** Where Argo-style events about a run go (Kubernetes Events). */
  events: { record(run: AnalysisRun, events: readonly AnalysisEvent[], now: number): Promise<void> };
  /** One leader among replicas, or undefined when this replica ticks at once (Redis, or no --leader-elect). */
  election?: (leading: { onStartedLeading(): Promise<void>; onStoppedLeading(): void }) => { start(): Promise<void>; stop(): Promise<void> };
  /** Interval of the resync of every unfinished run. */
  resyncMs: number;
}

/**
 * The API server did not answer the first list of AnalysisRuns or templates: no cache to reconcile
 * from. The message names the URL and the cause (`fetch failed: connect ECONNREFUSED ...`).
 */
export class ControllerStartError extends Error {}

export class Controller {
  private resyncTimer: NodeJS.Timeout | undefined;
  private elector: { start(): Promise<void>; stop(): Promise<void> } | undefined;
  private ticking = false;
  private stopping = false;
  private unwatch: (() => void) | undefined;
  /** Decision traces of the runs this replica measured (memory, bounded like measurement retention). */
  readonly traces = new TraceLog();
  /** Runs in the cluster (the informer's cache). */
  readonly store: KubeRunStore;
  /** AnalysisTemplates and ClusterAnalysisTemplates in the cluster (lookup and metrics). */
  readonly templates: KubeTemplateCatalog;

  private constructor(
    private readonly opts: ControllerOptions,
    private readonly ports: ControllerPorts,
  ) {
    this.store = ports.store;
    this.templates = ports.templates;
  }

  get engine(): Engine {
    return this.ports.assembly.engine;
  }

  isLeader(): boolean {
    return this.ticking;
  }

  /** Informers whose cache is not synced now (an API error since their last list), for /readyz. */
  unsynced(): string[] {
    return [...this.store.unsynced(), ...this.templates.unsynced()].map((u) => `${u.path}: ${errorText(u.error)}`);
  }

  /** Wire the engine to the cluster's events and informers, then tick (at once, or once leading). */
  static async start(opts: ControllerOptions, ports: ControllerPorts): Promise<Controller> {
    const log = opts.log ?? (() => undefined);
    const { assembly, store, events } = ports;
    const controller = new Controller(opts, ports);
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
    if (ports.election) {
      controller.elector = ports.election({
        onStartedLeading: () => controller.startTicking(),
        onStoppedLeading: () => {
          if (controller.stopping) return;
          log('warn', 'lost leadership');
          (opts.onLostLeadership ?? (() => process.exit(1)))();
        },
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
    await this.ports.assembly.engine.start(this.opts.concurrency ?? 16);
    // Runs created before this process started continue where their status left off.
    await this.ports.assembly.engine.resync();
    this.resyncTimer = setInterval(() => void this.ports.assembly.engine.resync(), this.ports.resyncMs);
    this.resyncTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.unwatch?.();
    await this.elector?.stop();
    await this.ports.assembly.close();
    await this.store.close();
    await this.templates.stop();
  }
}
