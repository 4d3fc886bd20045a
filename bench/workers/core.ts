/**
 * Core scenario, one trial in a fresh process.
 *
 * mode `engine`: `runs` AnalysisRuns (one metric, interval 1s, instant provider) on the in-memory
 * scheduler, status written through the chosen run store (`memory`, `file`: the YAML file store
 * `assay run`/`serve` use, `redis`: the Redis run store `serve` uses with REDIS_URL), first ticks
 * spread evenly over one second. After `warmupMs`, counts the
 * measurements taken and the lateness of every tick (start − due, as the engine reports it) for
 * `measureMs`.
 *
 * mode `bare`: the same work per measurement without scheduling or reconciling: read the run,
 * call the provider, judge the value against the condition, append the measurement (trimmed to
 * the 10 retained), write the status through the same store — back to back, round robin over
 * `runs` runs, in as many concurrent loops as the engine's tick concurrency.
 *
 * Every mode reports CPU, GC pause time and RSS for its window (support/usage.ts).
 */
import type { AnalysisRun, AnalysisRunStatus, MetricResult } from '../../src/api/types.js';
import { toMeasurement } from '../../src/core/judge.js';
import type { MeasureContext } from '../../src/metric/provider.js';
import { assemble, noSecrets } from '../../src/composition/engine.js';
import { liveProviders } from '../../src/composition/provider-registry.js';
import { Engine } from '../../src/runtime/engine.js';
import { ProviderMeasurer } from '../../src/runtime/provider-measurer.js';
import type { Scheduler } from '../../src/scheduler/scheduler.js';
import { FileRunStore } from '../../src/store/file-store.js';
import { MemoryRunStore } from '../../src/store/memory-store.js';
import { RedisRunStore } from '../../src/store/redis-store.js';
import { runKey, type RunKey, type RunStore } from '../../src/store/run-store.js';
import { benchRun, instantMetric, instantProvider } from '../support/fixtures.js';
import { workerMain } from '../support/child.js';
import { startProfile } from '../support/profile.js';
import { LatencyHistogram } from '../support/stats.js';
import { startUsage, type Usage } from '../support/usage.js';

export type CoreStoreKind = 'memory' | 'file' | 'redis';

export interface CoreInput {
  mode: 'engine' | 'bare' | 'ticks';
  runs: number;
  warmupMs: number;
  measureMs: number;
  concurrency?: number;
  /** Where status is written. Default memory. */
  store?: CoreStoreKind;
  /** Directory of the file store (store 'file'). */
  storeDir?: string;
  /** redis:// URL of the Redis run store (store 'redis'). */
  redisUrl?: string;
  /** Write a CPU profile of the measurement window to this file. */
  cpuProfile?: string;
}

export interface CoreResult {
  mode: 'engine' | 'bare' | 'ticks';
  runs: number;
  measurements: number;
  perSecond: number;
  lateness?: ReturnType<LatencyHistogram['toJSON']>;
  p50?: number;
  p99?: number;
  max?: number;
  /** Fraction of one core this process used during the window. */
  cpu: number;
  usage: Usage;
}

async function openStore(input: CoreInput): Promise<RunStore> {
  switch (input.store ?? 'memory') {
    case 'memory':
      return new MemoryRunStore();
    case 'file':
      if (!input.storeDir) throw new Error('store file needs storeDir');
      return FileRunStore.open(input.storeDir);
    case 'redis':
      if (!input.redisUrl) throw new Error('store redis needs redisUrl');
      return new RedisRunStore(input.redisUrl, { prefix: 'bench-core' });
  }
}

/** Create the runs, a few hundred at a time (a real store is a round trip per create). */
async function createRuns(store: RunStore, runs: number): Promise<RunKey[]> {
  const metric = instantMetric();
  const keys: RunKey[] = [];
  for (let i = 0; i < runs; i += 256) {
    const batch = Array.from({ length: Math.min(256, runs - i) }, (_, j) => store.create(benchRun('bench', `run-${i + j}`, [metric])));
    for (const created of await Promise.all(batch)) keys.push(runKey(created));
  }
  return keys;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function engineTrial(input: CoreInput): Promise<CoreResult> {
  let counting = false;
  let measurements = 0;
  const hist = new LatencyHistogram();
  const store = await openStore(input);
  const assembly = await assemble({
    config: { logLevel: 'silent', queueName: 'bench' },
    store,
    providers: [...liveProviders(), instantProvider({ onMeasure: () => void (counting && measurements++) })],
  });
  const { engine } = assembly;
  engine.listen({
    onTick: (_key, info) => {
      if (counting) hist.add(info.lateMs);
    },
  });
  await engine.start(input.concurrency ?? 64);
  const keys = await createRuns(store, input.runs);
  // Due times spread evenly over one second from now (after creating, which takes a while).
  const t0 = Date.now() + 100;
  for (let i = 0; i < keys.length; i++) await engine.schedule(keys[i]!, t0 + Math.floor((i * 1000) / keys.length));
  await sleep(t0 - Date.now() + input.warmupMs);
  const profiler = input.cpuProfile ? await startProfile(input.cpuProfile) : undefined;
  const meter = startUsage();
  counting = true;
  await sleep(input.measureMs);
  counting = false;
  const usage = await meter.stop();
  await profiler?.stop();
  const elapsed = usage.elapsedMs;
  await assembly.close();
  await store.close?.();
  return {
    mode: 'engine',
    runs: input.runs,
    measurements,
    perSecond: (measurements * 1000) / elapsed,
    lateness: hist.toJSON(),
    p50: hist.percentile(50),
    p99: hist.percentile(99),
    max: hist.max,
    cpu: usage.cpuMs / elapsed,
    usage,
  };
}

async function bareTrial(input: CoreInput): Promise<CoreResult> {
  const store = await openStore(input);
  const provider = instantProvider();
  const metric = instantMetric();
  const parsed = provider.parseConfig((metric.provider.plugin as Record<string, unknown>)['assay-bench/instant'], {});
  if (!parsed.ok) throw new Error(parsed.message);
  const keys = await createRuns(store, input.runs);
  const signal = new AbortController().signal;
  const NO_SECRETS: MeasureContext['secrets'] = { get: async (_ns, name) => ({ ok: false, error: `secrets "${name}" not found` }) };
  const one = async (key: string): Promise<void> => {
    const run = (await store.get(key)) as AnalysisRun;
    const at = Date.now();
    const ctx: MeasureContext = { signal, now: at, env: {}, secrets: NO_SECRETS, run: { namespace: 'bench', name: run.metadata.name!, uid: run.metadata.uid! }, metric: { name: metric.name, index: 1 } };
    const obs = await provider.measure(parsed.config, ctx);
    const m = toMeasurement(metric, obs, at, Date.now());
    const prev: MetricResult = run.status?.metricResults?.[0] ?? { name: metric.name, phase: 'Running' };
    const ms = prev.measurements ?? [];
    const result: MetricResult = {
      ...prev,
      count: (prev.count ?? 0) + 1,
      successful: (prev.successful ?? 0) + 1,
      consecutiveSuccess: (prev.consecutiveSuccess ?? 0) + 1,
      measurements: ms.length >= 10 ? [...ms.slice(ms.length - 9), m] : [...ms, m],
    };
    const status: AnalysisRunStatus = { ...(run.status ?? { phase: 'Running' }), phase: 'Running', metricResults: [result] };
    await store.writeStatus(key, run.metadata.uid, status);
  };
  // As many loops as the engine has ticks in flight (`concurrency`), each over its own share of the
  // runs: with a store that waits on I/O (files, Redis) a single loop would measure round-trip
  // latency, not the work. With the memory store it makes no difference.
  const lanes = Math.max(1, Math.min(input.concurrency ?? 64, keys.length));
  const next = Array.from({ length: lanes }, (_, l) => l);
  const until = async (deadline: number): Promise<number> => {
    let n = 0;
    await Promise.all(next.map(async (_, l) => {
      while (performance.now() < deadline) {
        for (let j = 0; j < 16; j++) {
          await one(keys[next[l]!]!);
          next[l] = (next[l]! + lanes) % keys.length;
          n++;
        }
      }
    }));
    return n;
  };
  await until(performance.now() + input.warmupMs);
  const profiler = input.cpuProfile ? await startProfile(input.cpuProfile) : undefined;
  const meter = startUsage();
  const n = await until(performance.now() + input.measureMs);
  const usage = await meter.stop();
  await profiler?.stop();
  await store.close?.();
  const elapsed = usage.elapsedMs;
  return { mode: 'bare', runs: input.runs, measurements: n, perSecond: (n * 1000) / elapsed, cpu: usage.cpuMs / elapsed, usage };
}

/**
 * The engine's tick without the scheduler: Engine.tick back to back, round robin, on a clock that
 * jumps one interval per round so that every tick measures. What the engine costs per
 * measurement before any timer, heap or due-time bookkeeping.
 */
async function ticksTrial(input: CoreInput): Promise<CoreResult> {
  const store = new MemoryRunStore();
  let measurements = 0;
  // As assemble() does: one shared shutdown signal.
  const measurer = new ProviderMeasurer({ providers: [...liveProviders(), instantProvider({ onMeasure: () => void measurements++ })], env: {}, shutdown: new AbortController().signal });
  const scheduler: Scheduler = {
    schedule: async () => undefined,
    cancel: async () => undefined,
    start: async () => undefined,
    close: async () => undefined,
    pending: async () => new Map(),
  };
  let now = Date.now();
  const engine = new Engine({ store, scheduler, measurer, secrets: noSecrets, clock: { now: () => now } });
  const metric = instantMetric();
  const keys: string[] = [];
  for (let i = 0; i < input.runs; i++) keys.push(runKey(await store.create(benchRun('bench', `run-${i}`, [metric]))));
  const until = async (deadline: number): Promise<void> => {
    while (performance.now() < deadline) {
      now += 1000;
      for (const key of keys) {
        await engine.tick(key);
        if ((measurements & 1023) === 0 && performance.now() >= deadline) return;
      }
    }
  };
  await until(performance.now() + input.warmupMs);
  const profiler = input.cpuProfile ? await startProfile(input.cpuProfile) : undefined;
  const m0 = measurements;
  const meter = startUsage();
  await until(performance.now() + input.measureMs);
  const usage = await meter.stop();
  await profiler?.stop();
  const elapsed = usage.elapsedMs;
  const n = measurements - m0;
  return { mode: 'ticks', runs: input.runs, measurements: n, perSecond: (n * 1000) / elapsed, cpu: usage.cpuMs / elapsed, usage };
}

workerMain<CoreInput, CoreResult>((input) => (input.mode === 'engine' ? engineTrial(input) : input.mode === 'bare' ? bareTrial(input) : ticksTrial(input)));
