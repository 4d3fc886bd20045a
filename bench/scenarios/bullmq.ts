/**
 * bullmq: the engine on BullMQ/Redis (its own redis-server, `--hz 100`) with 1 and 2 worker
 * processes: measurements/s when saturated, and p50/p99 lateness at 2,000 measurements/s. The
 * baselines, on the same Redis in the same run: raw BullMQ no-op job throughput, and the lateness
 * of raw delayed no-op jobs at the same rate. Run status lives in a second redis-server (shared
 * by the worker processes; see support/redis-run-store.ts).
 */
import { BullMQScheduler } from '../../src/scheduler/bullmq-scheduler.js';
import { runKey } from '../../src/store/run-store.js';
import { redisServerAvailable, startRedis, type RedisHandle } from '../../test/support/redis.js';
import { runWorker, startService, type Service } from '../support/child.js';
import { benchRun, instantMetric } from '../support/fixtures.js';
import { RedisRunStore } from '../support/redis-run-store.js';
import { readProfileWhenWritten, summariseProfile } from '../support/profile.js';
import { figure, type Figure, type Scenario } from '../support/report.js';
import { join } from 'node:path';
import { LatencyHistogram, median } from '../support/stats.js';

const CONCURRENCY = 50;
const LATENCY_RATE = 2000;

interface WindowReply {
  measurements: number;
  early: number;
  noDue: number;
  lateness: ReturnType<LatencyHistogram['toJSON']>;
  cpu: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * Create runs [from, to) and schedule their first ticks spread evenly over `spreadMs`, starting
 * once seeding is done (estimated; later ones are due at once). Returns when the spread starts.
 */
async function seed(redisUrl: string, storeUrl: string, queueName: string, from: number, to: number, spreadMs: number): Promise<number> {
  const store = new RedisRunStore(storeUrl);
  const scheduler = new BullMQScheduler({ connection: redisUrl, queueName });
  const metric = instantMetric();
  const t0 = spreadMs > 0 ? Date.now() + 200 + (to - from) * 0.35 : Date.now();
  try {
    for (let i = from; i < to; i += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, to - i) }, async (_, j) => {
          const n = i + j;
          const created = await store.create(benchRun('bench', `run-${n}`, [metric]));
          await scheduler.schedule(runKey(created), t0 + Math.floor(((n - from) * spreadMs) / (to - from)));
        }),
      );
    }
  } finally {
    await scheduler.close();
    await store.close();
  }
  return t0;
}

async function windowOn(workers: Service[], durationMs: number): Promise<{ perSecond: number; hist: LatencyHistogram; cpu: number }> {
  const start = Date.now() + 100;
  const end = start + durationMs;
  const replies = await Promise.all(workers.map((w) => w.call<WindowReply>('window', { start, end })));
  if (process.env.ASSAY_BENCH_DEBUG) console.error(JSON.stringify(replies.map((r) => ({ m: r.measurements, early: r.early, noDue: r.noDue, n: r.lateness.buckets.length }))));
  const hist = new LatencyHistogram();
  let n = 0;
  let cpu = 0;
  for (const r of replies) {
    hist.merge(LatencyHistogram.fromJSON(r.lateness));
    n += r.measurements;
    cpu += r.cpu;
  }
  return { perSecond: (n * 1000) / durationMs, hist, cpu };
}

export const bullmq: Scenario = async (opts) => {
  if (!redisServerAvailable()) {
    return { status: 'skipped', reason: 'redis-server not installed (apt-get install redis-server)', setup: '', figures: [], notes: [] };
  }
  const q = opts.quick;
  const windowMs = q ? 1000 : 4000;
  let redis: RedisHandle | undefined;
  let storeRedis: RedisHandle | undefined;
  const workers: Service[] = [];
  const profiles: { file: string; top: { frame: string; selfPercent: number }[] }[] = [];
  const raw: number[] = [];
  const rawLate: { p50: number; p99: number }[] = [];
  const results: Record<number, { throughput: number[]; p50: number[]; p99: number[]; rate: number[] }> = {
    1: { throughput: [], p50: [], p99: [], rate: [] },
    2: { throughput: [], p50: [], p99: [], rate: [] },
  };
  try {
    redis = await startRedis({ hz: 100 });
    storeRedis = await startRedis({ hz: 100 });
    for (let t = 0; t < opts.trials; t++) {
      const r = await runWorker<{ jobsPerSecond: number }>(
        'bullmq-raw',
        { mode: 'throughput', redisUrl: redis.url, queueName: `raw-${t}`, concurrency: CONCURRENCY, jobs: q ? 5000 : 20_000 },
        { timeoutMs: 120_000 },
      );
      raw.push(r.jobsPerSecond);
      const d = await runWorker<{ p50: number; p99: number; perSecond: number }>(
        'bullmq-raw',
        { mode: 'delayed', redisUrl: redis.url, queueName: `rawd-${t}`, concurrency: CONCURRENCY, rate: LATENCY_RATE, durationMs: q ? 600 : 4000 },
        { timeoutMs: 120_000 },
      );
      rawLate.push(d);
      opts.log(`  bullmq: raw no-op ${Math.round(r.jobsPerSecond)} jobs/s; raw delayed jobs at ${LATENCY_RATE}/s p50 ${d.p50} p99 ${d.p99} ms`);
      await redis.flushall();

      // One set of runs for both worker counts: lateness with 1 worker, add a second worker and
      // measure again; then saturate (many more runs, all due at once) and measure throughput
      // with 2 workers, stop one and measure with 1.
      const queueName = `assay-${t}`;
      const settle = q ? 500 : 3000;
      const log = (n: number, what: string, w: { perSecond: number; hist: LatencyHistogram; cpu: number }) =>
        opts.log(`  bullmq: ${n} worker(s), ${what}: ${Math.round(w.perSecond)}/s p50 ${w.hist.percentile(50)} p99 ${w.hist.percentile(99)} ms (cpu ${w.cpu.toFixed(2)})`);
      workers.push(await startService('bullmq-worker', { redisUrl: redis.url, storeUrl: storeRedis.url, queueName, concurrency: CONCURRENCY }));
      const t0 = await seed(redis.url, storeRedis.url, queueName, 0, LATENCY_RATE, 1000);
      // Past every run's first tick (due times come from status only from the second on).
      await sleep(t0 + 1000 + settle - Date.now());
      const low1 = await windowOn(workers, windowMs);
      log(1, `${LATENCY_RATE} runs`, low1);
      workers.push(await startService('bullmq-worker', { redisUrl: redis.url, storeUrl: storeRedis.url, queueName, concurrency: CONCURRENCY }));
      await sleep(settle);
      const low2 = await windowOn(workers, windowMs);
      log(2, `${LATENCY_RATE} runs`, low2);
      const more = q ? 3000 : 10_000;
      await seed(redis.url, storeRedis.url, queueName, LATENCY_RATE, LATENCY_RATE + more, 0);
      await sleep(q ? 500 : 3000);
      const high2 = await windowOn(workers, windowMs);
      log(2, 'saturated', high2);
      await workers.pop()!.stop();
      await sleep(q ? 500 : 3000);
      const high1 = await windowOn(workers, windowMs);
      log(1, 'saturated', high1);
      for (const [n, low, high] of [[1, low1, high1], [2, low2, high2]] as const) {
        const res = results[n]!;
        res.rate.push(low.perSecond);
        res.p50.push(low.hist.percentile(50));
        res.p99.push(low.hist.percentile(99));
        res.throughput.push(high.perSecond);
      }
      await Promise.all(workers.splice(0).map((w) => w.stop()));
      await redis.flushall();
      await storeRedis.flushall();
    }
    if (opts.profileDir) {
      // `node --cpu-prof` of one saturated worker process (start-up included).
      const name = 'bullmq-worker.cpuprofile';
      const queueName = 'assay-profile';
      workers.push(
        await startService('bullmq-worker', { redisUrl: redis.url, storeUrl: storeRedis.url, queueName, concurrency: CONCURRENCY }, {
          execArgv: ['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`, `--cpu-prof-name=${name}`],
        }),
      );
      await seed(redis.url, storeRedis.url, queueName, 0, 8000, 0);
      await windowOn(workers, 4000);
      await Promise.all(workers.splice(0).map((w) => w.stop()));
      const file = join(opts.profileDir, name);
      profiles.push({ file, top: summariseProfile(await readProfileWhenWritten(file), 20, process.cwd()) });
    }
  } finally {
    await Promise.all(workers.splice(0).map((w) => w.stop().catch(() => undefined)));
    await redis?.stop();
    await storeRedis?.stop();
  }
  const rawRate = median(raw);
  const rawP50 = median(rawLate.map((r) => r.p50));
  const rawP99 = median(rawLate.map((r) => r.p99));
  const figures: Figure[] = [];
  for (const n of [1, 2] as const) {
    const r = results[n]!;
    const w = `${n} worker${n > 1 ? 's' : ''}`;
    figures.push(
      figure({
        id: `bullmq.w${n}.throughput`,
        label: `${w}: measurements/s (saturated)`,
        value: median(r.throughput),
        unit: '/s',
        baseline: { name: 'raw BullMQ no-op jobs', value: rawRate, unit: '/s' },
        target: 'ratio >= 0.50',
        met: median(r.throughput) / rawRate >= 0.5,
        trials: r.throughput,
      }),
      figure({
        id: `bullmq.w${n}.p50_at_2000`,
        label: `${w}: p50 lateness at ${LATENCY_RATE}/s (achieved ${Math.round(median(r.rate))}/s)`,
        value: median(r.p50),
        unit: 'ms',
        baseline: { name: 'raw delayed jobs', value: rawP50, unit: 'ms' },
        trials: r.p50,
      }),
      figure({
        id: `bullmq.w${n}.p99_at_2000`,
        label: `${w}: p99 lateness at ${LATENCY_RATE}/s`,
        value: median(r.p99),
        unit: 'ms',
        baseline: { name: 'raw delayed jobs', value: rawP99, unit: 'ms' },
        target: '<= 100 ms',
        met: median(r.p99) <= 100,
        trials: r.p99,
      }),
    );
  }
  return {
    status: 'ok',
    setup: `redis-server --hz 100 (own, loopback) for BullMQ, a second one for run status; worker processes with concurrency ${CONCURRENCY}; ${LATENCY_RATE} runs at interval 1s for lateness (1 worker, then a second joins), then ${q ? 3000 : 10_000} more, all due at once, to saturate (2 workers, then one stops); ${windowMs} ms windows; raw baseline: ${q ? 5000 : 20_000} no-op jobs, worker concurrency ${CONCURRENCY}`,
    figures,
    notes: [],
    ...(profiles.length ? { profiles } : {}),
  };
};
