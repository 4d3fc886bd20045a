/**
 * The engine: the shell that ties the run store, the scheduler and the providers around the
 * pure reconcile. One tick = load the run, reconcile once, write the status if it changed,
 * tell listeners, and say when to look next. Ticks are idempotent: a measurement only counts
 * once its status is written, so a tick re-run after a crash re-measures at most, never twice.
 */
import type { AnalysisRun, AnalysisRunStatus } from '../api/types.js';
import { isCompleted } from '../api/phase.js';
import type { AnalysisEvent } from '../core/assess.js';
import { failStoredRun } from '../core/reconcile.js';
import { ttlDeleteAt } from '../core/ttl.js';
import type { MeasurementTrace } from '../core/trace.js';
import { retentionLimit, retentionMetrics } from '../core/rules.js';
import { settle, type SettleDeps } from '../reconcile/settle.js';
import { SpecPlans } from '../reconcile/settle.js';
import type { Measurer, SecretSource } from '../reconcile/ports.js';
import type { Clock } from '../core/time.js';
import type { Scheduler, TickResult } from '../scheduler/scheduler.js';
import { CorruptRunError, runKey, type RunKey, type RunStore } from '../store/run-store.js';

/** Reconciles in one tick before the engine yields (a run that keeps changing is a bug). */
const MAX_RECONCILES_PER_TICK = 10;

/**
 * Ticks of one run that may start without finishing (the process died while evaluating it)
 * before the run is quarantined: set to Error instead of being evaluated into a crash loop.
 * A single kill mid-tick (a deploy, an OOM elsewhere) is normal and costs nothing.
 */
const MAX_UNFINISHED_TICKS = 3;

export interface EngineListener {
  /** A run's status was written (after every change). */
  onStatus?(key: RunKey, run: AnalysisRun, previous: AnalysisRunStatus | undefined): void;
  /** Argo-style events for the run (Metric<Phase>, AnalysisRun<Phase>). */
  onEvents?(key: RunKey, run: AnalysisRun, events: AnalysisEvent[]): void;
  /** The decision trace of each measurement completed and written by this tick (secrets redacted). */
  onTraces?(key: RunKey, run: AnalysisRun, traces: MeasurementTrace[]): void;
  /** A tick finished; `durationMs` is its wall time and `lateMs` how long after its due time it started. */
  onTick?(key: RunKey, info: { durationMs: number; lateMs: number }): void;
  onDeleted?(key: RunKey): void;
}

export interface EngineDeps {
  store: RunStore;
  scheduler: Scheduler;
  measurer: Measurer;
  secrets: SecretSource;
  clock: Clock;
}

export class Engine {
  private readonly listeners = new Set<EngineListener>();
  /** When each pending tick was due, to report scheduling lateness (only where ticks run here). */
  private readonly dueAt = new Map<RunKey, number>();
  private consuming = false;
  /** What settling a run needs; each run's spec is planned once per spec change, not per tick. */
  private readonly settleDeps: SettleDeps;

  constructor(private readonly deps: EngineDeps) {
    this.settleDeps = { clock: deps.clock, measurer: deps.measurer, secrets: deps.secrets, plans: new SpecPlans() };
  }

  listen(listener: EngineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Store a new run and tick it at once. */
  async submit(run: AnalysisRun): Promise<AnalysisRun> {
    const created = await this.deps.store.create(run);
    await this.schedule(runKey(created), this.deps.clock.now());
    return created;
  }

  /** spec.terminate = true, then tick so the run completes without waiting for its next due time. */
  async terminate(key: RunKey): Promise<boolean> {
    const r = await this.deps.store.terminate(key);
    if (r === 'gone') return false;
    await this.schedule(key, this.deps.clock.now());
    return true;
  }

  async schedule(key: RunKey, at: number): Promise<void> {
    // A process that only schedules (an API role) never ticks, so it must not keep due times.
    const prev = this.dueAt.get(key);
    if (this.consuming && (prev === undefined || at < prev)) this.dueAt.set(key, at);
    await this.deps.scheduler.schedule(key, at);
  }

  /** Start consuming ticks. */
  async start(concurrency = 16): Promise<void> {
    this.consuming = true;
    await this.deps.scheduler.start((key, signal) => this.tick(key, signal), { concurrency });
  }

  /**
   * Ask for a tick of every run that is not completed (and of completed runs with a TTL), so a
   * scheduler that lost its state (Redis flushed, process restarted) picks up where status left off.
   */
  async resync(): Promise<number> {
    const now = this.deps.clock.now();
    const keys: RunKey[] = [];
    for (const run of await this.deps.store.list()) {
      if (!isCompleted(run.status?.phase) || ttlDeleteAt(run) !== undefined) keys.push(runKey(run));
    }
    if (this.deps.scheduler.resync) return this.deps.scheduler.resync(keys, now);
    for (const k of keys) await this.deps.scheduler.schedule(k, now);
    return keys.length;
  }

  async tick(key: RunKey, _signal?: AbortSignal): Promise<TickResult> {
    const started = this.deps.clock.now();
    const due = this.dueAt.get(key);
    this.dueAt.delete(key);
    try {
      return await this.reconcile(key);
    } finally {
      const info = { durationMs: this.deps.clock.now() - started, lateMs: due === undefined ? 0 : Math.max(0, started - due) };
      for (const l of this.listeners) l.onTick?.(key, info);
    }
  }

  private async reconcile(key: RunKey): Promise<TickResult> {
    const { store, clock } = this.deps;
    let run: AnalysisRun | undefined;
    try {
      run = await store.get(key);
    } catch (err) {
      // An unreadable stored run was reported by the store; retrying cannot fix a file.
      if (err instanceof CorruptRunError) return {};
      throw err;
    }
    if (!run) return {};
    if (isCompleted(run.status?.phase)) {
      const deleteAt = ttlDeleteAt(run);
      if (deleteAt === undefined) return {};
      if (clock.now() < deleteAt) return this.next(key, deleteAt);
      await store.delete(key);
      for (const l of this.listeners) l.onDeleted?.(key);
      return {};
    }
    const started = store.beginTick ? await store.beginTick(key) : 0;
    try {
      if (started > MAX_UNFINISHED_TICKS) return await this.quarantine(key, run, started - 1);
      return await this.reconcileActive(key, run);
    } finally {
      await store.endTick?.(key);
    }
  }

  /** A run whose evaluations kept taking the process down: Error, with the reason, never evaluated again. */
  private async quarantine(key: RunKey, run: AnalysisRun, unfinished: number): Promise<TickResult> {
    const message =
      `run quarantined: ${unfinished} evaluations of it started and never finished (the process crashed ` +
      'or was killed while evaluating it); it is not evaluated again';
    const failed = failStoredRun(run, message);
    const written = await this.deps.store.writeStatus(key, run.metadata.uid, failed.run.status!);
    if (written !== 'ok') return {};
    for (const l of this.listeners) {
      l.onStatus?.(key, failed.run, run.status);
      l.onEvents?.(key, failed.run, failed.events);
    }
    return {};
  }

  private async reconcileActive(key: RunKey, run: AnalysisRun): Promise<TickResult> {
    const { store, clock } = this.deps;
    const settled = await settle(run, this.settleDeps, MAX_RECONCILES_PER_TICK);
    const { run: current, changed, nextAt, events, traces } = settled;
    if (changed) {
      const written = await store.writeStatus(key, run.metadata.uid, current.status!);
      if (written === 'gone') return {};
      // Someone else wrote the status meanwhile: this reconcile's view was stale, so drop it
      // (its measurements were never recorded) and reconcile again from a fresh read.
      if (written === 'conflict') return this.next(key, clock.now());
      for (const l of this.listeners) {
        // Traces before status, so a listener showing a status change already knows its why.
        if (traces.length > 0) l.onTraces?.(key, current, traces);
        l.onStatus?.(key, current, run.status);
        if (events.length > 0) l.onEvents?.(key, current, events);
      }
      void this.collectGarbage(current);
    }
    if (isCompleted(current.status?.phase)) {
      const deleteAt = ttlDeleteAt(current);
      return deleteAt === undefined ? {} : this.next(key, deleteAt);
    }
    return nextAt === undefined ? {} : this.next(key, nextAt);
  }

  /**
   * Argo's provider GarbageCollect: for metrics that have taken more measurements than they keep,
   * let the provider delete its leftovers (Jobs) beyond the retention limit. After the status
   * write, best effort: it never delays or changes a verdict.
   */
  private async collectGarbage(run: AnalysisRun): Promise<void> {
    const gc = this.deps.measurer.garbageCollect?.bind(this.deps.measurer);
    if (!gc) return;
    const ref = { namespace: run.metadata.namespace ?? 'default', name: run.metadata.name ?? '', uid: run.metadata.uid ?? '' };
    // The same rules (last match wins) the reconcile used to trim the measurements; without
    // rules every metric keeps the default, and no rule needs matching.
    const specRules = run.spec.measurementRetention;
    const rules = specRules && specRules.length > 0 ? retentionMetrics(specRules, run.spec.metrics) : undefined;
    if (rules && !rules.ok) return;
    for (const result of run.status?.metricResults ?? []) {
      const taken = (result.count ?? 0) + (result.error ?? 0);
      if (!rules && taken <= retentionLimit(undefined)) continue;
      const metric = run.spec.metrics.find((m) => m.name === result.name);
      if (!metric) continue;
      const limit = retentionLimit(rules?.value.get(metric.name));
      if (taken > limit) await gc(ref, metric, limit);
    }
  }

  private next(key: RunKey, at: number): TickResult {
    const prev = this.dueAt.get(key);
    if (prev === undefined || at < prev) this.dueAt.set(key, at);
    return { next: at };
  }
}
