/**
 * Time source for the embedded scheduler. Injected so tests can drive time by hand
 * (test/support/clock.ts) instead of sleeping.
 */
import type { Clock, Instant } from '../core/time.js';

/** The clock with timers: what the embedded scheduler needs beyond reading the time. */
export interface TimerClock extends Clock {
  /** Call `fn` once, at or after `at`. Returns a function that cancels the timer (idempotent). */
  setTimer(at: Instant, fn: () => void): () => void;
}

/**
 * Wall-clock implementation. `setTimeout` has 1 ms granularity and may fire up to ~1 ms before the
 * requested wall-clock instant (libuv's monotonic clock and Date.now() round differently), so
 * callers must re-check `now()` when the timer fires rather than trusting it.
 * A due-now timer uses setImmediate: setTimeout(0) costs a full 1 ms of latency.
 */
export const realClock: TimerClock = {
  now: () => Date.now(),
  setTimer(at, fn) {
    const delay = at - Date.now();
    if (delay <= 0) {
      const handle = setImmediate(fn);
      return () => clearImmediate(handle);
    }
    // Node clamps delays above 2^31-1 ms to 1 ms; chain timers for far-future instants.
    const MAX = 2_147_483_647;
    if (delay > MAX) {
      let cancelInner: (() => void) | undefined;
      const handle = setTimeout(() => {
        cancelInner = realClock.setTimer(at, fn);
      }, MAX);
      return () => {
        clearTimeout(handle);
        cancelInner?.();
      };
    }
    const handle = setTimeout(fn, delay);
    return () => clearTimeout(handle);
  },
};
