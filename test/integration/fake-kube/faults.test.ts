// Test hooks (faults, latency, request log, direct store access) and the asynchronous
// controllers behind deletes (garbage collector, namespace lifecycle).
import { BatchV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKube, type FakeKube, type KubeObject } from '../../support/fake-kube/index.js';
import { analysisRun, apiError, ARGO, until } from './helpers.js';

let fake: FakeKube;
let custom: CustomObjectsApi;
let core: CoreV1Api;
let batch: BatchV1Api;
const NS = 'hooks';
const ro = { ...ARGO, namespace: NS, plural: 'rollouts' };
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

beforeAll(async () => {
  fake = await startFakeKube({ namespaces: [NS] });
  const kc = fake.kubeConfig();
  custom = kc.makeApiClient(CustomObjectsApi);
  core = kc.makeApiClient(CoreV1Api);
  batch = kc.makeApiClient(BatchV1Api);
});
afterAll(() => fake.close());

const job = (name: string) => ({
  metadata: { name },
  spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
});

describe('fault hooks', () => {
  it('fails exactly the next matching status PATCH, then lets requests through', async () => {
    await custom.createNamespacedCustomObject({ ...ro, body: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'r' }, spec: {} } });
    const fault = fake.injectFault({ method: 'PATCH', path: /\/rollouts\/r\/status$/, status: 409 });
    const first = await apiError(custom.patchNamespacedCustomObjectStatus({ ...ro, name: 'r', body: { status: { phase: 'Paused' } } }, merge));
    expect([first.code, first.body.reason, first.body.message]).toEqual([
      409,
      'Conflict',
      'Operation cannot be fulfilled on rollouts.argoproj.io "r": the object has been modified; please apply your changes to the latest version and try again',
    ]);
    const second = await custom.patchNamespacedCustomObjectStatus({ ...ro, name: 'r', body: { status: { phase: 'Paused' } } }, merge);
    expect(second.status.phase).toBe('Paused');
    expect([fault.hits, fault.remaining]).toEqual([1, 0]);
  });

  it('injects 500s with a Status body, a custom body, and can be cancelled', async () => {
    const f = fake.injectFault({ path: `/api/v1/namespaces/${NS}/secrets`, status: 500, times: Infinity });
    const e = await apiError(core.listNamespacedSecret({ namespace: NS }));
    expect(e.body).toMatchObject({ kind: 'Status', reason: 'InternalError', code: 500 });
    f.cancel();
    await core.listNamespacedSecret({ namespace: NS });
    fake.injectFault({ method: 'GET', status: 503, body: { kind: 'Status', message: 'custom' } });
    const c = await apiError(core.listNamespacedSecret({ namespace: NS }));
    expect([c.code, c.body.message]).toEqual([503, 'custom']);
  });

  it('adds latency and records what the client sent', async () => {
    fake.clearRequests();
    fake.setLatency(60);
    const t0 = Date.now();
    await core.readNamespace({ name: NS });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
    fake.setLatency(0);
    await core.patchNamespacedConfigMap({ namespace: NS, name: 'nope', body: [{ op: 'add', path: '/data', value: {} }] }).catch(() => undefined);
    expect(fake.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ['GET', `/api/v1/namespaces/${NS}`, 200],
      ['PATCH', `/api/v1/namespaces/${NS}/configmaps/nope`, 404],
    ]);
    // client-node's default patch type is JSON patch.
    expect(fake.requests[1]).toMatchObject({ contentType: 'application/json-patch+json', body: [{ op: 'add', path: '/data', value: {} }] });
  });

  it('direct store access bumps revisions and is visible over HTTP', async () => {
    const before = Number(fake.resourceVersion());
    const put = fake.put({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'direct', namespace: NS }, spec: {}, status: { phase: 'Healthy' } });
    expect(Number(put.metadata.resourceVersion)).toBe(before + 1);
    const got = await custom.getNamespacedCustomObject({ ...ro, name: 'direct' });
    expect(got.status).toEqual({ phase: 'Healthy' }); // put() may write status even with a status subresource
    expect(fake.list({ apiVersion: 'argoproj.io/v1alpha1', kind: 'rollouts', namespace: NS }).map((o) => o.metadata.name)).toEqual(['direct', 'r']);
    expect(fake.delete({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace: NS, name: 'direct' })).toBeDefined();
    expect(fake.get({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace: NS, name: 'direct' })).toBeUndefined();
  });
});

describe('deletion controllers', () => {
  it('batch/v1 Jobs orphan their pods by default (with the apiserver warning); Background deletes them', async () => {
    const j = await batch.createNamespacedJob({ namespace: NS, body: job('j1') });
    expect(j.spec?.selector?.matchLabels).toEqual({ 'batch.kubernetes.io/controller-uid': j.metadata?.uid });
    const owned = (name: string, owner: typeof j): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: NS, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: owner.metadata?.name ?? '', uid: owner.metadata?.uid ?? '', controller: true }] },
      spec: { containers: [] },
    });
    fake.put(owned('j1-pod', j));
    fake.clearRequests();
    await batch.deleteNamespacedJob({ namespace: NS, name: 'j1' });
    expect(String(fake.requests[0]?.status)).toBe('200');
    await until(() => !fake.get({ apiVersion: 'batch/v1', kind: 'Job', namespace: NS, name: 'j1' }));
    const orphan = fake.get({ apiVersion: 'v1', kind: 'Pod', namespace: NS, name: 'j1-pod' });
    expect(orphan?.metadata.ownerReferences).toBeUndefined();

    const j2 = await batch.createNamespacedJob({ namespace: NS, body: job('j2') });
    fake.put(owned('j2-pod', j2));
    await batch.deleteNamespacedJob({ namespace: NS, name: 'j2', propagationPolicy: 'Background' });
    await until(() => !fake.get({ apiVersion: 'v1', kind: 'Pod', namespace: NS, name: 'j2-pod' }));
  });

  it('Foreground: dependents go first, then the owner', async () => {
    const owner = fake.put({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs-fg', namespace: NS }, spec: { replicas: 1 } });
    fake.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'rs-fg-pod', namespace: NS, finalizers: ['test.io/hold'], ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs-fg', uid: owner.metadata.uid ?? '' }] },
      spec: { containers: [] },
    });
    const res = await fetch(`${fake.url}/apis/apps/v1/namespaces/${NS}/replicasets/rs-fg`, { method: 'DELETE', body: JSON.stringify({ propagationPolicy: 'Foreground' }) });
    expect(((await res.json()) as KubeObject).metadata.finalizers).toEqual(['foregroundDeletion']);
    const pod = { apiVersion: 'v1', kind: 'Pod', namespace: NS, name: 'rs-fg-pod' };
    // The pod is deleted in the foreground too; only our own finalizer holds it.
    await until(() => fake.get(pod)?.metadata.finalizers?.join() === 'test.io/hold' && fake.get(pod)?.metadata.deletionTimestamp);
    expect(fake.get({ apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace: NS, name: 'rs-fg' })).toBeDefined(); // blocked by the pod
    await core.patchNamespacedPod({ namespace: NS, name: 'rs-fg-pod', body: { metadata: { finalizers: null } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    await until(() => !fake.get({ apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace: NS, name: 'rs-fg' }));
  });

  it('sends the Warning header for a default-propagation Job delete', async () => {
    await batch.createNamespacedJob({ namespace: NS, body: job('j3') });
    const res = await fetch(`${fake.url}/apis/batch/v1/namespaces/${NS}/jobs/j3`, { method: 'DELETE' });
    expect(res.headers.get('warning')).toMatch(/^299 - "child pods are preserved by default when jobs are deleted/);
    const body = (await res.json()) as KubeObject;
    expect(body.metadata.finalizers).toEqual(['orphan']);
  });

  it('rejects invalid Jobs like the apiserver', async () => {
    const bad = await apiError(batch.createNamespacedJob({ namespace: NS, body: { metadata: { name: 'bad' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } } }));
    expect(bad.body.message).toBe('Job.batch "bad" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"');
  });

  it('namespace deletion: Terminating, no new content, then content and namespace are removed', async () => {
    await core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    const arApi = { ...ARGO, namespace: 'doomed', plural: 'analysisruns' };
    // A finalizer on the content keeps the namespace Terminating until we release it.
    const held = analysisRun('held');
    (held.metadata as Record<string, unknown>).finalizers = ['assay.io/hold'];
    await custom.createNamespacedCustomObject({ ...arApi, body: held });
    await custom.createNamespacedCustomObject({ ...arApi, body: analysisRun('plain') });
    const ns = (await core.deleteNamespace({ name: 'doomed' })) as KubeObject;
    expect(ns.status).toEqual({ phase: 'Terminating' });
    await until(() => fake.list({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', namespace: 'doomed' }).length === 1);
    const refused = await apiError(custom.createNamespacedCustomObject({ ...arApi, body: analysisRun('late') }));
    expect([refused.code, refused.body.reason, refused.body.message]).toEqual([
      403,
      'Forbidden',
      'analysisruns.argoproj.io "late" is forbidden: unable to create new content in namespace doomed because it is being terminated',
    ]);
    expect(fake.get({ apiVersion: 'v1', kind: 'Namespace', name: 'doomed' })?.status).toEqual({ phase: 'Terminating' });
    await custom.patchNamespacedCustomObject({ ...arApi, name: 'held', body: { metadata: { finalizers: null } } }, merge);
    await until(() => !fake.get({ apiVersion: 'v1', kind: 'Namespace', name: 'doomed' }));
    expect(fake.list({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', namespace: 'doomed' })).toEqual([]);
  });
});
