/**
 * The contract every Scheduler adapter passes (design habit 6). Real time, real handlers: each test
 * states a guarantee of the port (src/scheduler/scheduler.ts) and would fail if an adapter broke it.
 * Timings use a lateness budget per adapter (Redis-backed delayed jobs are coarser than timers).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RetryPolicy, Scheduler, TickResult } from '../../src/scheduler/scheduler.js';
import { Gate, Recorder, sleep, stats, waitFor } from './scheduler-helpers.js';

export interface ContractOptions {
  retry: RetryPolicy;
  closeGraceMs: number;
}

export interface ContractSettings {
  /** Largest acceptable start - due for a handful of ticks, in ms. */
  latenessBudgetMs: number;
  /** Largest acceptable p99 of start - due when 2,000 ticks come due within 200 ms. */
  /** Reference p99 lateness under the burst, printed beside the measured one (not asserted). */
  burstP99Ms: number;
}

export type SchedulerFactory = (opts: ContractOptions) => Promise<Scheduler>;

const RETRY: RetryPolicy = { initialMs: 100, maxMs: 400 };

export function describeSchedulerContract(name: string, factory: SchedulerFactory, settings: ContractSettings): void {
  const budget = settings.latenessBudgetMs;

  describe(`Scheduler contract: ${name}`, () => {
    let made: Scheduler[] = [];
    const make = async (o: Partial<ContractOptions> = {}): Promise<Scheduler> => {
      const s = await factory({ retry: RETRY, closeGraceMs: 5000, ...o });
      made.push(s);
      return s;
    };
    afterEach(async () => {
      await Promise.all(made.map((s) => s.close()));
      made = [];
    });

    describe('when ticks are due', () => {
      it('never starts a tick before `at`, and starts it within the lateness budget', async () => {
        const s = await make();
        const rec = new Recorder();
        const t0 = Date.now();
        const plan: [string, number][] = [['a', t0 + 300], ['b', t0 + 150], ['past', t0 - 1000], ['d', t0 + 450]];
        for (const [k, at] of plan) await s.schedule(k, at);
        const started = Date.now();
        await s.start(rec.handler(), { concurrency: 4 });
        await waitFor(() => rec.starts.length >= 4, 5000, 'four ticks');
        await sleep(200);
        expect(rec.starts.map((x) => x.key).sort()).toEqual(['a', 'b', 'd', 'past']);
        for (const [k, at] of plan) {
          const start = rec.firstStart(k);
          expect(start).toBeGreaterThanOrEqual(at);
          expect(start - Math.max(at, started)).toBeLessThan(budget);
        }
      });

      it('ticks 2,000 runs exactly once each', async () => {
        const s = await make();
        const rec = new Recorder();
        await s.start(rec.handler(), { concurrency: 32 });
        // Due instants spread over 200 ms (10,000 ticks/s), normally far enough ahead that every
        // request is stored before the first one comes due. Lateness counts from the later of the
        // due instant and the moment schedule() returned, so it measures dispatch, not enqueueing.
        const t0 = Date.now() + 1500;
        const keys = Array.from({ length: 2000 }, (_, i) => `ns/run-${i}`);
        const due = new Map(keys.map((k, i) => [k, t0 + (i % 200)]));
        const stored = new Map<string, number>();
        const t = Date.now();
        for (let i = 0; i < keys.length; i += 200) {
          await Promise.all(keys.slice(i, i + 200).map(async (k) => {
            await s.schedule(k, due.get(k)!);
            stored.set(k, Date.now());
          }));
        }
        const enqueueMs = Date.now() - t;
        await waitFor(() => rec.starts.length >= keys.length, 20_000, 'all runs ticked');
        await sleep(300);
        expect(rec.starts.length).toBe(keys.length);
        expect(new Set(rec.starts.map((x) => x.key)).size).toBe(keys.length);
        expect(rec.starts.every((x) => x.at >= due.get(x.key)!)).toBe(true);
        const late = rec.starts.map((x) => x.at - Math.max(due.get(x.key)!, stored.get(x.key)!));
        const st = stats(late);
        console.info(`[${name}] 2000 runs due over 200 ms: scheduling took ${enqueueMs} ms; lateness ` +
          `p50=${st.p50} p99=${st.p99} (reference ${settings.burstP99Ms}) max=${st.max} ms; last tick ${Math.max(...rec.starts.map((x) => x.at)) - t0} ms after the first due`);
        // Lateness under a burst is a wall-clock figure (printed above; measured in bench/): the
        // contract is that every run ticks once, never before it is due.
      });
    });

    describe('when a run is scheduled more than once', () => {
      it('moves the pending tick earlier for an earlier request', async () => {
        const s = await make();
        const rec = new Recorder();
        const t0 = Date.now();
        await s.schedule('k', t0 + 700);
        await s.schedule('k', t0 + 150);
        expect((await s.pending()).get('k')).toBe(t0 + 150);
        await s.start(rec.handler());
        await waitFor(() => rec.starts.length >= 1, 3000, 'tick');
        await sleep(t0 + 1000 - Date.now());
        expect(rec.starts.length).toBe(1);
        expect(rec.firstStart('k') - (t0 + 150)).toBeLessThan(budget);
      });

      it('does not postpone the pending tick for a later request', async () => {
        const s = await make();
        const rec = new Recorder();
        const t0 = Date.now();
        await s.schedule('k', t0 + 150);
        await s.schedule('k', t0 + 700);
        expect((await s.pending()).get('k')).toBe(t0 + 150);
        await s.start(rec.handler());
        await sleep(t0 + 1000 - Date.now());
        expect(rec.starts.length).toBe(1);
        expect(rec.firstStart('k') - (t0 + 150)).toBeLessThan(budget);
      });
    });

    describe('when requests arrive while the run is active', () => {
      it('leaves exactly one follow-up tick, after the active one ends', async () => {
        const s = await make();
        const gate = new Gate();
        const rec = new Recorder(async (key, n) => {
          if (n === 1) await gate.wait();
          return {};
        });
        await s.schedule('k', Date.now());
        await s.start(rec.handler(), { concurrency: 4 });
        await waitFor(() => rec.starts.length === 1, 3000, 'first tick');
        for (let i = 0; i < 3; i++) await s.schedule('k', Date.now());
        await s.schedule('k', Date.now() + 100);
        expect((await s.pending()).has('k')).toBe(true);
        await sleep(150);
        expect(rec.starts.length).toBe(1); // still exactly one active
        gate.open();
        await waitFor(() => rec.starts.length >= 2, 3000, 'follow-up');
        await sleep(400);
        expect(rec.starts.length).toBe(2);
        expect(rec.starts[1]!.at).toBeGreaterThanOrEqual(rec.ends[0]!.at);
        expect((await s.pending()).size).toBe(0);
      });

      it('runs the follow-up at the requested instant, not later', async () => {
        const s = await make();
        const gate = new Gate();
        const rec = new Recorder(async (_key, n) => {
          if (n === 1) await gate.wait();
          return {};
        });
        await s.schedule('k', Date.now());
        await s.start(rec.handler());
        await waitFor(() => rec.starts.length === 1, 3000, 'first tick');
        // BullMQ's keepLastIfActive would count the delay from the END of the active tick: the
        // follow-up would start ~500 ms late here, well past any lateness budget.
        const at = Date.now() + 600;
        await s.schedule('k', at);
        await sleep(500); // the active tick ends 100 ms before the follow-up is due
        gate.open();
        await waitFor(() => rec.starts.length >= 2, 3000, 'follow-up');
        expect(rec.starts[1]!.at).toBeGreaterThanOrEqual(at);
        expect(rec.starts[1]!.at - at).toBeLessThan(budget);
      });

      it('never runs two ticks of one run at once, even with spare concurrency', async () => {
        const s = await make();
        const keys = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'];
        const rec = new Recorder(async (_key, n) => {
          await sleep(15);
          return n < 8 ? { next: Date.now() } : {};
        });
        for (const k of keys) await s.schedule(k, Date.now());
        await s.start(rec.handler(), { concurrency: 8 });
        for (let round = 0; round < 30; round++) {
          await Promise.all(keys.map((k) => s.schedule(k, Date.now())));
          await sleep(10);
        }
        await waitFor(() => rec.activeTotal === 0 && keys.every((k) => rec.count(k) >= 8), 10_000, 'quiet');
        await waitFor(async () => (await s.pending()).size === 0 && rec.activeTotal === 0, 10_000, 'drained');
        expect(rec.violations).toBe(0);
        expect(rec.maxActiveTotal).toBeGreaterThan(1); // concurrency was really exercised
      });
    });

    describe('when a tick returns `next`', () => {
      it('schedules the next tick at that instant', async () => {
        const s = await make();
        const asked: number[] = [];
        const rec = new Recorder(async (_key, n) => {
          if (n >= 4) return {};
          asked.push(Date.now() + 100);
          return { next: asked[asked.length - 1]! };
        });
        await s.schedule('k', Date.now());
        await s.start(rec.handler());
        await waitFor(() => rec.starts.length >= 4, 5000, 'four ticks');
        await sleep(400);
        expect(rec.starts.length).toBe(4);
        asked.forEach((at, i) => {
          expect(rec.starts[i + 1]!.at).toBeGreaterThanOrEqual(at);
          expect(rec.starts[i + 1]!.at - at).toBeLessThan(budget);
        });
      });
    });

    describe('when a run is cancelled', () => {
      it('forgets its pending tick and leaves other runs alone', async () => {
        const s = await make();
        const rec = new Recorder();
        const t0 = Date.now();
        await s.schedule('gone', t0 + 200);
        await s.schedule('kept', t0 + 200);
        await s.cancel('gone');
        await s.cancel('never-scheduled');
        expect([...(await s.pending()).keys()]).toEqual(['kept']);
        await s.start(rec.handler());
        await sleep(t0 + 600 - Date.now());
        expect(rec.starts.map((x) => x.key)).toEqual(['kept']);
      });

      it('lets an active tick finish but ignores its `next`', async () => {
        const s = await make();
        const gate = new Gate();
        const rec = new Recorder(async () => {
          await gate.wait();
          return { next: Date.now() + 50 };
        });
        await s.schedule('k', Date.now());
        await s.start(rec.handler());
        await waitFor(() => rec.starts.length === 1, 3000, 'tick');
        await s.cancel('k');
        gate.open();
        await waitFor(() => rec.ends.length === 1, 3000, 'tick end');
        await sleep(400);
        expect(rec.starts.length).toBe(1);
        expect((await s.pending()).size).toBe(0);
      });

      it('honours a request made after the cancel, during the same active tick', async () => {
        const s = await make();
        const gate = new Gate();
        const rec = new Recorder(async (_key, n) => {
          if (n === 1) await gate.wait();
          return n === 1 ? { next: Date.now() + 60_000 } : {};
        });
        await s.schedule('k', Date.now());
        await s.start(rec.handler());
        await waitFor(() => rec.starts.length === 1, 3000, 'tick');
        await s.cancel('k');
        await s.schedule('k', Date.now());
        gate.open();
        await waitFor(() => rec.starts.length >= 2, 3000, 'follow-up');
        await sleep(200);
        expect(rec.starts.length).toBe(2);
        expect((await s.pending()).size).toBe(0); // the first tick's next (60 s) was dropped
      });
    });

    describe('when the handler throws', () => {
      it('retries with bounded exponential backoff until it succeeds', async () => {
        const s = await make({ retry: RETRY });
        const rec = new Recorder(async (_key, n) => {
          if (n <= 5) throw new Error(`boom ${n}`);
          return {};
        });
        await s.schedule('k', Date.now());
        await s.start(rec.handler());
        await waitFor(() => rec.starts.length >= 6, 8000, 'six attempts');
        await sleep(600);
        expect(rec.starts.length).toBe(6); // success ends the retries
        const gaps = rec.starts.slice(1).map((x, i) => x.at - rec.ends[i]!.at);
        const expected = [100, 200, 400, 400, 400]; // 100 * 2^(n-1), capped at 400
        gaps.forEach((g, i) => {
          expect(g).toBeGreaterThanOrEqual(expected[i]!);
          expect(g).toBeLessThan(expected[i]! + budget);
        });
      });
    });

    describe('when closing', () => {
      it('waits for in-flight ticks and starts no new ones', async () => {
        const s = await make();
        const rec = new Recorder(async () => {
          await sleep(300);
          return {};
        });
        await s.schedule('busy', Date.now());
        await s.start(rec.handler(), { concurrency: 2 });
        await waitFor(() => rec.starts.length === 1, 3000, 'tick');
        await s.schedule('later', Date.now() + 100); // comes due while close() waits
        await s.close();
        const closedAt = Date.now();
        expect(rec.ends.length).toBe(1);
        expect(rec.ends[0]!.at).toBeLessThanOrEqual(closedAt);
        await sleep(200);
        expect(rec.starts.map((x) => x.key)).toEqual(['busy']);
      });

      it('aborts the signal of in-flight ticks after the grace period', async () => {
        const s = await make({ closeGraceMs: 150 });
        let aborted = false;
        const started = new Recorder(
          (_key, _n, signal) =>
            new Promise<TickResult>((_resolve, reject) => {
              signal.addEventListener('abort', () => {
                aborted = true;
                reject(new Error('aborted'));
              });
            }),
        );
        await s.schedule('stuck', Date.now());
        await s.start(started.handler());
        await waitFor(() => started.starts.length === 1, 3000, 'tick');
        const t = Date.now();
        await s.close();
        // The handler never settles on its own: close() returning with the tick aborted is the event
        // (a close that waited for it would hang until the test's timeout).
        expect(aborted).toBe(true);
        expect(Date.now() - t).toBeGreaterThanOrEqual(140);
      });
    });

    describe('when resyncing', () => {
      it('schedules only the keys that have nothing pending', async () => {
        const s = await make();
        const t0 = Date.now();
        await s.schedule('has', t0 + 60_000);
        const n = await s.resync!(['has', 'lost-1', 'lost-2'], t0 + 5000);
        expect(n).toBe(2);
        const p = await s.pending();
        expect(Object.fromEntries(p)).toEqual({ has: t0 + 60_000, 'lost-1': t0 + 5000, 'lost-2': t0 + 5000 });
      });
    });
  });
}
