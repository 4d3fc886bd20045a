/**
 * Instruments that observe assay from the outside, through the ports it already has:
 * - `LatenessProbe` wraps a RunStore: a tick's first act is reading its run, and the run's status
 *   says when that tick was due (last measurement's finishedAt + interval). Lateness = read time −
 *   due. Works for any scheduler and any number of processes (BullMQ moves a run's ticks between
 *   workers; the engine's own lateness figure only knows due times scheduled in its process).
 * - `VerdictProbe` pairs the end of a run's deciding measurement (recorded by the provider) with
 *   the moment the store reports the terminal status written.
 */
import { isCompleted } from '../../src/api/phase.js';
import type { AnalysisRun, AnalysisRunStatus } from '../../src/api/types.js';
import { parseTime } from '../../src/core/time.js';
import type { RunKey, RunStore, StoreChange } from '../../src/store/run-store.js';
import { LatencyHistogram } from './stats.js';

export class Window {
  start = Number.POSITIVE_INFINITY;
  end = Number.POSITIVE_INFINITY;
  open(now = Date.now(), durationMs = Number.POSITIVE_INFINITY): void {
    this.start = now;
    this.end = now + durationMs;
  }
  close(now = Date.now()): void {
    this.end = Math.min(this.end, now);
  }
  contains(t: number): boolean {
    return t >= this.start && t < this.end;
  }
}

/** When the tick that reads `run` was due: its metric's last finished measurement + interval. */
export function dueOf(run: AnalysisRun | undefined, intervalMs: number): number | undefined {
  const ms = run?.status?.metricResults?.[0]?.measurements;
  const last = ms && ms.length > 0 ? ms[ms.length - 1] : undefined;
  const finished = parseTime(last?.finishedAt);
  return finished === undefined || last?.phase === 'Error' ? undefined : finished + intervalMs;
}

export class LatenessProbe implements RunStore {
  readonly hist = new LatencyHistogram();

  constructor(
    private readonly inner: RunStore,
    private readonly window: Window,
    private readonly intervalMs: number,
  ) {}

  /** Reads in the window that were not a due tick (no finished measurement yet, or before due). */
  early = 0;
  noDue = 0;

  async get(key: RunKey): Promise<AnalysisRun | undefined> {
    const t = Date.now();
    const run = await this.inner.get(key);
    if (this.window.contains(t)) {
      const due = dueOf(run, this.intervalMs);
      // A read before the due instant is not a due tick (a resync or an external change).
      if (due === undefined) this.noDue++;
      else if (t < due) this.early++;
      else this.hist.add(t - due);
    }
    return run;
  }
  create(run: AnalysisRun): Promise<AnalysisRun> {
    return this.inner.create(run);
  }
  writeStatus(key: RunKey, uid: string | undefined, status: AnalysisRunStatus): Promise<'ok' | 'gone' | 'conflict'> {
    return this.inner.writeStatus(key, uid, status);
  }
  terminate(key: RunKey): Promise<'ok' | 'gone'> {
    return this.inner.terminate(key);
  }
  delete(key: RunKey): Promise<boolean> {
    return this.inner.delete(key);
  }
  list(): Promise<AnalysisRun[]> {
    return this.inner.list();
  }
  watch(listener: (change: StoreChange) => void): () => void {
    return this.inner.watch(listener);
  }
  async close(): Promise<void> {
    await this.inner.close?.();
  }
}

/** Deciding-measurement end → terminal status written, per run. */
export class VerdictProbe {
  private readonly decided = new Map<string, number>();
  readonly latencies: number[] = [];
  readonly stored = new Map<string, number>();

  /** The provider is about to return the deciding measurement of `key`. */
  decide(key: string, at = Date.now()): void {
    this.decided.set(key, at);
  }

  /** The store reports `status` written for `key`. */
  written(key: string, status: AnalysisRunStatus | undefined, at = Date.now()): void {
    if (!isCompleted(status?.phase) || this.stored.has(key)) return;
    this.stored.set(key, at);
    const d = this.decided.get(key);
    if (d !== undefined) this.latencies.push(at - d);
  }

  /** Wrap a store so that terminal writes are timed when the write returns. */
  wrap(store: RunStore): RunStore {
    const probe = this;
    return new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'writeStatus') {
          return async (key: RunKey, uid: string | undefined, status: AnalysisRunStatus) => {
            const r = await target.writeStatus(key, uid, status);
            if (r === 'ok') probe.written(key, status);
            return r;
          };
        }
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }
}
