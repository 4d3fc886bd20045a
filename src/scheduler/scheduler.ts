/**
 * The scheduler port: "when to look at a run next", and nothing else.
 *
 * The run store (Kubernetes status) is the source of truth; a scheduler only remembers a due
 * instant per run key and calls a handler when it is reached. Two adapters implement it:
 * `MemoryScheduler` (embedded, single process, not durable) and `BullMQScheduler` (Redis, durable,
 * shared by several worker processes). Both pass `test/contract/scheduler.contract.ts`.
 *
 * Guarantees every adapter gives:
 * - a tick never starts before its due instant;
 * - at most one pending tick per run, and an earlier request wins (`min` semantics);
 * - at most one ACTIVE tick per run (across all processes for the Redis adapter);
 * - a request that arrives while the run's tick is active is not lost: exactly one follow-up;
 * - a handler that throws is retried with bounded exponential backoff, never dropped.
 * What no adapter gives: exactly-once execution. A crash re-runs a tick, so handlers must be
 * idempotent (design habit 9).
 */
import type { Instant } from '../core/time.js';

export type { Instant };

/** What a tick handler returns: when to tick this run next (undefined = nothing scheduled; the run is done or waits for an external event). */
export interface TickResult {
  next?: Instant;
}

/** Runs one reconcile of one run. Must be idempotent: it can be retried after a crash. */
export type TickHandler = (runKey: string, signal: AbortSignal) => Promise<TickResult>;

export interface StartOptions {
  /** How many ticks (of different runs) may run at once in this process. Default 1. */
  concurrency?: number;
}

export interface Scheduler {
  /** Ask for a tick of `runKey` at or after `at`. Idempotent per run: an earlier request supersedes a later one
   *  (the pending tick moves earlier, never later); requesting while a tick for the run is active leaves
   *  exactly one follow-up tick pending. */
  schedule(runKey: string, at: Instant): Promise<void>;
  /** Forget any pending tick of the run (deleted or completed). An active tick finishes normally but its `next` is ignored. */
  cancel(runKey: string): Promise<void>;
  /** Start consuming due ticks with the given concurrency. At most ONE tick per run is active at a time across all
   *  processes. After a tick, if it returned `next`, schedule(runKey, next). A handler that throws is retried with
   *  bounded exponential backoff (e.g. 1s..30s) — never lost, never tight-looping. */
  start(handler: TickHandler, opts?: StartOptions): Promise<void>;
  /** Stop taking ticks, abort the signal of in-flight ones after a grace period, wait for them, release connections. */
  close(): Promise<void>;
  /** Pending ticks (runKey -> due instant), for resync/diagnostics/tests. */
  pending(): Promise<Map<string, Instant>>;
  /**
   * Heal lost scheduler state (e.g. Redis was flushed or replaced): request a tick at `at` for every
   * key that has neither a pending nor an active tick. Keys that already have one are left alone, so
   * calling this on start-up and periodically with the run store's list of active runs is cheap and
   * never postpones anything. Returns how many keys were (re)scheduled.
   */
  resync?(keys: Iterable<string>, at: Instant): Promise<number>;
}

/** Bounded exponential backoff for handlers that throw. */
export interface RetryPolicy {
  /** Delay before the first retry. Default 1000 ms. */
  initialMs: number;
  /** Upper bound for any retry delay. Default 30000 ms. */
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { initialMs: 1000, maxMs: 30_000 };

/** Delay before retry number `failures` (1 = first retry): initial * 2^(failures-1), capped at max. */
export function retryDelay(failures: number, policy: RetryPolicy): number {
  const exp = Math.min(Math.max(failures - 1, 0), 52); // 2^52 already exceeds any sane max
  return Math.min(policy.maxMs, policy.initialMs * 2 ** exp);
}

/** Default grace period between close() and aborting in-flight ticks' signals. */
export const DEFAULT_CLOSE_GRACE_MS = 10_000;
