/**
 * core: the engine on the in-memory scheduler and store, an instant in-process provider, many
 * runs with `interval: 1s`. Finds the highest rate (runs ≈ measurements per second) the engine
 * sustains with p99 lateness (tick start − due) ≤ 50 ms, and compares it with a bare loop doing
 * the same work per measurement without any scheduling (read run, provider call, condition,
 * record the measurement, write status). Reference: the engine's own tick without the scheduler.
 */
import { runWorker } from '../support/child.js';
import { figure, type Figure, type Scenario } from '../support/report.js';
import { summariseProfile } from '../support/profile.js';
import { median } from '../support/stats.js';
import type { CoreInput, CoreResult } from '../workers/core.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const P99_LIMIT_MS = 50;

interface Level {
  runs: number;
  result: CoreResult;
  pass: boolean;
  /** A bare 1 ms timer in another process during the same window. */
  sentinel: { p50: number; p99: number; max: number };
}

export const core: Scenario = async (opts) => {
  const q = opts.quick;
  // Windows are whole seconds: every run ticks once per interval (1 s), so a window of k seconds
  // sees every run k times whatever the phase of its ticks.
  const warmupMs = q ? 800 : 2000;
  const measureMs = q ? 1000 : 4000;
  const timeoutMs = 120_000;
  const trial = (input: Partial<CoreInput> & Pick<CoreInput, 'mode' | 'runs'>) =>
    runWorker<CoreResult>('core', { warmupMs, measureMs, concurrency: 64, ...input }, { timeoutMs });

  /** `rate` measurements/s: a few more runs than that, as each run's period is 1 s plus its tick. */
  const level = async (rate: number): Promise<Level> => {
    const runs = Math.ceil(rate * 1.02);
    // The sentinel starts with the trial and covers its warm-up and window (and process start).
    const [result, sentinel] = await Promise.all([
      trial({ mode: 'engine', runs }),
      runWorker<Level['sentinel']>('sentinel', { durationMs: measureMs, delayMs: warmupMs + 500 }, { timeoutMs }),
    ]);
    const pass = (result.p99 ?? Infinity) <= P99_LIMIT_MS && result.perSecond >= 0.97 * runs;
    opts.log(`  core: ${runs} runs -> ${Math.round(result.perSecond)}/s, p99 ${result.p99} ms (bare timer p99 ${sentinel.p99} ms), cpu ${result.cpu.toFixed(2)} ${pass ? 'ok' : 'over'}`);
    return { runs, result, pass, sentinel };
  };

  /** Highest sustained level: ramp up, then one bisection step. */
  const search = async (): Promise<{ best?: Level; firstFail?: Level }> => {
    const ladder = q ? [10_000] : [10_000, 15_000, 20_000, 25_000, 30_000, 35_000, 40_000, 50_000];
    let best: Level | undefined;
    let firstFail: Level | undefined;
    for (const runs of ladder) {
      const l = await level(runs);
      if (l.pass) best = l;
      else {
        firstFail = l;
        break;
      }
    }
    if (!best) {
      for (const runs of q ? [5_000] : [7_500, 5_000, 2_500]) {
        const l = await level(runs);
        if (l.pass) {
          best = l;
          break;
        }
      }
    } else if (firstFail && !q) {
      const mid = Math.round((best.runs + firstFail.runs) / 2 / 1.02 / 1000) * 1000;
      if (mid * 1.02 > best.runs && mid * 1.02 < firstFail.runs) {
        const l = await level(mid);
        if (l.pass) best = l;
      }
    }
    return { ...(best ? { best } : {}), ...(firstFail ? { firstFail } : {}) };
  };

  const bare: number[] = [];
  const ticks: number[] = [];
  const sustained: number[] = [];
  const p99s: number[] = [];
  const timerP99s: number[] = [];
  const cpuPerEngine: number[] = [];
  const cpuPerBare: number[] = [];
  let saturation: Level | undefined;
  for (let t = 0; t < opts.trials; t++) {
    const b = await trial({ mode: 'bare', runs: 10_000, warmupMs: q ? 300 : 500, measureMs: q ? 700 : 3000 });
    bare.push(b.perSecond);
    cpuPerBare.push((b.cpu * 1e6) / b.perSecond);
    // The reference without scheduler only in the full run (--quick keeps to the targets).
    if (!q) {
      const k = await trial({ mode: 'ticks', runs: 10_000, warmupMs: 500, measureMs: 3000 });
      ticks.push(k.perSecond);
    }
    opts.log(`  core: bare loop ${Math.round(b.perSecond)}/s${ticks.length ? `, engine ticks without scheduler ${Math.round(ticks.at(-1)!)}/s` : ''}`);
    const { best, firstFail } = await search();
    sustained.push(best ? best.result.perSecond : 0);
    p99s.push(best?.result.p99 ?? Number.NaN);
    timerP99s.push(best?.sentinel.p99 ?? Number.NaN);
    if (best) cpuPerEngine.push((best.result.cpu * 1e6) / best.result.perSecond);
    saturation ??= firstFail;
  }

  const profiles = [];
  if (opts.profileDir && saturation) {
    const file = join(opts.profileDir, 'core-engine.cpuprofile');
    await trial({ mode: 'engine', runs: saturation.runs, cpuProfile: file });
    profiles.push({ file, top: summariseProfile(JSON.parse(readFileSync(file, 'utf8')), 20, process.cwd()) });
    const tfile = join(opts.profileDir, 'core-ticks.cpuprofile');
    await trial({ mode: 'ticks', runs: 10_000, cpuProfile: tfile });
    profiles.push({ file: tfile, top: summariseProfile(JSON.parse(readFileSync(tfile, 'utf8')), 20, process.cwd()) });
  }

  const rate = median(sustained);
  const bareRate = median(bare);
  const figures: Figure[] = [
    figure({
      id: 'core.sustained_rate',
      label: `max sustained measurements/s (p99 lateness <= ${P99_LIMIT_MS} ms)`,
      value: rate,
      unit: '/s',
      baseline: { name: 'bare loop', value: bareRate, unit: '/s' },
      target: '>= 10,000 /s',
      met: rate >= 10_000,
      trials: sustained,
    }),
    figure({
      id: 'core.ratio_to_bare',
      label: 'sustained rate / bare loop',
      value: rate,
      unit: '/s',
      baseline: { name: 'bare loop', value: bareRate, unit: '/s' },
      target: 'ratio >= 0.50',
      met: rate / bareRate >= 0.5,
      trials: sustained.map((v, i) => v / bare[i]!),
    }),
    figure({
      id: 'core.p99_at_max',
      label: 'p99 lateness at that rate',
      value: median(p99s),
      unit: 'ms',
      baseline: { name: 'bare 1 ms timer, other process', value: median(timerP99s), unit: 'ms' },
      target: `<= ${P99_LIMIT_MS} ms`,
      met: median(p99s) <= P99_LIMIT_MS,
      trials: p99s,
    }),
    ...(ticks.length === 0 ? [] : [figure({
      id: 'core.ticks_no_scheduler',
      label: 'reference: engine ticks back to back, no scheduler',
      value: median(ticks),
      unit: '/s',
      baseline: { name: 'bare loop', value: bareRate, unit: '/s' },
      trials: ticks,
    })]),
    figure({
      id: 'core.cpu_per_measurement',
      label: 'CPU per measurement (engine at max rate)',
      value: median(cpuPerEngine),
      unit: 'us',
      baseline: { name: 'bare loop', value: median(cpuPerBare), unit: 'us' },
      trials: cpuPerEngine,
    }),
  ];
  return {
    status: 'ok',
    setup: `in-memory scheduler and store, instant in-process provider, 1 metric per run, interval 1s, first ticks spread over 1 s; a level of R/s runs 1.02 R runs (a run's period is 1 s plus its tick), passes when p99 <= ${P99_LIMIT_MS} ms and it keeps up; ${warmupMs} ms warm-up, ${measureMs} ms window; engine concurrency 64; bare loop over 10,000 runs`,
    figures,
    notes: [],
    ...(profiles.length ? { profiles } : {}),
  };
};
