/**
 * Verdict latency on the file store: runs (count 3, interval 1s, instant provider) on the engine
 * with a FileRunStore; for each run, the end of its deciding (3rd) measurement to its terminal
 * status written (writeStatus returned: the file renamed into place). `bare` mode is the
 * baseline: writeStatus of a terminal status straight to the same kind of store, same spread.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnalysisRunStatus } from '../../src/api/types.js';
import { assemble } from '../../src/composition/engine.js';
import { liveProviders } from '../../src/composition/provider-registry.js';
import { FileRunStore } from '../../src/store/file-store.js';
import { runKey } from '../../src/store/run-store.js';
import { workerMain } from '../support/child.js';
import { benchRun, instantMetric, instantProvider } from '../support/fixtures.js';
import { VerdictProbe } from '../support/probes.js';

interface Input {
  mode: 'engine' | 'bare';
  runs: number;
  count: number;
  spreadMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function engineTrial(input: Input, dir: string): Promise<number[]> {
  const probe = new VerdictProbe();
  const files = await FileRunStore.open(dir);
  const store = probe.wrap(files);
  const assembly = await assemble({
    config: { logLevel: 'silent', queueName: 'bench' },
    store,
    providers: [...liveProviders(), instantProvider({ onMeasure: (ctx) => ctx.metric.index === input.count && probe.decide(`${ctx.run.namespace}/${ctx.run.name}`) })],
  });
  await assembly.engine.start(64);
  const metric = instantMetric({ count: input.count });
  const keys: string[] = [];
  for (let i = 0; i < input.runs; i++) keys.push(runKey(await files.create(benchRun('bench', `run-${i}`, [metric]))));
  const t0 = Date.now() + 100;
  for (let i = 0; i < keys.length; i++) await assembly.engine.schedule(keys[i]!, t0 + Math.floor((i * input.spreadMs) / keys.length));
  const deadline = Date.now() + input.spreadMs + input.count * 1000 + 30_000;
  while (probe.stored.size < input.runs && Date.now() < deadline) await sleep(50);
  await assembly.close();
  await files.close();
  return probe.latencies;
}

async function bareTrial(input: Input, dir: string): Promise<number[]> {
  const store = await FileRunStore.open(dir);
  const metric = instantMetric({ count: input.count });
  const keys: { key: string; uid: string }[] = [];
  for (let i = 0; i < input.runs; i++) {
    const created = await store.create(benchRun('bench', `run-${i}`, [metric]));
    keys.push({ key: runKey(created), uid: created.metadata.uid! });
  }
  const status: AnalysisRunStatus = { phase: 'Successful', startedAt: new Date().toISOString(), completedAt: new Date().toISOString(), runSummary: { count: 1, successful: 1 } };
  const t0 = Date.now();
  const out: number[] = [];
  await Promise.all(
    keys.map(async ({ key, uid }, i) => {
      await sleep(t0 + (i * input.spreadMs) / keys.length - Date.now());
      const start = Date.now();
      await store.writeStatus(key, uid, status);
      out.push(Date.now() - start);
    }),
  );
  await store.close();
  return out;
}

workerMain<Input, number[]>(async (input) => {
  const dir = await mkdtemp(join(tmpdir(), 'assay-bench-files-'));
  try {
    return input.mode === 'engine' ? await engineTrial(input, dir) : await bareTrial(input, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
