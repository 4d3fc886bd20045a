/**
 * MemoryScheduler: the shared contract on the real clock and exact timing on a fake clock
 * (throughput is measured in bench/).
 */
import { describe, expect, it } from 'vitest';
import { MemoryScheduler } from '../../../src/scheduler/memory-scheduler.js';
import type { TickResult } from '../../../src/scheduler/scheduler.js';
import { describeSchedulerContract } from '../../contract/scheduler.contract.js';
import { Gate } from '../../contract/scheduler-helpers.js';
import { FakeClock, settle } from '../../support/clock.js';

// Budgets are sanity bounds that survive a loaded CI machine; the throughput target (p99 <= 50 ms
// at 10,000 ticks/s) is measured by bench/ (core), where wall-clock figures belong.
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

// Throughput and lateness (10,000 ticks/s, p99 lateness) are wall-clock figures: they are measured
// in bench/ (`npm run bench -- --only core`, baseline and machine noise in the same run), not here.
