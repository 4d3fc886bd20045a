/**
 * Through the whole engine (store, in-memory scheduler, real providers): Kayenta's asynchronous
 * life (Running → resumed 15 s later → judged) and its terminate, which in Argo does nothing, so
 * a terminated run with a canary in flight stays Running; and a plugin metric, which assay cannot
 * load, as an Error naming the plugin. (Argo completes a terminated run as Successful, "Run
 * Terminated", while the Kayenta measurement stays Running.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisRun, Metric } from '../../../src/api/types.js';
import { isCompleted } from '../../../src/api/phase.js';
import { assemble, type Assembly } from '../../../src/composition/engine.js';
import { liveProviders } from '../../../src/composition/provider-registry.js';
import { MemoryRunStore } from '../../../src/store/memory-store.js';
import { startFakeKayenta, type FakeKayenta } from '../../support/vendors/kayenta.js';

let kayenta: FakeKayenta;
let store: MemoryRunStore;
let assembly: Assembly;

const run = (name: string, metric: Metric): AnalysisRun => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisRun',
  metadata: { name, namespace: 'canary' },
  spec: { metrics: [metric] },
});

const kayentaMetric = (): Metric => ({
  name: 'judge',
  interval: '5m',
  count: 1,
  provider: {
    kayenta: {
      address: kayenta.url,
      application: 'checkout',
      canaryConfigName: 'canary-config',
      metricsAccountName: 'prom',
      configurationAccountName: 'cfg',
      storageAccountName: 'store',
      threshold: { pass: 90, marginal: 75 },
      scopes: [{ name: 'default', controlScope: { scope: 'stable', region: 'us', step: 60 }, experimentScope: { scope: 'canary', region: 'us', step: 60 } }],
    },
  },
});

async function until(name: string, probe: (r: AnalysisRun) => boolean, what: string, timeoutMs = 40_000): Promise<AnalysisRun> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await store.get(`canary/${name}`);
    if (r && probe(r)) return r;
    if (Date.now() > deadline) throw new Error(`${name}: timed out waiting for ${what}: ${JSON.stringify(r?.status)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

beforeAll(async () => {
  kayenta = await startFakeKayenta();
  kayenta.addConfig('checkout', 'canary-config');
  store = new MemoryRunStore();
  assembly = await assemble({ config: { logLevel: 'silent', queueName: 'kayenta' }, store, providers: liveProviders() });
  await assembly.engine.start(4);
});
afterAll(async () => {
  await assembly?.close();
  await kayenta?.close();
});

const measurements = (r: AnalysisRun) => r.status?.metricResults?.[0]?.measurements ?? [];

describe('kayenta through the engine', () => {
  it('runs Running → resumed after 15 s → Successful with the score as value', async () => {
    kayenta.judge(96);
    await assembly.engine.submit(run('judged', kayentaMetric()));
    const running = await until('judged', (r) => measurements(r)[0]?.phase === 'Running', 'a Running measurement');
    const m = measurements(running)[0]!;
    expect(m.metadata?.['canaryExecutionId']).toMatch(/\S/);
    expect(Date.parse(m.resumeAt!) - Date.parse(m.startedAt!)).toBe(15_000);
    const done = await until('judged', (r) => isCompleted(r.status?.phase), 'the verdict');
    expect(done.status?.phase).toBe('Successful');
    expect(measurements(done)[0]).toMatchObject({ phase: 'Successful', value: '96' });
  }, 60_000);

  it('leaves a canary in flight Running when the run is terminated (Argo\'s Terminate does nothing)', async () => {
    kayenta.judge(96, 1000); // never completes on its own within the test
    await assembly.engine.submit(run('terminated', kayentaMetric()));
    const running = await until('terminated', (r) => measurements(r)[0]?.phase === 'Running', 'a Running measurement');
    const resumeAt = Date.parse(measurements(running)[0]!.resumeAt!);
    await assembly.engine.terminate('canary/terminated');
    // Argo's assessRunStatus: a terminating run with no completed metric is Successful ("Run
    // Terminated"); the Kayenta measurement itself is left as it was, Running and never judged.
    const done = await until('terminated', (r) => isCompleted(r.status?.phase), 'the run to complete');
    expect(done.status).toMatchObject({ phase: 'Successful', message: 'Run Terminated' });
    expect(measurements(done)).toHaveLength(1);
    expect(measurements(done)[0]).toMatchObject({ phase: 'Running' });
    expect(measurements(done)[0]!.finishedAt).toBeUndefined();
    // Past the resume time nothing asks Kayenta for the score: Terminate, not Resume, was called.
    await new Promise((r) => setTimeout(r, Math.max(0, resumeAt - Date.now()) + 1000));
    const id = measurements(done)[0]!.metadata!['canaryExecutionId'];
    expect(kayenta.executions().find((e) => e.id === id)?.polls).toBe(0);
    expect(measurements((await store.get('canary/terminated'))!)[0]).toMatchObject({ phase: 'Running' });
  }, 60_000);
});

describe('plugin metrics', () => {
  it('are an Error measurement naming the plugin', async () => {
    await assembly.engine.submit(
      run('plugin', { name: 'p', consecutiveErrorLimit: 0, provider: { plugin: { 'argoproj-labs/sample-prometheus': { address: 'http://prom:9090', query: 'up' } } } }),
    );
    const done = await until('plugin', (r) => isCompleted(r.status?.phase), 'the verdict', 20_000);
    expect(done.status?.phase).toBe('Error');
    expect(measurements(done)[0]?.message).toContain('metric plugin "argoproj-labs/sample-prometheus" cannot run in assay');
    expect(measurements(done)[0]?.message).toContain("keep analysis that uses plugin metrics on Argo's analysis controller");
  });
});
