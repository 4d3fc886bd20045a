/**
 * A hand-driven Clock for scheduler tests: time only moves when the test calls advance(), and due
 * timers run in (instant, creation) order with the microtask queue drained after each one, so a
 * handler's promise chain settles before the next timer fires.
 */
import type { TimerClock } from '../../src/scheduler/clock.js';

interface FakeTimer {
  at: number;
  seq: number;
  fn: () => void;
  live: boolean;
}

export class FakeClock implements TimerClock {
  private t: number;
  private seq = 0;
  private timers: FakeTimer[] = [];

  constructor(start = 1_700_000_000_000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimer(at: number, fn: () => void): () => void {
    const timer: FakeTimer = { at, seq: this.seq++, fn, live: true };
    this.timers.push(timer);
    return () => {
      timer.live = false;
    };
  }

  /** Timers not yet fired or cancelled. */
  get liveTimers(): number {
    return this.timers.filter((t) => t.live).length;
  }

  /** Move time forward by `ms`, firing every timer that comes due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    await settle();
    for (;;) {
      this.timers = this.timers.filter((t) => t.live);
      let next: FakeTimer | undefined;
      for (const t of this.timers) {
        if (t.at <= target && (next === undefined || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
      }
      if (next === undefined) break;
      next.live = false;
      this.t = Math.max(this.t, next.at);
      next.fn();
      await settle();
    }
    this.t = target;
  }

  /** Fire whatever is due now. */
  async flush(): Promise<void> {
    await this.advance(0);
  }
}

/** Let pending promise callbacks (and anything they queue) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
}
