/**
 * kube-writes: 2,000 active runs on the controller (fake API server in its own process), each
 * measuring every second and completing after `count` measurements; the runs start mid-life
 * (seeded with history) so that verdicts arrive at a steady rate from the start. With a status
 * write budget (--kube-qps / --kube-burst): status PATCHes per second as the API server received
 * them, checked against the token bucket, and verdict latency. Baseline: the same workload
 * without a budget.
 */
import { startService, type Service } from '../support/child.js';
import { figure, type Figure, type Scenario } from '../support/report.js';
import { median, percentile } from '../support/stats.js';
import type { SeedArgs } from '../workers/fake-kube.js';

const RUNS = 2000;
const QUICK_RUNS = 1000;
const QPS = 200;
const BURST = 50;

interface ControllerStats {
  verdicts: number[];
  completed: number;
  measured: number;
  statusCalls: number;
  lateness: { p50: number; p99: number; max: number };
  writes: { started: number; queued: number } | null;
}

interface PhaseResult {
  peak: number;
  mean: number;
  excess: number;
  p50: number;
  p99: number;
  max: number;
  verdicts: number;
  statusCalls: number;
  patches: number;
  conflicts: number;
  measuredPerSecond: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Most writes in any window of 1 s. */
function peakPerSecond(times: number[]): number {
  let best = 0;
  let i = 0;
  for (let j = 0; j < times.length; j++) {
    while (times[j]! - times[i]! >= 1000) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}

/**
 * The largest excess over a token bucket: max over windows [t_i, t_j] of
 * (j − i + 1) − (burst + qps·(t_j − t_i)/1000). ≤ 0 means the bucket was never exceeded. O(n).
 */
export function bucketExcess(times: number[], qps: number, burst: number): number {
  let worst = Number.NEGATIVE_INFINITY;
  let best = Number.NEGATIVE_INFINITY; // max over i ≤ j of (qps·t_i/1000 − i)
  for (let j = 0; j < times.length; j++) {
    best = Math.max(best, (qps * times[j]!) / 1000 - j);
    worst = Math.max(worst, j + 1 - burst - (qps * times[j]!) / 1000 + best);
  }
  return worst;
}

async function phase(budget: { qps: number; burst: number } | undefined, runs: number, count: number, windowMs: number, warmupMs: number, log: (s: string) => void): Promise<PhaseResult> {
  let server: Service | undefined;
  let controller: Service | undefined;
  try {
    server = await startService('fake-kube', { namespaces: ['bench'] });
    const url = await server.call<string>('url');
    await server.call('seed', { namespace: 'bench', from: 0, to: runs, count, history: true } satisfies SeedArgs);
    controller = await startService('kube-controller', { url, count, concurrency: 64, ...(budget ? { kubeQps: budget.qps, kubeBurst: budget.burst } : {}) }, { readyTimeoutMs: 60_000 });
    await sleep(warmupMs);
    await controller.call('reset');
    await server.call('patches');
    const t0 = Date.now();
    await sleep(windowMs);
    const stats = await controller.call<ControllerStats>('stats');
    const elapsed = Date.now() - t0;
    const { times, statuses } = await server.call<{ times: number[]; statuses: number[] }>('patches');
    const inWindow = times.filter((t) => t >= t0 && t < t0 + elapsed).sort((a, b) => a - b);
    const lat = stats.verdicts;
    const r: PhaseResult = {
      peak: peakPerSecond(inWindow),
      mean: (inWindow.length * 1000) / elapsed,
      // Without a budget: how far the writes went beyond the bucket the budgeted run is held to.
      excess: bucketExcess(inWindow, budget?.qps ?? QPS, budget?.burst ?? BURST),
      p50: percentile(lat, 50),
      p99: percentile(lat, 99),
      max: lat.length ? Math.max(...lat) : Number.NaN,
      verdicts: lat.length,
      statusCalls: stats.statusCalls,
      patches: inWindow.length,
      conflicts: statuses.filter((s) => s === 409).length,
      measuredPerSecond: (stats.measured * 1000) / elapsed,
    };
    log(
      `  kube-writes: ${budget ? `budget ${budget.qps}/s burst ${budget.burst}` : 'no budget'}: writes peak ${r.peak}/s mean ${Math.round(r.mean)}/s (status changes ${stats.statusCalls}, PATCHes ${r.patches}, 409s ${r.conflicts}); ${Math.round(r.measuredPerSecond)} measurements/s; ${r.verdicts} verdicts p50 ${r.p50} p99 ${r.p99} max ${r.max} ms; tick lateness p99 ${stats.lateness.p99} ms`,
    );
    return r;
  } finally {
    await controller?.stop();
    await server?.stop();
  }
}

export const kubeWrites: Scenario = async (opts) => {
  const q = opts.quick;
  const runs = q ? QUICK_RUNS : RUNS;
  const count = q ? 10 : 20;
  const windowMs = q ? 1500 : 8000;
  const warmupMs = q ? 500 : 1500;
  const base: PhaseResult[] = [];
  const budgeted: PhaseResult[] = [];
  for (let t = 0; t < opts.trials; t++) {
    base.push(await phase(undefined, runs, count, windowMs, warmupMs, opts.log));
    budgeted.push(await phase({ qps: QPS, burst: BURST }, runs, count, windowMs, warmupMs, opts.log));
  }
  const m = (xs: PhaseResult[], f: (r: PhaseResult) => number) => median(xs.map(f));
  const figures: Figure[] = [
    figure({
      id: 'kube_writes.peak_per_second',
      label: `status writes/s, busiest 1 s (budget ${QPS}/s, burst ${BURST})`,
      value: m(budgeted, (r) => r.peak),
      unit: '/s',
      baseline: { name: 'no budget', value: m(base, (r) => r.peak), unit: '/s' },
      target: `<= ${QPS + BURST} /s`,
      met: budgeted.every((r) => r.peak <= QPS + BURST),
      trials: budgeted.map((r) => r.peak),
    }),
    figure({
      id: 'kube_writes.bucket_excess',
      label: 'writes beyond the token bucket, worst window',
      value: Math.max(...budgeted.map((r) => r.excess)),
      unit: 'writes',
      baseline: { name: 'no budget, same bucket', value: m(base, (r) => r.excess), unit: 'writes' },
      ratio: Number.NaN,
      target: '<= 0 (1 allowed: arrival jitter)',
      met: budgeted.every((r) => r.excess <= 1),
      trials: budgeted.map((r) => r.excess),
    }),
    figure({
      id: 'kube_writes.mean_per_second',
      label: 'status writes/s, mean',
      value: m(budgeted, (r) => r.mean),
      unit: '/s',
      baseline: { name: 'no budget', value: m(base, (r) => r.mean), unit: '/s' },
      trials: budgeted.map((r) => r.mean),
    }),
    figure({
      id: 'kube_writes.verdict_p99',
      label: 'verdict latency p99 under the budget',
      value: m(budgeted, (r) => r.p99),
      unit: 'ms',
      baseline: { name: 'no budget', value: m(base, (r) => r.p99), unit: 'ms' },
      target: '<= 1000 ms',
      met: budgeted.every((r) => r.p99 <= 1000),
      trials: budgeted.map((r) => r.p99),
    }),
    figure({
      id: 'kube_writes.verdict_max',
      label: 'verdict latency max under the budget',
      value: m(budgeted, (r) => r.max),
      unit: 'ms',
      baseline: { name: 'no budget', value: m(base, (r) => r.max), unit: 'ms' },
      target: '<= 1000 ms',
      met: budgeted.every((r) => r.max <= 1000),
      trials: budgeted.map((r) => r.max),
    }),
    figure({
      id: 'kube_writes.verdicts_per_second',
      label: 'verdicts/s in the window',
      value: m(budgeted, (r) => (r.verdicts * 1000) / windowMs),
      unit: '/s',
      baseline: { name: 'no budget', value: m(base, (r) => (r.verdicts * 1000) / windowMs), unit: '/s' },
      trials: budgeted.map((r) => (r.verdicts * 1000) / windowMs),
    }),
    figure({
      id: 'kube_writes.measurements_per_second',
      label: 'measurements/s',
      value: m(budgeted, (r) => r.measuredPerSecond),
      unit: '/s',
      baseline: { name: 'no budget', value: m(base, (r) => r.measuredPerSecond), unit: '/s' },
      trials: budgeted.map((r) => r.measuredPerSecond),
    }),
  ];
  return {
    status: 'ok',
    setup: `${runs} active runs (interval 1s, count ${count}, seeded mid-life so ~${runs / count} verdicts/s), controller concurrency 64, fake API server in its own process; budget --kube-qps ${QPS} --kube-burst ${BURST}; ${windowMs} ms window after ${warmupMs} ms`,
    figures,
    notes: [],
  };
};
