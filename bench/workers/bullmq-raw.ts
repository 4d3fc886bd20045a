/**
 * Raw BullMQ on the benchmark's Redis, the baseline for assay's BullMQ scheduler:
 * - `throughput`: `jobs` no-op jobs added in bulk, then one Worker (concurrency as given) works
 *   on them; jobs/s completed in a window of `durationMs` after `warmupMs` (the same window as the
 *   assay figure it is compared with). If the queue drains early, the rate is taken up to the last
 *   completion and `drained` says so.
 * - `delayed`: no-op jobs delayed 1 s, added at `rate`/s; lateness = processing start −
 *   (timestamp + delay), for the jobs due in a window of `durationMs` after the first 1.5 s.
 */
import { Queue, Worker } from 'bullmq';
import { workerMain } from '../support/child.js';
import { LatencyHistogram } from '../support/stats.js';

interface Input {
  mode: 'throughput' | 'delayed';
  redisUrl: string;
  queueName: string;
  concurrency: number;
  jobs?: number;
  rate?: number;
  durationMs?: number;
  warmupMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function throughput(input: Input): Promise<{ jobsPerSecond: number; jobs: number; drained: boolean }> {
  const connection = { url: input.redisUrl, maxRetriesPerRequest: null };
  const queue = new Queue(input.queueName, { connection });
  const total = input.jobs ?? 10_000;
  const warmupMs = input.warmupMs ?? 500;
  const durationMs = input.durationMs ?? 2000;
  for (let i = 0; i < total; i += 1000) {
    const n = Math.min(1000, total - i);
    await queue.addBulk(Array.from({ length: n }, (_, j) => ({ name: 'noop', data: { i: i + j }, opts: { removeOnComplete: true, removeOnFail: true } })));
  }
  let done = 0;
  let lastAt = 0;
  let finished!: () => void;
  const all = new Promise<void>((r) => (finished = r));
  const worker = new Worker(
    input.queueName,
    async () => {
      lastAt = performance.now();
      if (++done === total) finished();
    },
    { connection, concurrency: input.concurrency },
  );
  const w0 = performance.now() + warmupMs;
  await Promise.race([all, sleep(warmupMs)]);
  const d0 = done;
  await Promise.race([all, sleep(Math.max(0, w0 - performance.now()) + durationMs)]);
  const drained = done === total;
  const elapsed = (drained ? lastAt : performance.now()) - w0;
  const n = done - d0;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return { jobs: n, jobsPerSecond: (n * 1000) / Math.max(1, elapsed), drained };
}

async function delayed(input: Input): Promise<{ perSecond: number; lateness: ReturnType<LatencyHistogram['toJSON']>; p50: number; p99: number }> {
  const connection = { url: input.redisUrl, maxRetriesPerRequest: null };
  const queue = new Queue(input.queueName, { connection });
  const hist = new LatencyHistogram();
  const rate = input.rate ?? 2000;
  const duration = input.durationMs ?? 3000;
  const t0 = Date.now();
  let processed = 0;
  let firstDue = Number.POSITIVE_INFINITY;
  let lastDue = 0;
  const worker = new Worker(
    input.queueName,
    async (job) => {
      const now = Date.now();
      const due = job.timestamp + (job.opts.delay ?? 0);
      if (due >= t0 + 1500 && due < t0 + 1500 + duration) {
        hist.add(now - due);
        processed++;
        firstDue = Math.min(firstDue, due);
        lastDue = Math.max(lastDue, due);
      }
    },
    { connection, concurrency: input.concurrency },
  );
  await worker.waitUntilReady();
  // Add rate/100 jobs every 10 ms (spread, as runs' ticks are).
  const per = rate / 100;
  let owed = 0;
  const end = t0 + duration + 500;
  while (Date.now() < end) {
    owed += per;
    const n = Math.floor(owed);
    owed -= n;
    const now = Date.now();
    if (n > 0) await queue.addBulk(Array.from({ length: n }, () => ({ name: 'noop', data: {}, opts: { delay: 1000, timestamp: now, removeOnComplete: true, removeOnFail: true } })));
    await sleep(10);
  }
  await sleep(1100);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return { perSecond: (processed * 1000) / Math.max(1, lastDue - firstDue + 1), lateness: hist.toJSON(), p50: hist.percentile(50), p99: hist.percentile(99) };
}

workerMain<Input, unknown>((input) => (input.mode === 'throughput' ? throughput(input) : delayed(input)));
