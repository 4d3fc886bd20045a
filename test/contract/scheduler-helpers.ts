/**
 * Instruments for scheduler tests: a handler that records when each tick of each run started and
 * ended and counts overlapping ticks of the same run, a gate to hold a tick open, and polling.
 */
import type { TickHandler, TickResult } from '../../src/scheduler/scheduler.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

export interface Event {
  key: string;
  at: number;
  /** 1-based tick number of this run. */
  n: number;
}

export type Behaviour = (key: string, n: number, signal: AbortSignal) => Promise<TickResult>;

export class Recorder {
  readonly starts: Event[] = [];
  readonly ends: Event[] = [];
  /** Ticks that began while another tick of the same run was still running. */
  violations = 0;
  activeTotal = 0;
  maxActiveTotal = 0;
  private readonly counts = new Map<string, number>();
  private readonly active = new Map<string, number>();

  constructor(private readonly behaviour: Behaviour = async () => ({})) {}

  handler(): TickHandler {
    return async (key, signal) => {
      const n = (this.counts.get(key) ?? 0) + 1;
      this.counts.set(key, n);
      const a = (this.active.get(key) ?? 0) + 1;
      this.active.set(key, a);
      if (a > 1) this.violations++;
      this.activeTotal++;
      this.maxActiveTotal = Math.max(this.maxActiveTotal, this.activeTotal);
      this.starts.push({ key, at: Date.now(), n });
      try {
        return await this.behaviour(key, n, signal);
      } finally {
        this.active.set(key, (this.active.get(key) ?? 1) - 1);
        this.activeTotal--;
        this.ends.push({ key, at: Date.now(), n });
      }
    };
  }

  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  firstStart(key: string): number {
    const e = this.starts.find((x) => x.key === key);
    if (e === undefined) throw new Error(`${key} never started`);
    return e.at;
  }
}

export class Gate {
  private release!: () => void;
  private readonly opened = new Promise<void>((r) => (this.release = r));
  open(): void {
    this.release();
  }
  wait(): Promise<void> {
    return this.opened;
  }
}

export function stats(xs: number[]): { p50: number; p99: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), max: s[s.length - 1] ?? NaN };
}
