/**
 * verdict: how soon a verdict is stored after the measurement that decides it. Runs with
 * `count: 3, interval: 1s` (the 3rd measurement decides; 2 in --quick), first ticks spread over
 * one second, on the file store (engine + FileRunStore) and on Kubernetes (the controller against
 * the fake API server in its own process). Latency = deciding measurement's end → terminal status
 * written. Baseline: the same store's own write of a terminal status, alone, at the same spread.
 *
 * The targets are checked at a load the store itself handles (300 runs finishing within a second
 * on files, 200 on Kubernetes); the full run adds a heavier load (1,000 and 500) where the store's
 * own writes are the limit, to show where that is (no target there).
 */
import { runWorker, startService, type Service } from '../support/child.js';
import { figure, type Figure, type Scenario } from '../support/report.js';
import { median, percentile } from '../support/stats.js';
import type { SeedArgs } from '../workers/fake-kube.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface ControllerStats {
  verdicts: number[];
  completed: number;
}

interface Sample {
  p50: number;
  p99: number;
  bp50: number;
  bp99: number;
}

async function files(runs: number, count: number, notes: string[]): Promise<Sample> {
  const lat = await runWorker<number[]>('verdict-files', { mode: 'engine', runs, count, spreadMs: 1000 }, { timeoutMs: 180_000 });
  const bare = await runWorker<number[]>('verdict-files', { mode: 'bare', runs, count, spreadMs: 1000 }, { timeoutMs: 180_000 });
  if (lat.length < runs) notes.push(`files, ${runs} runs: ${lat.length}/${runs} verdicts timed`);
  return { p50: percentile(lat, 50), p99: percentile(lat, 99), bp50: percentile(bare, 50), bp99: percentile(bare, 99) };
}

async function kube(runs: number, count: number, notes: string[]): Promise<Sample> {
  let server: Service | undefined;
  let controller: Service | undefined;
  try {
    server = await startService('fake-kube', { namespaces: ['bench'] });
    const url = await server.call<string>('url');
    controller = await startService('kube-controller', { url, count, concurrency: 64 });
    await server.call('seed', { namespace: 'bench', from: 0, to: runs, count, history: false, spreadMs: 1000 } satisfies SeedArgs);
    const deadline = Date.now() + 60_000;
    let stats: ControllerStats;
    for (;;) {
      stats = await controller.call<ControllerStats>('stats');
      if (stats.completed >= runs || Date.now() > deadline) break;
      await sleep(100);
    }
    if (stats.verdicts.length < runs) notes.push(`kubernetes, ${runs} runs: ${stats.verdicts.length}/${runs} verdicts timed`);
    const names = Array.from({ length: runs }, (_, i) => `run-${i}`);
    const bare = await controller.call<number[]>('barePatch', { namespace: 'bench', names, spreadMs: 1000 });
    return { p50: percentile(stats.verdicts, 50), p99: percentile(stats.verdicts, 99), bp50: percentile(bare, 50), bp99: percentile(bare, 99) };
  } finally {
    await controller?.stop();
    await server?.stop();
  }
}

export const verdict: Scenario = async (opts) => {
  const q = opts.quick;
  const count = q ? 2 : 3;
  const loads = { files: 300, kube: 200, filesStress: 1000, kubeStress: 500 };
  const notes: string[] = [];
  const f: Sample[] = [];
  const k: Sample[] = [];
  const fs: Sample[] = [];
  const ks: Sample[] = [];
  const log = (what: string, s: Sample) => opts.log(`  verdict: ${what}: p50 ${s.p50} p99 ${s.p99} ms (bare write p50 ${s.bp50} p99 ${s.bp99} ms)`);
  for (let t = 0; t < opts.trials; t++) {
    f.push(await files(loads.files, count, notes));
    log(`files, ${loads.files} runs`, f.at(-1)!);
    k.push(await kube(loads.kube, count, notes));
    log(`kubernetes, ${loads.kube} runs`, k.at(-1)!);
    if (!q) {
      fs.push(await files(loads.filesStress, count, notes));
      log(`files, ${loads.filesStress} runs`, fs.at(-1)!);
      ks.push(await kube(loads.kubeStress, count, notes));
      log(`kubernetes, ${loads.kubeStress} runs`, ks.at(-1)!);
    }
  }
  const m = (xs: Sample[], key: keyof Sample) => median(xs.map((x) => x[key]));
  const figs = (id: string, label: string, xs: Sample[], bare: string, target?: number): Figure[] => [
    figure({ id: `${id}.p50`, label: `${label}: verdict latency p50`, value: m(xs, 'p50'), unit: 'ms', baseline: { name: `${bare} p50`, value: m(xs, 'bp50'), unit: 'ms' }, trials: xs.map((x) => x.p50) }),
    figure({
      id: `${id}.p99`,
      label: `${label}: verdict latency p99`,
      value: m(xs, 'p99'),
      unit: 'ms',
      baseline: { name: `${bare} p99`, value: m(xs, 'bp99'), unit: 'ms' },
      ...(target !== undefined ? { target: `<= ${target} ms`, met: m(xs, 'p99') <= target } : {}),
      trials: xs.map((x) => x.p99),
    }),
  ];
  const figures: Figure[] = [
    ...figs('verdict.files', `files, ${loads.files} runs`, f, 'bare terminal write', 100),
    ...figs('verdict.kube', `kubernetes, ${loads.kube} runs`, k, 'bare PATCH', 250),
  ];
  if (!q) {
    figures.push(
      ...figs('verdict.files_stress', `stress: files, ${loads.filesStress} runs`, fs, 'bare terminal write'),
      ...figs('verdict.kube_stress', `stress: kubernetes, ${loads.kubeStress} runs`, ks, 'bare PATCH'),
    );
  }
  return {
    status: 'ok',
    setup: `runs with count ${count}, interval 1s, instant provider, first ticks spread over 1 s (so ~N verdicts within one second); files: engine + FileRunStore in the OS temp directory; kubernetes: runs created over 1 s, controller (no write budget, concurrency 64) against the fake API server in its own process${q ? '' : `; stress loads ${loads.filesStress} / ${loads.kubeStress} runs have no target`}`,
    figures,
    notes,
  };
};
