/**
 * bullmq: the engine on BullMQ/Redis (its own redis-server at Redis' default `hz` 10, as in
 * production) with 1 and 2 worker processes: measurements/s when saturated, and p50/p99 lateness
 * at 2,000 measurements/s. The baselines, on the same Redis in the same run and over the same
 * window length: raw BullMQ no-op job throughput, and the lateness of raw delayed no-op jobs at
 * the same rate. Run status lives in a second redis-server, in the Redis run store `assay serve`
 * uses with REDIS_URL (src/store/redis-store.ts), shared by the worker processes. Also reported:
 * Redis commands and scripts per measurement when saturated (INFO commandstats of the BullMQ
 * Redis), and each window's CPU per measurement, GC share and RSS per run of the workers.
 */
import { Redis } from 'ioredis';
import { BullMQScheduler } from '../../src/scheduler/bullmq-scheduler.js';
import { RedisRunStore } from '../../src/store/redis-store.js';
import { runKey } from '../../src/store/run-store.js';
import { redisServerAvailable, startRedis, type RedisHandle } from '../../test/support/redis.js';
import { runWorker, startService, type Service } from '../support/child.js';
import { benchRun, instantMetric } from '../support/fixtures.js';
import { readProfileWhenWritten, summariseProfile } from '../support/profile.js';
import { figure, type Figure, type Scenario } from '../support/report.js';
import { join } from 'node:path';
import { LatencyHistogram, median } from '../support/stats.js';
import type { Usage } from '../support/usage.js';

const CONCURRENCY = 50;
const LATENCY_RATE = 2000;

interface WindowReply {
  measurements: number;
  early: number;
  noDue: number;
  lateness: ReturnType<LatencyHistogram['toJSON']>;
  cpu: number;
  usage: Usage;
}

interface WindowResult {
  perSecond: number;
  hist: LatencyHistogram;
  cpu: number;
  /** Summed over the workers: CPU µs per measurement, GC ms / CPU ms, RSS bytes. */
  cpuPerMeasurementUs: number;
  gcShare: number;
  rssBytes: number;
}

/** Calls and total Redis CPU (µs) per command, from INFO commandstats. */
async function commandStats(url: string): Promise<Map<string, { calls: number; usec: number }>> {
  const c = new Redis(url);
  try {
    const text = await c.info('commandstats');
    const out = new Map<string, { calls: number; usec: number }>();
    for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) out.set(m[1]!, { calls: Number(m[2]), usec: Number(m[3]) });
    return out;
  } finally {
    c.disconnect();
  }
}

/** Commands (and scripts: evalsha/eval/fcall) Redis executed between two snapshots. */
function commandDelta(a: Map<string, { calls: number; usec: number }>, b: Map<string, { calls: number; usec: number }>): { commands: number; scripts: number; usec: number } {
  let commands = 0;
  let scripts = 0;
  let usec = 0;
  for (const [name, v] of b) {
    const d = v.calls - (a.get(name)?.calls ?? 0);
    usec += v.usec - (a.get(name)?.usec ?? 0);
    commands += d;
    if (name === 'evalsha' || name === 'eval' || name === 'fcall') scripts += d;
  }
  return { commands, scripts, usec };
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

async function windowOn(workers: Service[], durationMs: number): Promise<WindowResult> {
  const start = Date.now() + 100;
  const end = start + durationMs;
  const replies = await Promise.all(workers.map((w) => w.call<WindowReply>('window', { start, end })));
  if (process.env.ASSAY_BENCH_DEBUG) console.error(JSON.stringify(replies.map((r) => ({ m: r.measurements, early: r.early, noDue: r.noDue, n: r.lateness.buckets.length }))));
  const hist = new LatencyHistogram();
  let n = 0;
  let cpu = 0;
  let cpuMs = 0;
  let gcMs = 0;
  let rssBytes = 0;
  for (const r of replies) {
    hist.merge(LatencyHistogram.fromJSON(r.lateness));
    n += r.measurements;
    cpu += r.cpu;
    cpuMs += r.usage.cpuMs;
    gcMs += r.usage.gcMs;
    rssBytes += r.usage.rssBytes;
  }
  return { perSecond: (n * 1000) / durationMs, hist, cpu, cpuPerMeasurementUs: (cpuMs * 1000) / Math.max(1, n), gcShare: cpuMs > 0 ? gcMs / cpuMs : 0, rssBytes };
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
  type Res = { throughput: number[]; p50: number[]; p99: number[]; rate: number[]; cpuUs: number[]; gc: number[]; rssPerRun: number[]; scripts: number[]; commands: number[] };
  const empty = (): Res => ({ throughput: [], p50: [], p99: [], rate: [], cpuUs: [], gc: [], rssPerRun: [], scripts: [], commands: [] });
  const results: Record<number, Res> = { 1: empty(), 2: empty() };
  const notes: string[] = [];
  try {
    // Redis' default hz (10): how often it checks blocked clients' timeouts, which bounds how soon
    // an idle BullMQ worker notices a delayed job. Production Redis runs at 10 unless tuned.
    redis = await startRedis({ hz: 10 });
    storeRedis = await startRedis({ hz: 10 });
    for (let t = 0; t < opts.trials; t++) {
      // Same window as the saturated assay figure; enough jobs for ~20k/s over warm-up + window.
      const r = await runWorker<{ jobsPerSecond: number; drained: boolean }>(
        'bullmq-raw',
        { mode: 'throughput', redisUrl: redis.url, queueName: `raw-${t}`, concurrency: CONCURRENCY, jobs: Math.ceil(((500 + windowMs) / 1000) * 20_000), warmupMs: 500, durationMs: windowMs },
        { timeoutMs: 120_000 },
      );
      if (r.drained) notes.push(`trial ${t + 1}: the raw throughput queue drained before the window ended; its rate is taken up to the last job`);
      raw.push(r.jobsPerSecond);
      const d = await runWorker<{ p50: number; p99: number; perSecond: number }>(
        'bullmq-raw',
        { mode: 'delayed', redisUrl: redis.url, queueName: `rawd-${t}`, concurrency: CONCURRENCY, rate: LATENCY_RATE, durationMs: windowMs },
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
      const log = (n: number, what: string, w: WindowResult) =>
        opts.log(`  bullmq: ${n} worker(s), ${what}: ${Math.round(w.perSecond)}/s p50 ${w.hist.percentile(50)} p99 ${w.hist.percentile(99)} ms (cpu ${w.cpu.toFixed(2)} cores, ${w.cpuPerMeasurementUs.toFixed(0)} µs/measurement, GC ${(w.gcShare * 100).toFixed(0)}%, RSS ${(w.rssBytes / 2 ** 20).toFixed(0)} MiB)`);
      const counted = async (n: number): Promise<WindowResult & { scripts: number; commands: number }> => {
        const a = await commandStats(redis!.url);
        const w = await windowOn(workers, windowMs);
        const d = commandDelta(a, await commandStats(redis!.url));
        const m = Math.max(1, (w.perSecond * windowMs) / 1000);
        // The snapshots bracket the window loosely (one call round trip each side): per-measurement
        // figures are slightly high, never low.
        opts.log(`  bullmq: ${n} worker(s) saturated: ${(d.scripts / m).toFixed(2)} scripts, ${(d.commands / m).toFixed(2)} Redis commands per measurement`);
        return { ...w, scripts: d.scripts / m, commands: d.commands / m };
      };
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
      const high2 = await counted(2);
      log(2, 'saturated', high2);
      await workers.pop()!.stop();
      await sleep(q ? 500 : 3000);
      const high1 = await counted(1);
      log(1, 'saturated', high1);
      for (const [n, low, high] of [[1, low1, high1], [2, low2, high2]] as const) {
        const res = results[n]!;
        res.rate.push(low.perSecond);
        res.p50.push(low.hist.percentile(50));
        res.p99.push(low.hist.percentile(99));
        res.throughput.push(high.perSecond);
        res.cpuUs.push(high.cpuPerMeasurementUs);
        res.gc.push(high.gcShare * 100);
        res.rssPerRun.push(high.rssBytes / n / (LATENCY_RATE + more) / 1024);
        res.scripts.push(high.scripts);
        res.commands.push(high.commands);
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
        target: 'ratio >= 0.80',
        met: median(r.throughput) / rawRate >= 0.8,
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
        target: '<= 50 ms',
        met: median(r.p99) <= 50,
        trials: r.p99,
      }),
      figure({
        id: `bullmq.w${n}.scripts_per_measurement`,
        label: `${w}: Redis scripts per measurement (saturated)`,
        value: median(r.scripts),
        unit: '',
        trials: r.scripts,
      }),
      figure({
        id: `bullmq.w${n}.commands_per_measurement`,
        label: `${w}: Redis commands per measurement, scripts included (saturated)`,
        value: median(r.commands),
        unit: '',
        trials: r.commands,
      }),
      figure({
        id: `bullmq.w${n}.cpu_per_measurement`,
        label: `${w}: worker CPU per measurement (saturated)`,
        value: median(r.cpuUs),
        unit: 'us',
        trials: r.cpuUs,
      }),
      figure({
        id: `bullmq.w${n}.gc_share`,
        label: `${w}: GC share of worker CPU (saturated)`,
        value: median(r.gc),
        unit: '%',
        trials: r.gc,
      }),
      figure({
        id: `bullmq.w${n}.rss_per_run`,
        label: `${w}: worker RSS / runs, per worker (saturated)`,
        value: median(r.rssPerRun),
        unit: 'KiB',
        trials: r.rssPerRun,
      }),
    );
  }
  return {
    status: 'ok',
    setup: `redis-server at default hz 10 (own, loopback) for BullMQ, a second one for run status (src/store/redis-store.ts); worker processes with concurrency ${CONCURRENCY}; ${LATENCY_RATE} runs at interval 1s for lateness (1 worker, then a second joins), then ${q ? 3000 : 10_000} more, all due at once, to saturate (2 workers, then one stops); ${windowMs} ms windows, the raw baselines over windows of the same length (throughput after a 500 ms warm-up; delayed jobs due in a ${windowMs} ms window), worker concurrency ${CONCURRENCY}`,
    figures,
    notes,
    ...(profiles.length ? { profiles } : {}),
  };
};
