/**
 * The embedded scheduler: everything in this process's memory, nothing durable.
 *
 * Shape: one slot per known run, a binary min-heap of (due, generation, slot) entries and ONE timer
 * armed for the earliest due instant. Changing a slot's due bumps its generation and pushes a fresh
 * heap entry; superseded entries are discarded when they reach the top (lazy invalidation) and the
 * heap is rebuilt when stale entries outnumber live ones. A run's pending tick and its active tick
 * are kept apart: while a tick is active, requests are folded into `followUp` and only enter the heap
 * when the tick finishes, which is what makes "one active tick per run" and "exactly one follow-up"
 * hold without locks.
 *
 * Hot path (~10k ticks/s): no per-tick allocation besides the handler's own promise; the ok/error
 * continuations are created once per slot, and all in-flight ticks share one AbortSignal (the only
 * reason to abort a tick is close(), which aborts all of them).
 */
import { realClock, type TimerClock } from './clock.js';
import { MinHeap } from './min-heap.js';
import {
  DEFAULT_CLOSE_GRACE_MS,
  DEFAULT_RETRY,
  retryDelay,
  type Instant,
  type RetryPolicy,
  type Scheduler,
  type StartOptions,
  type TickHandler,
  type TickResult,
} from './scheduler.js';

interface MemorySchedulerOptions {
  clock?: TimerClock;
  retry?: Partial<RetryPolicy>;
  /** Time between close() and aborting in-flight ticks' signal. Default 10 s. */
  closeGraceMs?: number;
  /** Called when a handler throws (the tick is retried regardless). */
  onError?: (err: unknown, runKey: string) => void;
  /** Most ticks launched per timer callback before yielding to the event loop. Default 512. */
  batchSize?: number;
}

const NONE = Number.POSITIVE_INFINITY; // "no instant": min() with it is the identity

interface Slot {
  readonly key: string;
  gen: number;
  /** Pending due instant (in the heap); NONE when nothing is pending. Never set while active. */
  due: number;
  active: boolean;
  /** Earliest request received while active; NONE when none. */
  followUp: number;
  /** cancel() arrived while active: ignore the active tick's `next`/retry. */
  cancelled: boolean;
  /** Consecutive handler failures, for the backoff. */
  failures: number;
  onOk: ((r: TickResult) => void) | undefined;
  onErr: ((e: unknown) => void) | undefined;
}

export class MemoryScheduler implements Scheduler {
  private readonly clock: TimerClock;
  private readonly retry: RetryPolicy;
  private readonly graceMs: number;
  private readonly batchSize: number;
  private readonly onError: ((err: unknown, runKey: string) => void) | undefined;

  private readonly slots = new Map<string, Slot>();
  private readonly heap = new MinHeap<Slot>();
  private pendingCount = 0; // slots with due < NONE: the live heap entries

  private handler: TickHandler | undefined;
  private concurrency = 1;
  private activeCount = 0;
  private abort = new AbortController();
  private closed = false;
  private drained: (() => void) | undefined;

  private timerAt = NONE;
  private cancelTimer: (() => void) | undefined;
  private readonly onTimer = (): void => {
    this.timerAt = NONE;
    this.cancelTimer = undefined;
    this.pump();
  };

  constructor(opts: MemorySchedulerOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.graceMs = opts.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS;
    this.batchSize = opts.batchSize ?? 512;
    this.onError = opts.onError;
  }

  async schedule(runKey: string, at: Instant): Promise<void> {
    if (!Number.isFinite(at)) throw new TypeError(`schedule(${runKey}): at must be a finite epoch ms, got ${at}`);
    let slot = this.slots.get(runKey);
    if (slot === undefined) {
      slot = newSlot(runKey);
      this.slots.set(runKey, slot);
    }
    if (slot.active) {
      // Folded in when the active tick finishes; never enters the heap while active.
      if (at < slot.followUp) slot.followUp = at;
      return;
    }
    if (at < slot.due) this.setDue(slot, at);
  }

  async cancel(runKey: string): Promise<void> {
    const slot = this.slots.get(runKey);
    if (slot === undefined) return;
    this.setDue(slot, NONE);
    slot.followUp = NONE;
    if (slot.active) slot.cancelled = true;
    else this.slots.delete(runKey);
  }

  async start(handler: TickHandler, opts: StartOptions = {}): Promise<void> {
    if (this.handler !== undefined) throw new Error('scheduler already started');
    if (this.closed) throw new Error('scheduler is closed');
    this.handler = handler;
    this.concurrency = Math.max(1, Math.floor(opts.concurrency ?? 1));
    this.arm(this.heap.peekDue());
  }

  async close(): Promise<void> {
    if (this.closed) return this.whenDrained();
    this.closed = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerAt = NONE;
    if (this.activeCount === 0) return;
    const cancelGrace = this.clock.setTimer(this.clock.now() + this.graceMs, () =>
      this.abort.abort(new Error('scheduler closing')),
    );
    await this.whenDrained();
    cancelGrace();
  }

  async pending(): Promise<Map<string, Instant>> {
    const out = new Map<string, Instant>();
    for (const slot of this.slots.values()) {
      if (slot.due !== NONE) out.set(slot.key, slot.due);
      else if (slot.active && slot.followUp !== NONE) out.set(slot.key, slot.followUp);
    }
    return out;
  }

  async resync(keys: Iterable<string>, at: Instant): Promise<number> {
    let n = 0;
    for (const key of keys) {
      const slot = this.slots.get(key);
      if (slot !== undefined && (slot.active || slot.due !== NONE)) continue;
      await this.schedule(key, at);
      n++;
    }
    return n;
  }

  // ---- internals

  private setDue(slot: Slot, due: number): void {
    if (slot.due === NONE && due !== NONE) this.pendingCount++;
    else if (slot.due !== NONE && due === NONE) this.pendingCount--;
    slot.due = due;
    slot.gen++; // every older heap entry of this slot is now stale
    if (due === NONE) return;
    this.heap.push(due, slot.gen, slot);
    if (this.heap.size > 1024 && this.heap.size > 2 * this.pendingCount) this.compact();
    this.arm(due);
  }

  /** Make sure the single timer fires no later than `at` (only when there is room to run a tick). */
  private arm(at: number): void {
    if (this.handler === undefined || this.closed || at === NONE) return;
    if (this.activeCount >= this.concurrency) return; // finish() re-arms
    if (at >= this.timerAt) return;
    this.cancelTimer?.();
    this.timerAt = at;
    this.cancelTimer = this.clock.setTimer(at, this.onTimer);
  }

  /** Launch due ticks while there is capacity, then re-arm for the next due instant. */
  private pump(): void {
    const handler = this.handler;
    if (handler === undefined || this.closed) return;
    const heap = this.heap;
    const now = this.clock.now();
    let launched = 0;
    while (this.activeCount < this.concurrency && heap.size > 0) {
      const due = heap.peekDue();
      if (due > now) break; // also guards against timers firing a little early
      if (launched >= this.batchSize) {
        this.arm(now); // yield to I/O and finishing ticks, then continue
        return;
      }
      const slot = heap.peekRef();
      const gen = heap.peekGen();
      heap.pop();
      if (gen !== slot.gen) continue; // superseded entry
      this.launch(slot, handler);
      launched++;
    }
    this.arm(heap.peekDue());
  }

  private launch(slot: Slot, handler: TickHandler): void {
    this.pendingCount--;
    slot.due = NONE;
    slot.gen++;
    slot.active = true;
    this.activeCount++;
    if (slot.onOk === undefined) {
      slot.onOk = (r) => this.finish(slot, r?.next ?? NONE, false);
      slot.onErr = (e) => {
        this.onError?.(e, slot.key);
        this.finish(slot, NONE, true);
      };
    }
    let p: Promise<TickResult>;
    try {
      p = handler(slot.key, this.abort.signal);
    } catch (e) {
      p = Promise.reject(e);
    }
    p.then(slot.onOk, slot.onErr);
  }

  private finish(slot: Slot, next: number, failed: boolean): void {
    this.activeCount--;
    slot.active = false;
    let candidate: number;
    if (failed) {
      slot.failures++;
      candidate = this.clock.now() + retryDelay(slot.failures, this.retry);
    } else {
      slot.failures = 0;
      candidate = Number.isFinite(next) ? next : NONE;
    }
    if (slot.cancelled) {
      slot.cancelled = false;
      slot.failures = 0;
      candidate = NONE;
    }
    const due = Math.min(candidate, slot.followUp);
    slot.followUp = NONE;
    if (due !== NONE) this.setDue(slot, due);
    else if (slot.due === NONE) this.slots.delete(slot.key);

    if (this.closed) {
      if (this.activeCount === 0) this.drained?.();
      return;
    }
    // A slot freed up: run whatever is already due (via the timer, so that a run which keeps
    // asking for "now" cannot starve the event loop with a microtask loop).
    this.arm(this.heap.peekDue());
  }

  private whenDrained(): Promise<void> {
    if (this.activeCount === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const prev = this.drained;
      this.drained = () => {
        prev?.();
        resolve();
      };
    });
  }

  /** Drop stale entries by rebuilding the heap from the live slots. */
  private compact(): void {
    this.heap.clear();
    for (const slot of this.slots.values()) {
      if (slot.due !== NONE) this.heap.push(slot.due, slot.gen, slot);
    }
  }
}

function newSlot(key: string): Slot {
  return {
    key,
    gen: 0,
    due: NONE,
    active: false,
    followUp: NONE,
    cancelled: false,
    failures: 0,
    onOk: undefined,
    onErr: undefined,
  };
}
