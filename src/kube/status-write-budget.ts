/**
 * A budget for AnalysisRun status writes to the Kubernetes API: a token bucket (QPS, burst) and a
 * per-run queue in front of it, so thousands of runs measuring every second never write more
 * than the budget allows (client-go's QPS/Burst, which Argo Rollouts exposes as --kube-api-qps).
 *
 * Rules:
 * - Every PATCH takes a token, retries after a 409 included. In any window of `w` seconds at most
 *   `burst + qps·w` writes start.
 * - A non-terminal status waits in the queue, and a later status for the same run replaces the
 *   queued one (status is cumulative: the later one carries everything the earlier one did).
 *   The caller does not wait for it (see KubeRunStore.writeStatus).
 * - A status that completes a run (terminal phase) jumps the queue: it takes the next token, ahead
 *   of every non-terminal write, and its caller waits for the write itself. Only other terminal
 *   writes (first come, first served) and a write of the same run already in flight come before it.
 * - At most one write per run is in flight; the next one for that run is diffed against the
 *   result of the previous one.
 */

export interface StatusWriteBudgetOptions {
  /** Sustained status writes per second. */
  qps: number;
  /** Writes allowed at once after a quiet period. Default: max(1, ceil(qps)). */
  burst?: number;
  /** Observes every token taken, with the bucket's clock (tests check the bucket's invariant). */
  onToken?: (at: number) => void;
}

export type WriteResult = 'ok' | 'gone' | 'conflict';

/** Classic token bucket: starts full, refills continuously at `qps` up to `burst`. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly qps: number,
    readonly burst: number,
    private readonly now: () => number = Date.now,
    private readonly onTake?: (at: number) => void,
  ) {
    if (!(qps > 0) || !Number.isFinite(qps)) throw new RangeError(`qps must be a positive number, not ${qps}`);
    if (!(burst >= 1) || !Number.isFinite(burst)) throw new RangeError(`burst must be >= 1, not ${burst}`);
    this.tokens = burst;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    if (t > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) * this.qps) / 1000);
      this.last = t;
    }
  }

  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    this.onTake?.(this.last);
    return true;
  }

  /** Milliseconds until a token is available (0 when one is). */
  msUntilToken(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.qps);
  }
}

interface RetryWaiter {
  terminal: boolean;
  go: () => void;
}

interface Entry<S> {
  key: string;
  uid: string | undefined;
  status: S;
  terminal: boolean;
  waiters: { resolve: (r: WriteResult) => void; reject: (e: unknown) => void }[];
}

/**
 * Performs one status write. `acquire` must be awaited before every PATCH after the first (the
 * queue took the first one's token already).
 */
type StatusWriter<S> = (key: string, uid: string | undefined, status: S, acquire: () => Promise<void>) => Promise<WriteResult>;

interface StatusWriteQueueHooks<S> {
  /** A write finished (whatever it carried); `error` when it threw. */
  onSettled(key: string, status: S, terminal: boolean, result: WriteResult | undefined, error?: unknown): void;
}

export class StatusWriteQueue<S> {
  private readonly terminal = new Map<string, Entry<S>>();
  private readonly normal = new Map<string, Entry<S>>();
  /** Token waiters for retries (409), terminal writes' first. */
  private readonly retries: RetryWaiter[] = [];
  private readonly busy = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private closed = false;
  /** Writes started, for diagnostics. */
  started = 0;

  constructor(
    private readonly bucket: TokenBucket,
    private readonly write: StatusWriter<S>,
    private readonly hooks: StatusWriteQueueHooks<S>,
  ) {}

  /**
   * Queue a status. Terminal statuses resolve with their write's result; others resolve as soon
   * as they are queued (with 'ok'), and their outcome goes to hooks.onSettled.
   */
  enqueue(key: string, uid: string | undefined, status: S, terminal: boolean): Promise<WriteResult> {
    if (this.closed) return Promise.reject(new Error('status write queue is closed'));
    let entry = this.terminal.get(key) ?? this.normal.get(key);
    if (entry !== undefined) {
      // Replace the queued status: it is not sent yet, and the new one supersedes it.
      entry.status = status;
      entry.uid = uid;
      if (terminal && !entry.terminal) {
        this.normal.delete(key);
        entry.terminal = true;
        this.terminal.set(key, entry);
      }
    } else {
      entry = { key, uid, status, terminal, waiters: [] };
      (terminal ? this.terminal : this.normal).set(key, entry);
    }
    let result: Promise<WriteResult>;
    if (terminal) {
      const e = entry;
      result = new Promise<WriteResult>((resolve, reject) => e.waiters.push({ resolve, reject }));
    } else {
      result = Promise.resolve('ok');
    }
    this.pump();
    return result;
  }

  /** The status queued (not yet sent) for a run, if any. */
  queued(key: string): S | undefined {
    return (this.terminal.get(key) ?? this.normal.get(key))?.status;
  }

  /** Drop a run's queued status (its base went stale); its waiters get `result`. */
  drop(key: string, result: WriteResult): void {
    for (const m of [this.terminal, this.normal]) {
      const e = m.get(key);
      if (e === undefined) continue;
      m.delete(key);
      for (const w of e.waiters) w.resolve(result);
    }
  }

  size(): number {
    return this.terminal.size + this.normal.size;
  }

  /** Wait for writes in flight; drop what is still queued (terminal waiters get an error). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    for (const r of this.retries.splice(0)) r.go(); // let in-flight retries finish
    for (const m of [this.terminal, this.normal]) {
      for (const e of m.values()) for (const w of e.waiters) w.reject(new Error('status write queue closed'));
      m.clear();
    }
    await Promise.allSettled([...this.busy.values()]);
  }

  private acquireFor(terminal: boolean): () => Promise<void> {
    return () =>
      new Promise<void>((resolve) => {
        if (this.closed) return resolve();
        const waiter = { terminal, go: resolve };
        // Terminal retries go before non-terminal ones, FIFO within each.
        if (terminal) {
          const i = this.retries.findIndex((r) => !r.terminal);
          if (i < 0) this.retries.push(waiter);
          else this.retries.splice(i, 0, waiter);
        } else this.retries.push(waiter);
        this.pump();
      });
  }

  private next(): { retry: RetryWaiter } | { entry: Entry<S> } | undefined {
    const r = this.retries[0];
    if (r !== undefined && r.terminal) return { retry: r };
    for (const e of this.terminal.values()) if (!this.busy.has(e.key)) return { entry: e };
    if (r !== undefined) return { retry: r };
    for (const e of this.normal.values()) if (!this.busy.has(e.key)) return { entry: e };
    return undefined;
  }

  private pump(): void {
    if (this.closed) return;
    for (;;) {
      const next = this.next();
      if (next === undefined) return;
      if (!this.bucket.tryTake()) {
        this.arm(this.bucket.msUntilToken());
        return;
      }
      if ('retry' in next) {
        this.retries.shift();
        next.retry.go();
        continue;
      }
      this.start(next.entry);
    }
  }

  private start(e: Entry<S>): void {
    (e.terminal ? this.terminal : this.normal).delete(e.key);
    this.started++;
    const done = this.write(e.key, e.uid, e.status, this.acquireFor(e.terminal)).then(
      (result) => {
        this.busy.delete(e.key);
        for (const w of e.waiters) w.resolve(result);
        this.hooks.onSettled(e.key, e.status, e.terminal, result);
        this.pump();
      },
      (err: unknown) => {
        this.busy.delete(e.key);
        for (const w of e.waiters) w.reject(err);
        this.hooks.onSettled(e.key, e.status, e.terminal, undefined, err);
        this.pump();
      },
    );
    this.busy.set(e.key, done);
  }

  private arm(ms: number): void {
    const at = Date.now() + Math.max(1, ms);
    if (this.timer !== undefined && this.timerAt <= at) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.pump();
    }, Math.max(1, ms));
  }
}

export function defaultBurst(qps: number): number {
  return Math.max(1, Math.ceil(qps));
}
