/**
 * The status-write budget of the Kubernetes run store (src/kube/status-write-budget.ts), proven
 * against the fake API server's request log: PATCH timestamps never exceed the token bucket, a
 * later status replaces a queued one, a terminal status jumps the queue, reads return the queued
 * status, a queued write that conflicts hands the run back to the engine, and the controller
 * with --kube-qps completes every run within the budget. No wall-clock limits here: how fast
 * verdicts land under a budget is measured in bench/ (kube-writes), where load is reported.
 */
import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCompleted } from '../../../src/api/phase.js';
import type { AnalysisRun, AnalysisRunStatus } from '../../../src/api/types.js';
import { startController } from '../../../src/composition/cluster.js';
import type { Controller } from '../../../src/controller/controller.js';
import { KubeRunStore } from '../../../src/kube/kube-run-store.js';
import { TokenBucket } from '../../../src/kube/status-write-budget.js';
import type { MetricProvider } from '../../../src/metric/provider.js';
import type { StoreChange } from '../../../src/store/run-store.js';
import { startFakeKube, type FakeKube, type RecordedRequest } from '../../support/fake-kube/index.js';

const NS = 'shop';
const AR = { group: 'argoproj.io', version: 'v1alpha1', plural: 'analysisruns' };
let fake: FakeKube;
const stores: KubeRunStore[] = [];

beforeEach(async () => {
  fake = await startFakeKube({ namespaces: [NS] });
});
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await fake.close();
});

/** When each status write took its token, on the bucket's own clock. */
let tokens: number[] = [];

const start = async (qps: number, burst: number) => {
  tokens = [];
  const s = await KubeRunStore.start({ kubeConfig: fake.kubeConfig(), statusWriteBudget: { qps, burst, onToken: (at) => tokens.push(at) } });
  stores.push(s);
  return s;
};

/**
 * The bucket's invariant, on its own clock (so a loaded machine cannot bend it): never more writes
 * in any window than burst + qps × window; and no PATCH reached the server without a token.
 */
function expectWithinBudget(qps: number, burst: number): void {
  expect(worstExcess(tokens, qps, burst)).toBeLessThanOrEqual(1e-6);
  expect(patches().length).toBeLessThanOrEqual(tokens.length);
}

const run = (name: string): AnalysisRun => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisRun',
  metadata: { name, namespace: NS },
  spec: { metrics: [{ name: 'm', interval: '1s', provider: { web: { url: 'http://127.0.0.1:1/x' } } }] },
});

const running = (n: number): AnalysisRunStatus => ({ phase: 'Running', startedAt: '2026-01-01T00:00:00Z', runSummary: { count: n } });
const stored = (name: string) => fake.get({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', namespace: NS, name }) as unknown as AnalysisRun;
const patches = (): RecordedRequest[] => fake.requests.filter((r) => r.method === 'PATCH' && r.path.includes('/analysisruns/'));

/** The largest number of writes that started in any window of `windowMs`, minus what the bucket allows. */
function worstExcess(times: number[], qps: number, burst: number): number {
  const t = [...times].sort((a, b) => a - b);
  let worst = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < t.length; i++) {
    for (let j = i; j < t.length; j++) {
      const allowed = burst + (qps * (t[j]! - t[i]!)) / 1000;
      worst = Math.max(worst, j - i + 1 - allowed);
    }
  }
  return worst;
}

const until = async (cond: () => boolean, what: string, timeoutMs = 15_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('token bucket', () => {
  it('starts full, refills at qps, never beyond burst', () => {
    let now = 0;
    const b = new TokenBucket(10, 3, () => now);
    expect([b.tryTake(), b.tryTake(), b.tryTake(), b.tryTake()]).toEqual([true, true, true, false]);
    expect(b.msUntilToken()).toBe(100);
    now = 100;
    expect(b.tryTake()).toBe(true);
    now = 10_000;
    expect([b.tryTake(), b.tryTake(), b.tryTake(), b.tryTake()]).toEqual([true, true, true, false]);
  });
});

describe('KubeRunStore with a status write budget', () => {
  it('never writes faster than the budget; a later status replaces a queued one; reads see the queued status', async () => {
    const store = await start(20, 5);
    const uids: string[] = [];
    for (let i = 0; i < 30; i++) uids.push((await store.create(run(`r${i}`))).metadata.uid!);
    for (let i = 0; i < 30; i++) await store.get(`${NS}/r${i}`);
    fake.clearRequests();
    tokens = [];
    // Five statuses per run, back to back: 150 writeStatus calls. None of them waits for its
    // write: they all return while most writes are still queued.
    for (let n = 1; n <= 5; n++) {
      for (let i = 0; i < 30; i++) expect(await store.writeStatus(`${NS}/r${i}`, uids[i], running(n))).toBe('ok');
    }
    expect(store.writeQueueStats()!.queued).toBeGreaterThan(0);
    expect(patches().length).toBeLessThan(150);
    // Read-your-writes while the queue drains.
    expect((await store.get(`${NS}/r29`))?.status).toEqual(running(5));
    await until(() => store.writeQueueStats()!.queued === 0 && [...Array(30).keys()].every((i) => stored(`r${i}`).status?.runSummary?.count === 5), 'all statuses written');
    // Coalesced: far fewer PATCHes than statuses, and the bucket was never exceeded.
    expect(patches().length).toBeLessThan(100);
    expect(patches().length).toBeGreaterThanOrEqual(30);
    expectWithinBudget(20, 5);
  }, 30_000);

  it('a status that completes a run jumps the queue: written within a token, not after the backlog', async () => {
    const store = await start(10, 1);
    const uids: string[] = [];
    for (let i = 0; i < 40; i++) uids.push((await store.create(run(`b${i}`))).metadata.uid!);
    for (let i = 0; i < 40; i++) await store.get(`${NS}/b${i}`);
    fake.clearRequests();
    tokens = [];
    // A backlog of 40 non-terminal writes: 4 s at 10 writes/s.
    for (let i = 0; i < 40; i++) await store.writeStatus(`${NS}/b${i}`, uids[i], running(1));
    await until(() => store.writeQueueStats()!.started >= 1, 'the backlog to start draining');
    const startedBefore = store.writeQueueStats()!.started;
    const final: AnalysisRunStatus = { ...running(1), phase: 'Successful', completedAt: '2026-01-01T00:01:00Z' };
    // writeStatus of a terminal status waits for its own write: written when it returns.
    expect(await store.writeStatus(`${NS}/b39`, uids[39], final)).toBe('ok');
    expect(stored('b39').status?.phase).toBe('Successful');
    // It went next: at most the writes already started (and one taking the token meanwhile) came
    // before it, whatever the clock did; the rest of the backlog came after.
    const order = patches().map((p) => p.path.split('/').pop());
    expect(order.indexOf('b39')).toBeLessThanOrEqual(startedBefore + 1);
    expect(order.indexOf('b39')).toBeLessThan(39);
    await until(() => store.writeQueueStats()!.queued === 0, 'backlog drained');
    expect(stored('b39').status?.phase).toBe('Successful'); // the stale queued status never overwrote it
    expectWithinBudget(10, 1);
  }, 30_000);

  it('retries a queued write after a Rollout changed the spec, and hands the run back when its status changed under it', async () => {
    const store = await start(50, 5);
    const uid = (await store.create(run('c'))).metadata.uid!;
    await store.get(`${NS}/c`);
    const changes: StoreChange[] = [];
    store.watch((c) => changes.push(c));
    // Spec changed behind our back: the write is retried on the new resourceVersion.
    fake.put({ ...(stored('c') as object), spec: { ...run('c').spec, terminate: true } } as never);
    await store.writeStatus(`${NS}/c`, uid, running(1));
    await until(() => stored('c').status?.runSummary?.count === 1, 'status written after 409');
    expect(stored('c').spec.terminate).toBe(true);
    // Status changed behind our back: the queued chain is dropped and the run announced.
    await until(() => store.writeQueueStats()!.queued === 0, 'idle');
    await store.get(`${NS}/c`);
    fake.put({ ...(stored('c') as object), status: { phase: 'Running', message: 'someone else' } } as never);
    await until(() => changes.some((c) => c.type === 'upsert' && c.run.status?.message === 'someone else'), 'the informer to see it');
    fake.clearRequests();
    changes.length = 0;
    await store.writeStatus(`${NS}/c`, uid, running(2));
    expect((await store.get(`${NS}/c`))?.status).toEqual(running(2)); // queued, read back
    await until(() => patches().some((p) => p.status === 409) && store.writeQueueStats()!.queued === 0, 'the conflict');
    await until(() => changes.some((c) => c.type === 'upsert' && !c.own), 'the run handed back');
    // Dropped, not retried over someone else's status; the next read is the server's copy.
    expect(stored('c').status?.message).toBe('someone else');
    expect((await store.get(`${NS}/c`))?.status?.message).toBe('someone else');
  }, 20_000);

  it('the controller with kubeQps: 150 runs at 1 s intervals all reach their verdict within the budget', async () => {
    const qps = 40;
    const provider: MetricProvider<unknown> = {
      key: 'plugin/test/instant',
      type: 'TestInstant',
      parseConfig: (raw) => ({ ok: true, config: raw ?? {} }),
      async measure() {
        return { kind: 'value', value: [1], display: '[1]' };
      },
    };
    const controller = await startController({
      config: { logLevel: 'silent', queueName: 'budget' },
      kubeConfig: fake.kubeConfig(),
      providers: [provider],
      concurrency: 32,
      kubeQps: qps,
      kubeBurst: qps,
      onKubeWriteToken: (at) => tokens.push(at),
    });
    const verdicts = new Set<string>();
    controller.engine.listen({
      onStatus: (key, r) => {
        if (isCompleted(r.status?.phase)) verdicts.add(key);
      },
    });
    try {
      const custom = fake.kubeConfig().makeApiClient(CustomObjectsApi);
      fake.clearRequests();
      tokens = [];
      const N = 150;
      for (let i = 0; i < N; i++) {
        await custom.createNamespacedCustomObject({
          ...AR,
          namespace: NS,
          body: {
            ...run(`k${i}`),
            spec: { metrics: [{ name: 'm', interval: '1s', count: 3, successCondition: 'result[0] == 1', provider: { plugin: { 'test/instant': {} } } }] },
          },
        });
      }
      await until(() => verdicts.size === N, 'all verdicts', 90_000);
      await until(() => controller.store.writeQueueStats()!.queued === 0, 'queue drained');
      expectWithinBudget(qps, qps);
      for (let i = 0; i < N; i++) expect(stored(`k${i}`).status?.phase).toBe('Successful');
    } finally {
      await controller.stop();
    }
  }, 120_000);
});
