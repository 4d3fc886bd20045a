/**
 * Prometheus scenario trials, each in a fresh process, against the scenario's real Prometheus.
 * - `bare`: `concurrency` loops of prometheus-query instant queries (one PrometheusDriver, POST,
 *   as assay's provider sends them), round robin over `queries`: the server's capacity as a
 *   client library alone sees it.
 * - `assay`: `runs` AnalysisRuns (interval 1s, one Prometheus metric each, query `i % queries`)
 *   on the engine with the real Prometheus provider; counts measurements, and provider calls
 *   requested vs issued (coalescing) in the window and in total.
 */
import { PrometheusDriver } from 'prometheus-query';
import type { Metric } from '../../src/api/types.js';
import { assemble } from '../../src/composition/engine.js';
import { liveProviders } from '../../src/composition/provider-registry.js';
import { MemoryRunStore } from '../../src/store/memory-store.js';
import { runKey } from '../../src/store/run-store.js';
import { workerMain } from '../support/child.js';
import { benchRun } from '../support/fixtures.js';

interface Input {
  mode: 'bare' | 'assay';
  url: string;
  queries: string[];
  concurrency: number;
  runs?: number;
  coalesceStepMs?: number;
  /** After the window: every run's metric measured at once at one instant (a burst). */
  burst?: boolean;
  engineConcurrency?: number;
  warmupMs: number;
  measureMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function bare(input: Input) {
  const driver = new PrometheusDriver({ endpoint: input.url, baseURL: '/api/v1/', preferPost: true });
  let next = 0;
  let done = 0;
  let errors = 0;
  let stop = false;
  const loop = async (): Promise<void> => {
    while (!stop) {
      const q = input.queries[next++ % input.queries.length]!;
      try {
        await driver.instantQuery(q, new Date());
        done++;
      } catch {
        errors++;
      }
    }
  };
  const loops = Array.from({ length: input.concurrency }, () => loop());
  await sleep(input.warmupMs);
  const d0 = done;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await sleep(input.measureMs);
  const n = done - d0;
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  stop = true;
  await Promise.all(loops);
  return { perSecond: (n * 1000) / elapsed, errors, cpu: (cpu.user + cpu.system) / 1000 / elapsed, total: done + errors };
}

async function assay(input: Input) {
  const store = new MemoryRunStore();
  let measurements = 0;
  let errors = 0;
  const assembly = await assemble({
    // No coalesceStepMs given: assay's default step (ASSAY_COALESCE_STEP_MS unset).
    config: { logLevel: 'silent', queueName: 'bench', ...(input.coalesceStepMs !== undefined ? { coalesceStepMs: input.coalesceStepMs } : {}), providerConcurrency: input.concurrency },
    store,
    providers: liveProviders(),
  });
  const { engine, measurer } = assembly;
  engine.listen({
    onStatus: (_k, run, prev) => {
      const now = run.status?.metricResults?.[0];
      const before = prev?.metricResults?.[0];
      const taken = (now?.count ?? 0) + (now?.error ?? 0) - (before?.count ?? 0) - (before?.error ?? 0);
      measurements += taken;
      errors += (now?.error ?? 0) - (before?.error ?? 0);
    },
  });
  await engine.start(input.engineConcurrency ?? 256);
  const runs = input.runs ?? 1000;
  const t0 = Date.now() + 200;
  for (let i = 0; i < runs; i++) {
    const metric: Metric = {
      name: 'ratio',
      interval: '1s',
      successCondition: 'result[0] >= 0',
      provider: { prometheus: { address: input.url, query: input.queries[i % input.queries.length]! } },
    };
    const created = await store.create(benchRun('bench', `run-${i}`, [metric]));
    await engine.schedule(runKey(created), t0 + Math.floor((i * 1000) / runs));
  }
  await sleep(t0 - Date.now() + input.warmupMs);
  const s0 = measurer.callStats();
  const m0 = measurements;
  const w0 = performance.now();
  const cpu0 = process.cpuUsage();
  await sleep(input.measureMs);
  const elapsed = performance.now() - w0;
  const cpu = process.cpuUsage(cpu0);
  const s1 = measurer.callStats();
  const m1 = measurements;
  await assembly.scheduler.close(); // no more ticks; the measurer stays usable until close()
  let burst: { requested: number; issued: number; distinct: number } | undefined;
  if (input.burst) {
    const at = Date.now();
    const b0 = measurer.callStats();
    const distinct = new Set<string>();
    await Promise.all(
      Array.from({ length: runs }, (_, i) => {
        const query = input.queries[i % input.queries.length]!;
        distinct.add(query);
        return measurer.measure({
          metric: { name: 'ratio', provider: { prometheus: { address: input.url, query } } },
          mode: 'measure',
          index: 1,
          run: { namespace: 'bench', name: `run-${i}`, uid: `u${i}` },
          now: at,
        });
      }),
    );
    const b1 = measurer.callStats();
    burst = { requested: b1.requested - b0.requested, issued: b1.issued - b0.issued, distinct: distinct.size };
  }
  await assembly.close();
  const total = measurer.callStats();
  return {
    perSecond: ((m1 - m0) * 1000) / elapsed,
    requestedPerSecond: ((s1.requested - s0.requested) * 1000) / elapsed,
    issuedPerSecond: ((s1.issued - s0.issued) * 1000) / elapsed,
    totalRequested: total.requested,
    totalIssued: total.issued,
    errors,
    cpu: (cpu.user + cpu.system) / 1000 / elapsed,
    maxInFlightPerAddress: measurer.addressLimiter.maxActive(),
    ...(burst ? { burst } : {}),
  };
}

workerMain<Input, unknown>((input) => (input.mode === 'bare' ? bare(input) : assay(input)));
