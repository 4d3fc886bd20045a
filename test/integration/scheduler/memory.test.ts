/**
 * MemoryScheduler: the shared contract on the real clock, exact timing on a fake clock, and the
 * throughput target (10,000 ticks/s with p99 lateness <= 50 ms on a 2-core machine).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { MemoryScheduler } from '../../../src/scheduler/memory-scheduler.js';
import type { TickResult } from '../../../src/scheduler/scheduler.js';
import { describeSchedulerContract } from '../../contract/scheduler.contract.js';
import { Gate, stats, waitFor } from '../../contract/scheduler-helpers.js';
import { FakeClock, settle } from '../../support/clock.js';

// Budgets are sanity bounds that survive a loaded CI machine; the precise target (p99 <= 50 ms at
// 10,000 ticks/s) is checked by the throughput test below.
describeSchedulerContract('MemoryScheduler', async (o) => new MemoryScheduler(o), { latenessBudgetMs: 150, burstP99Ms: 500 });

describe('MemoryScheduler on a fake clock', () => {
  function setup(behaviour?: (key: string, n: number) => Promise<TickResult>) {
    const clock = new FakeClock();
    const starts: { key: string; at: number }[] = [];
    const counts = new Map<string, number>();
    const s = new MemoryScheduler({ clock });
    const handler = async (key: string): Promise<TickResult> => {
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      starts.push({ key, at: clock.now() });
      return behaviour ? behaviour(key, n) : {};
    };
    return { clock, s, starts, handler };
  }

  describe('when a tick is due at an exact instant', () => {
    it('starts at that instant and not one millisecond before', async () => {
      const { clock, s, starts, handler } = setup();
      const t0 = clock.now();
      await s.schedule('k', t0 + 1000);
      await s.start(handler);
      await clock.advance(999);
      expect(starts).toEqual([]);
      await clock.advance(1);
      expect(starts).toEqual([{ key: 'k', at: t0 + 1000 }]);
    });
  });

  describe('when the handler keeps throwing', () => {
    it('backs off 1 s, 2 s, 4 s ... up to 30 s by default', async () => {
      const { clock, s, starts, handler } = setup(async () => {
        throw new Error('down');
      });
      await s.schedule('k', clock.now());
      await s.start(handler);
      await clock.advance(200_000);
      const gaps = starts.slice(1).map((x, i) => x.at - starts[i]!.at);
      expect(gaps.slice(0, 9)).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000, 30_000]);
    });
  });

  describe('when many requests move ticks around', () => {
    it('keeps a single timer, armed for the earliest due instant', async () => {
      const { clock, s, starts, handler } = setup();
      const t0 = clock.now();
      await s.start(handler);
      for (let i = 0; i < 5000; i++) {
        await s.schedule(`r${i % 50}`, t0 + 100_000 - i); // each run moves earlier again and again
        expect(clock.liveTimers).toBeLessThanOrEqual(1);
      }
      await s.cancel('r0');
      await clock.advance(100_000);
      expect(starts.length).toBe(49);
      expect(starts[0]).toEqual({ key: 'r49', at: t0 + 100_000 - 4999 });
      expect(clock.liveTimers).toBe(0);
    });
  });

  describe('when concurrency is full', () => {
    it('starts due ticks as soon as a slot frees up, in due order', async () => {
      const gate = new Gate();
      const { clock, s, starts, handler } = setup(async (key) => {
        if (key === 'blocker') await gate.wait();
        return {};
      });
      const t0 = clock.now();
      await s.schedule('blocker', t0);
      await s.schedule('b', t0 + 20);
      await s.schedule('a', t0 + 10);
      await s.start(handler, { concurrency: 1 });
      await clock.advance(50);
      expect(starts.map((x) => x.key)).toEqual(['blocker']);
      gate.open();
      await settle();
      await clock.flush();
      expect(starts.map((x) => x.key)).toEqual(['blocker', 'a', 'b']);
      expect(starts[1]!.at).toBe(t0 + 50);
    });
  });
});

describe('MemoryScheduler throughput', () => {
  // Lateness is wall-clock and so depends on the neighbours: vitest runs two files at once on a
  // 2-core machine, and when the other one is the BullMQ suite (Redis + worker processes at full
  // speed) the event loop itself can be descheduled for tens of ms. Two retries absorb that; the
  // event-loop delay is printed so a failure can be told apart from starvation. CPU time per tick
  // does not depend on the neighbours and catches a scheduler that got slower.
  it('sustains 10,000 ticks/s with p99 lateness <= 50 ms', { retry: 2 }, async () => {
    const runs = 2000;
    const periodMs = 200; // every run ticks every 200 ms: 2000 / 0.2 s = 10,000 ticks/s
    const durationMs = 3000;
    const s = new MemoryScheduler();
    const lateness: number[] = [];
    const wanted = new Map<string, number>();
    const t0 = Date.now() + 100;
    const stopAt = t0 + durationMs;
    const handler = async (key: string): Promise<TickResult> => {
      const now = Date.now();
      lateness.push(now - wanted.get(key)!);
      if (now >= stopAt) return {};
      const next = now + periodMs;
      wanted.set(key, next);
      return { next };
    };
    for (let i = 0; i < runs; i++) {
      const key = `ns/run-${i}`;
      wanted.set(key, t0 + (i % periodMs));
      await s.schedule(key, wanted.get(key)!);
    }
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const cpu0 = process.cpuUsage();
    await s.start(handler, { concurrency: 64 });
    await waitFor(async () => Date.now() > stopAt + periodMs && (await s.pending()).size === 0, durationMs + 5000, 'end');
    const cpu = process.cpuUsage(cpu0);
    loop.disable();
    await s.close();
    const st = stats(lateness);
    const rate = Math.round(lateness.length / (durationMs / 1000));
    const cpuPerTickUs = Math.round(((cpu.user + cpu.system) / lateness.length) * 10) / 10;
    const loopP99 = Math.round(loop.percentile(99) / 1e6);
    console.info(`[MemoryScheduler] ${lateness.length} ticks in ~${durationMs} ms (${rate}/s): lateness p50=${st.p50} ` +
      `p99=${st.p99} max=${st.max} ms; CPU ${cpuPerTickUs} us/tick; event-loop delay p99 ${loopP99} ms`);
    expect(Math.min(...lateness)).toBeGreaterThanOrEqual(0);
    expect(rate).toBeGreaterThanOrEqual(9000);
    expect(cpuPerTickUs).toBeLessThan(40); // < 40% of one core at 10k ticks/s, handler included
    expect(st.p99, `p99 lateness (event-loop delay p99 was ${loopP99} ms)`).toBeLessThanOrEqual(50);
  });
});
