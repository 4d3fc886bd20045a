/**
 * Core scenario, one trial in a fresh process.
 *
 * mode `engine`: `runs` AnalysisRuns (one metric, interval 1s, instant provider) on the in-memory
 * scheduler and store, first ticks spread evenly over one second. After `warmupMs`, counts the
 * measurements taken and the lateness of every tick (start − due, as the engine reports it) for
 * `measureMs`.
 *
 * mode `bare`: the same work per measurement without scheduling or reconciling: read the run,
 * call the provider, judge the value against the condition, append the measurement (trimmed to
 * the 10 retained), write the status — back to back, round robin over `runs` runs.
 */
import type { AnalysisRun, AnalysisRunStatus, MetricResult } from '../../src/api/types.js';
import { toMeasurement } from '../../src/engine/judge.js';
import type { MeasureContext } from '../../src/metric/provider.js';
import { assemble, noSecrets } from '../../src/runtime/assemble.js';
import { Engine } from '../../src/runtime/engine.js';
import { ProviderMeasurer } from '../../src/runtime/provider-measurer.js';
import type { Scheduler } from '../../src/scheduler/scheduler.js';
import { MemoryRunStore } from '../../src/store/memory-store.js';
import { runKey } from '../../src/store/run-store.js';
import { benchRun, instantMetric, instantProvider } from '../support/fixtures.js';
import { workerMain } from '../support/child.js';
import { startProfile } from '../support/profile.js';
import { LatencyHistogram } from '../support/stats.js';

export interface CoreInput {
  mode: 'engine' | 'bare' | 'ticks';
  runs: number;
  warmupMs: number;
  measureMs: number;
  concurrency?: number;
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
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function engineTrial(input: CoreInput): Promise<CoreResult> {
  let counting = false;
  let measurements = 0;
  const hist = new LatencyHistogram();
  const store = new MemoryRunStore();
  const assembly = assemble({
    config: { logLevel: 'silent', queueName: 'bench' },
    store,
    providers: [instantProvider({ onMeasure: () => void (counting && measurements++) })],
  });
  const { engine } = assembly;
  engine.listen({
    onTick: (_key, info) => {
      if (counting) hist.add(info.lateMs);
    },
  });
  await engine.start(input.concurrency ?? 64);
  const metric = instantMetric();
  const keys: string[] = [];
  for (let i = 0; i < input.runs; i++) keys.push(runKey(await store.create(benchRun('bench', `run-${i}`, [metric]))));
  // Due times spread evenly over one second from now (after creating, which takes a while).
  const t0 = Date.now() + 100;
  for (let i = 0; i < keys.length; i++) await engine.schedule(keys[i]!, t0 + Math.floor((i * 1000) / keys.length));
  await sleep(t0 - Date.now() + input.warmupMs);
  const profiler = input.cpuProfile ? await startProfile(input.cpuProfile) : undefined;
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  counting = true;
  await sleep(input.measureMs);
  counting = false;
  await profiler?.stop();
  const elapsed = performance.now() - w0;
  const cpu = process.cpuUsage(cpu0);
  await assembly.close();
  return {
    mode: 'engine',
    runs: input.runs,
    measurements,
    perSecond: (measurements * 1000) / elapsed,
    lateness: hist.toJSON(),
    p50: hist.percentile(50),
    p99: hist.percentile(99),
    max: hist.max,
    cpu: (cpu.user + cpu.system) / 1000 / elapsed,
  };
}

async function bareTrial(input: CoreInput): Promise<CoreResult> {
  const store = new MemoryRunStore();
  const provider = instantProvider();
  const metric = instantMetric();
  const parsed = provider.parseConfig((metric.provider.plugin as Record<string, unknown>)['assay-bench/instant'], {});
  if (!parsed.ok) throw new Error(parsed.message);
  const keys: string[] = [];
  for (let i = 0; i < input.runs; i++) {
    const created = await store.create(benchRun('bench', `run-${i}`, [metric]));
    keys.push(runKey(created));
  }
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
  let i = 0;
  const until = async (deadline: number): Promise<number> => {
    let n = 0;
    while (performance.now() < deadline) {
      for (let j = 0; j < 256; j++) {
        await one(keys[i]!);
        i = (i + 1) % keys.length;
        n++;
      }
    }
    return n;
  };
  await until(performance.now() + input.warmupMs);
  const profiler = input.cpuProfile ? await startProfile(input.cpuProfile) : undefined;
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  const n = await until(w0 + input.measureMs);
  await profiler?.stop();
  const elapsed = performance.now() - w0;
  const cpu = process.cpuUsage(cpu0);
  return { mode: 'bare', runs: input.runs, measurements: n, perSecond: (n * 1000) / elapsed, cpu: (cpu.user + cpu.system) / 1000 / elapsed };
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
  const measurer = new ProviderMeasurer({ providers: [instantProvider({ onMeasure: () => void measurements++ })], env: {}, shutdown: new AbortController().signal });
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
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  await until(w0 + input.measureMs);
  const elapsed = performance.now() - w0;
  const cpu = process.cpuUsage(cpu0);
  await profiler?.stop();
  const n = measurements - m0;
  return { mode: 'ticks', runs: input.runs, measurements: n, perSecond: (n * 1000) / elapsed, cpu: (cpu.user + cpu.system) / 1000 / elapsed };
}

workerMain<CoreInput, CoreResult>((input) => (input.mode === 'engine' ? engineTrial(input) : input.mode === 'bare' ? bareTrial(input) : ticksTrial(input)));
