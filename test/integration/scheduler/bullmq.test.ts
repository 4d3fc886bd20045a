/**
 * BullMQScheduler against a real, private redis-server: the shared contract, plus what only a
 * durable adapter promises (pending state survives the process; a flushed Redis heals by resync).
 * Cross-process behaviour (SIGKILLed workers, two worker processes) is in bullmq-processes.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BullMQScheduler, type BullMQSchedulerOptions } from '../../../src/scheduler/bullmq-scheduler.js';
import { jobIdForRun } from '../../../src/scheduler/tick-job.js';
import { describeSchedulerContract } from '../../contract/scheduler.contract.js';
import { Recorder, sleep, waitFor } from '../../contract/scheduler-helpers.js';
import { startRedis, type RedisHandle } from '../../support/redis.js';

const PREFIX = 'assaytest';
let redis: RedisHandle;
let raw: Redis;
const queues = new Set<string>();
const schedulers: BullMQScheduler[] = [];

function make(queueName: string, extra: Partial<BullMQSchedulerOptions> = {}): BullMQScheduler {
  queues.add(queueName);
  const s = new BullMQScheduler({
    connection: redis.url,
    queueName,
    prefix: PREFIX,
    lockDurationMs: 2000,
    stalledIntervalMs: 500,
    ...extra,
  });
  schedulers.push(s);
  return s;
}

beforeAll(async () => {
  redis = await startRedis();
  raw = new Redis(redis.url);
});

afterEach(async () => {
  await Promise.all(schedulers.splice(0).map((s) => s.close()));
  for (const q of queues) {
    const keys = await raw.keys(`${PREFIX}:${q}:*`);
    if (keys.length > 0) await raw.unlink(...keys);
  }
  queues.clear();
});

afterAll(async () => {
  await raw?.quit();
  await redis?.stop();
});

// Redis-backed delays are coarser than timers (hz 100 => ~10 ms), and a 2,000-tick burst is bounded
// by BullMQ's throughput (~3-6k jobs/s here), so the burst budget is a sanity bound, not a target.
describeSchedulerContract('BullMQScheduler', async (o) => make(randomUUID(), o), {
  burstP99Ms: 3000,
});

describe('BullMQScheduler on Redis', () => {
  describe('when the scheduler is closed and created again', () => {
    it('keeps the pending ticks and their due instants', async () => {
      const q = randomUUID();
      const t0 = Date.now();
      const first = make(q);
      await first.schedule('ns/soon', t0 + 400);
      await first.schedule('ns/later', t0 + 60_000);
      await first.schedule('ns/later', t0 + 30_000); // moved earlier before the restart
      await first.close();

      const second = make(q);
      expect(Object.fromEntries(await second.pending())).toEqual({ 'ns/soon': t0 + 400, 'ns/later': t0 + 30_000 });
      const rec = new Recorder();
      await second.start(rec.handler());
      await waitFor(() => rec.starts.length === 1, 3000, 'the durable tick');
      expect(rec.starts[0]!.key).toBe('ns/soon');
      expect(rec.starts[0]!.at).toBeGreaterThanOrEqual(t0 + 400);
      expect(Object.fromEntries(await second.pending())).toEqual({ 'ns/later': t0 + 30_000 });
    });
  });

  describe('when Redis loses its data', () => {
    it('resync re-requests the missing ticks and they run', async () => {
      const q = randomUUID();
      const s = make(q);
      const keys = ['ns/a', 'ns/b', 'ns/c'];
      for (const k of keys) await s.schedule(k, Date.now() + 60_000);
      await redis.flushall();
      expect((await s.pending()).size).toBe(0);
      const rec = new Recorder();
      await s.start(rec.handler());
      expect(await s.resync(keys, Date.now())).toBe(3);
      await waitFor(() => rec.starts.length === 3, 3000, 'resynced ticks');
      expect(rec.starts.map((x) => x.key).sort()).toEqual(keys);
      // Once the jobs have completed (and been removed), the runs count as missing again.
      await waitFor(async () => (await raw.llen(`${PREFIX}:${q}:active`)) === 0, 3000, 'jobs completed');
      expect(await s.resync(keys, Date.now() + 60_000)).toBe(3);
    });
  });

  describe('when looking at what is stored', () => {
    it('keeps one job per run whose payload is only the run key', async () => {
      const q = randomUUID();
      const s = make(q);
      const key = 'team-a/canary:analysis-7f9c';
      await s.schedule(key, Date.now() + 60_000);
      await s.schedule(key, Date.now() + 30_000);
      await s.schedule(key, Date.now() + 45_000);
      const ids = await raw.zrange(`${PREFIX}:${q}:delayed`, 0, -1);
      expect(ids).toEqual([jobIdForRun(key)]);
      expect(ids[0]).not.toContain(':');
      expect(JSON.parse((await raw.hget(`${PREFIX}:${q}:${ids[0]}`, 'data'))!)).toEqual({ runKey: key });
    });
  });

  describe('when a tick asks for the next one', () => {
    it('leaves the job delayed exactly as BullMQ moveToDelayed would, neither completed nor failed', async () => {
      const q = randomUUID();
      const s = make(q);
      const key = 'ns/again';
      const due = Date.now() + 60_000;
      const rec = new Recorder(async () => ({ next: due }));
      await s.schedule(key, Date.now());
      await s.start(rec.handler());
      await waitFor(() => rec.ends.length === 1, 3000, 'the tick');
      const id = jobIdForRun(key);
      await waitFor(async () => (await raw.zscore(`${PREFIX}:${q}:delayed`, id)) !== null, 3000, 'job delayed');

      const queue = new Queue(q, { connection: { url: redis.url }, prefix: PREFIX });
      try {
        expect(await queue.getJobState(id)).toBe('delayed');
        const counts = await queue.getJobCounts('active', 'completed', 'failed', 'delayed', 'wait');
        expect(counts).toEqual({ active: 0, completed: 0, failed: 0, delayed: 1, wait: 0 });
        const job = (await queue.getJob(id))!;
        expect(job.attemptsMade).toBe(0); // a re-delayed tick is not a failed attempt
        expect(job.timestamp + job.delay).toBeLessThanOrEqual(due);
        expect(Object.fromEntries(await s.pending())).toEqual({ [key]: due });
      } finally {
        await queue.close();
      }
      expect(await raw.exists(`${PREFIX}:${q}:${id}:lock`)).toBe(0);
      expect(Math.floor(Number(await raw.zscore(`${PREFIX}:${q}:delayed`, id)) / 4096)).toBe(due);
      // The event QueueEvents listeners get from BullMQ's own moveToDelayed.
      const events = await raw.xrevrange(`${PREFIX}:${q}:events`, '+', '-');
      const delayed = events.map(([, f]) => f).find((f) => f[1] === 'delayed');
      expect(delayed).toEqual(['event', 'delayed', 'jobId', id, 'delay', String(due)]);
    });
  });

  describe('when a tick runs a long time', () => {
    it('renews the lock so the tick is not run twice', async () => {
      const s = make(randomUUID());
      const rec = new Recorder(async () => {
        await sleep(3000); // longer than lockDuration (2000 ms)
        return {};
      });
      await s.schedule('slow', Date.now());
      await s.start(rec.handler(), { concurrency: 4 });
      await waitFor(() => rec.ends.length === 1, 6000, 'slow tick');
      await sleep(700);
      expect(rec.starts.length).toBe(1);
    });
  });
});
