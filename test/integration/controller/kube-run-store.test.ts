/**
 * The Kubernetes RunStore against the fake API server, driven through the real client-node:
 * the shared RunStore contract, plus what only Kubernetes has — status written as a merge patch
 * on the main resource (no status subresource), 409 retried from a fresh read, and a stale
 * reconcile reported as a conflict instead of clobbering someone else's status.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnalysisRun } from '../../../src/api/types.js';
import { KubeRunStore } from '../../../src/kube/kube-run-store.js';
import { describeRunStoreContract } from '../../contract/run-store.contract.js';
import { startFakeKube, type FakeKube } from '../../support/fake-kube/index.js';

describeRunStoreContract('kubernetes (fake API server)', async () => {
  const fake = await startFakeKube({ namespaces: ['default', 'other-ns'] });
  const store = await KubeRunStore.start({ kubeConfig: fake.kubeConfig() });
  const other = await KubeRunStore.start({ kubeConfig: fake.kubeConfig() });
  return {
    store,
    other,
    close: async () => {
      await store.close();
      await other.close();
      await fake.close();
    },
  };
});

describe('KubeRunStore status writes', () => {
  let fake: FakeKube;
  let store: KubeRunStore;
  const ar: AnalysisRun = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: { name: 'r', namespace: 'default' },
    spec: { metrics: [{ name: 'm', provider: { web: { url: 'http://x' } } }] },
  };

  beforeEach(async () => {
    fake = await startFakeKube({ namespaces: ['default'] });
    store = await KubeRunStore.start({ kubeConfig: fake.kubeConfig() });
  });
  afterEach(async () => {
    await store.close();
    await fake.close();
  });

  it('sends a merge patch of only the changed status fields to the main resource, with the resourceVersion read', async () => {
    const created = await store.create(ar);
    await store.get('default/r');
    await store.writeStatus('default/r', created.metadata.uid, { phase: 'Running', startedAt: '2026-01-01T00:00:00Z', message: 'x' });
    await store.get('default/r');
    fake.clearRequests();
    await store.writeStatus('default/r', created.metadata.uid, { phase: 'Running', startedAt: '2026-01-01T00:00:00Z', runSummary: { count: 1 } });
    const patches = fake.requests.filter((r) => r.method === 'PATCH');
    expect(patches).toHaveLength(1);
    expect(patches[0]!.path).toBe('/apis/argoproj.io/v1alpha1/namespaces/default/analysisruns/r');
    expect(patches[0]!.contentType).toBe('application/merge-patch+json');
    const body = patches[0]!.body as { metadata: { resourceVersion: string }; status: unknown; spec?: unknown };
    expect(body.status).toEqual({ message: null, runSummary: { count: 1 } });
    expect(body.spec).toBeUndefined();
    expect(body.metadata.resourceVersion).toMatch(/^\d+$/);
    const stored = fake.get({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', name: 'r' }) as unknown as AnalysisRun;
    expect(stored.status).toEqual({ phase: 'Running', startedAt: '2026-01-01T00:00:00Z', runSummary: { count: 1 } });
    expect(stored.spec).toEqual(ar.spec);
  });

  it('retries a 409 from a fresh read when only the spec changed (a Rollout setting terminate)', async () => {
    const created = await store.create(ar);
    await store.get('default/r');
    // The Rollout terminates the run between our read and our write.
    fake.put({ ...(fake.get({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', name: 'r' }) as object), spec: { ...ar.spec, terminate: true } } as never);
    fake.clearRequests();
    expect(await store.writeStatus('default/r', created.metadata.uid, { phase: 'Running' })).toBe('ok');
    const statuses = fake.requests.filter((r) => r.method === 'PATCH').map((r) => r.status);
    expect(statuses).toEqual([409, 200]);
    const stored = fake.get({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', name: 'r' }) as unknown as AnalysisRun;
    expect(stored.spec.terminate).toBe(true);
    expect(stored.status?.phase).toBe('Running');
  });

  it('reports a conflict when someone else wrote the status meanwhile, and leaves theirs intact', async () => {
    const created = await store.create(ar);
    await store.get('default/r');
    const current = fake.get({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', name: 'r' }) as object;
    fake.put({ ...current, status: { phase: 'Failed', message: 'another writer' } } as never);
    expect(await store.writeStatus('default/r', created.metadata.uid, { phase: 'Running' })).toBe('conflict');
    const stored = fake.get({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', name: 'r' }) as unknown as AnalysisRun;
    expect(stored.status).toEqual({ phase: 'Failed', message: 'another writer' });
    // The next read sees the other writer's status at once (no waiting for the informer).
    expect((await store.get('default/r'))?.status?.message).toBe('another writer');
  });

  it('retries an injected 409 on the status patch and does not lose the write', async () => {
    const created = await store.create(ar);
    await store.get('default/r');
    fake.injectFault({ method: 'PATCH', path: '/apis/argoproj.io/v1alpha1/namespaces/default/analysisruns/r', status: 409, times: 1 });
    expect(await store.writeStatus('default/r', created.metadata.uid, { phase: 'Running', message: 'kept' })).toBe('ok');
    const stored = fake.get({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', name: 'r' }) as unknown as AnalysisRun;
    expect(stored.status?.message).toBe('kept');
  });
});
