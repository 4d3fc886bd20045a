/**
 * Memory per active run, in one fresh process (run with --expose-gc): the engine with the
 * in-memory scheduler and store idles with no runs (the baseline RSS), then grows to each size in
 * `sizes`. Every run is active (scheduled, interval `intervalMs`) and carries 10 retained
 * measurements; after one full interval every run has been ticked at least once, so what is
 * measured is the engine's own working set, after a full GC.
 */
import { assemble } from '../../src/composition/engine.js';
import { liveProviders } from '../../src/composition/provider-registry.js';
import { MemoryRunStore } from '../../src/store/memory-store.js';
import { runKey } from '../../src/store/run-store.js';
import { workerMain } from '../support/child.js';
import { benchRun, instantMetric, instantProvider, statusWithHistory } from '../support/fixtures.js';

interface Input {
  sizes: number[];
  intervalMs: number;
}

export interface MemoryStage {
  runs: number;
  rssBytes: number;
  heapUsedBytes: number;
  rssPerRun: number;
  heapPerRun: number;
  jsonBytesPerRun: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function settle(): Promise<NodeJS.MemoryUsage> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await sleep(50);
  }
  return process.memoryUsage();
}

workerMain<Input, { baseline: { rssBytes: number; heapUsedBytes: number }; stages: MemoryStage[] }>(async (input) => {
  const store = new MemoryRunStore();
  const assembly = await assemble({ config: { logLevel: 'silent', queueName: 'bench' }, store, providers: [...liveProviders(), instantProvider()] });
  await assembly.engine.start(64);
  const metric = instantMetric({ interval: `${input.intervalMs}ms` });
  await sleep(200);
  const base = await settle();
  const stages: MemoryStage[] = [];
  let have = 0;
  for (const size of input.sizes) {
    const now = Date.now();
    for (; have < size; have++) {
      const run = benchRun('bench', `run-${have}`, [metric]);
      // Last measurement finished within the last interval: due spread over the next one.
      const last = now - ((have * 7919) % input.intervalMs);
      run.status = statusWithHistory(metric, 10, last, input.intervalMs);
      const created = await store.create(run);
      await assembly.engine.schedule(runKey(created), last + input.intervalMs);
    }
    await sleep(input.intervalMs + 250);
    const mem = await settle();
    const sample = await store.list();
    let json = 0;
    const n = Math.min(200, sample.length);
    for (let i = 0; i < n; i++) json += JSON.stringify(sample[i]).length;
    stages.push({
      runs: size,
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      rssPerRun: (mem.rss - base.rss) / size,
      heapPerRun: (mem.heapUsed - base.heapUsed) / size,
      jsonBytesPerRun: json / n,
    });
  }
  await assembly.close();
  return { baseline: { rssBytes: base.rss, heapUsedBytes: base.heapUsed }, stages };
});
