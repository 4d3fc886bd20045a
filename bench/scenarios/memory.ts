/**
 * memory: resident memory per active run at 1k, 10k and 20k runs, each with 10 retained
 * measurements, on the engine with the in-memory scheduler and store (fresh process, full GC
 * before each reading). Baseline: the same process idle with no runs; the per-run figure is
 * (RSS − baseline RSS) / runs, compared with the run's own size as JSON.
 */
import { runWorker } from '../support/child.js';
import { figure, type Figure, type Scenario } from '../support/report.js';
import { median } from '../support/stats.js';
import type { MemoryStage } from '../workers/memory.js';

const LIMIT_BYTES = 50 * 1024;
/** issue 13: RSS per active run at 100k runs (full run only; --quick stops at 20k). */
const LIMIT_100K_KIB = 6;

export const memory: Scenario = async (opts) => {
  const SIZES = opts.quick ? [1000, 10_000, 20_000] : [1000, 10_000, 20_000, 100_000];
  const intervalMs = opts.quick ? 1000 : 2000;
  const trials: { baseline: { rssBytes: number }; stages: MemoryStage[] }[] = [];
  for (let t = 0; t < opts.trials; t++) {
    const r = await runWorker<{ baseline: { rssBytes: number; heapUsedBytes: number }; stages: MemoryStage[] }>(
      'memory',
      { sizes: SIZES, intervalMs },
      { timeoutMs: 600_000, execArgv: ['--expose-gc'] },
    );
    trials.push(r);
    opts.log(`  memory: baseline ${(r.baseline.rssBytes / 2 ** 20).toFixed(0)} MiB; ${r.stages.map((s) => `${s.runs}: ${(s.rssPerRun / 1024).toFixed(1)} KiB/run`).join(', ')}`);
  }
  const figures: Figure[] = [];
  const base = median(trials.map((t) => t.baseline.rssBytes));
  for (let i = 0; i < SIZES.length; i++) {
    const per = trials.map((t) => t.stages[i]!.rssPerRun / 1024);
    const json = median(trials.map((t) => t.stages[i]!.jsonBytesPerRun / 1024));
    const size = SIZES[i]!;
    figures.push(
      figure({
        id: `memory.rss_per_run.${SIZES[i]}`,
        label: `RSS per active run at ${SIZES[i]!.toLocaleString('en-US')} runs`,
        value: median(per),
        unit: 'KiB',
        baseline: { name: 'run as JSON', value: json, unit: 'KiB' },
        ...(size === 20_000 ? { target: '<= 50 KB (51,200 B)', met: median(per) * 1024 <= LIMIT_BYTES } : {}),
        ...(size === 100_000 ? { target: `<= ${LIMIT_100K_KIB} KiB`, met: median(per) <= LIMIT_100K_KIB } : {}),
        trials: per,
      }),
    );
  }
  figures.push(
    figure({
      id: `memory.heap_per_run.${SIZES.at(-1)}`,
      label: `JS heap per active run at ${SIZES.at(-1)!.toLocaleString('en-US')} runs`,
      value: median(trials.map((t) => t.stages[SIZES.length - 1]!.heapPerRun / 1024)),
      unit: 'KiB',
      baseline: { name: 'run as JSON', value: median(trials.map((t) => t.stages[SIZES.length - 1]!.jsonBytesPerRun / 1024)), unit: 'KiB' },
      trials: trials.map((t) => t.stages[SIZES.length - 1]!.heapPerRun / 1024),
    }),
  );
  return {
    status: 'ok',
    setup: `one process per trial growing to ${SIZES.join(', ')} active runs (1 metric, 10 retained measurements, interval ${intervalMs} ms, all ticked at least once before each reading); baseline RSS (idle engine, no runs) ${(base / 2 ** 20).toFixed(0)} MiB`,
    figures,
    notes: [],
  };
};
