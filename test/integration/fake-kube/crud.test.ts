// CRUD semantics through the real client-node over loopback HTTP.
import {
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  VersionApi,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKube, type FakeKube } from '../../support/fake-kube/index.js';
import { analysisRun, apiError, ARGO } from './helpers.js';

let fake: FakeKube;
let custom: CustomObjectsApi;
let core: CoreV1Api;
const NS = 'crud';
const ar = { ...ARGO, namespace: NS, plural: 'analysisruns' };
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

beforeAll(async () => {
  fake = await startFakeKube({ namespaces: [NS, 'other'] });
  custom = fake.kubeConfig().makeApiClient(CustomObjectsApi);
  core = fake.kubeConfig().makeApiClient(CoreV1Api);
});
afterAll(() => fake.close());

describe('create / get', () => {
  it('fills server-managed metadata and defaults the namespace', async () => {
    const created = await custom.createNamespacedCustomObject({ ...ar, body: analysisRun('c1') });
    expect(created.metadata).toMatchObject({ name: 'c1', namespace: NS, generation: 1 });
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Number(created.metadata.resourceVersion)).toBeGreaterThan(0);
    const got = await custom.getNamespacedCustomObject({ ...ar, name: 'c1' });
    expect(got).toEqual(created);
  });

  it('answers a duplicate with 409 AlreadyExists', async () => {
    const { code, body } = await apiError(custom.createNamespacedCustomObject({ ...ar, body: analysisRun('c1') }));
    expect(code).toBe(409);
    expect(body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'analysisruns.argoproj.io "c1" already exists',
      reason: 'AlreadyExists',
      details: { name: 'c1', group: 'argoproj.io', kind: 'analysisruns' },
      code: 409,
    });
  });

  it('supports generateName', async () => {
    const body = analysisRun('');
    (body.metadata as Record<string, unknown>) = { generateName: 'gen-' };
    const created = await custom.createNamespacedCustomObject({ ...ar, body });
    expect(created.metadata.name).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('rejects content in a namespace that does not exist', async () => {
    const { code, body } = await apiError(custom.createNamespacedCustomObject({ ...ar, namespace: 'nope', body: analysisRun('x') }));
    expect(code).toBe(404);
    expect(body.message).toBe('namespaces "nope" not found');
  });

  it('reports NotFound with the qualified resource, and core resources unqualified', async () => {
    const a = await apiError(custom.getNamespacedCustomObject({ ...ar, name: 'missing' }));
    expect([a.code, a.body.reason, a.body.message]).toEqual([404, 'NotFound', 'analysisruns.argoproj.io "missing" not found']);
    const s = await apiError(core.readNamespacedSecret({ namespace: NS, name: 'x' }));
    expect(s.body).toMatchObject({ message: 'secrets "x" not found', details: { name: 'x', kind: 'secrets' } });
    expect(s.body.details.group).toBeUndefined();
  });

  it('validates metadata and CRD-required fields with 422 Invalid', async () => {
    const bad = await apiError(custom.createNamespacedCustomObject({ ...ar, body: analysisRun('Bad_Name') }));
    expect(bad.code).toBe(422);
    expect(bad.body.message).toMatch(/^AnalysisRun\.argoproj\.io "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
    const noPhase = await apiError(custom.createNamespacedCustomObject({ ...ar, body: analysisRun('np', { status: { message: 'x' } }) }));
    expect(noPhase.body.message).toBe('AnalysisRun.argoproj.io "np" is invalid: status.phase: Required value');
    expect(noPhase.body.details.causes).toEqual([{ reason: 'FieldValueRequired', message: 'Required value', field: 'status.phase' }]);
  });

  it('serves discovery and /version', async () => {
    const v = await fake.kubeConfig().makeApiClient(VersionApi).getCode();
    expect(v.gitVersion).toBe('v1.31.0');
    const res = await fetch(`${fake.url}/apis/argoproj.io/v1alpha1`);
    const doc = (await res.json()) as { resources: Array<Record<string, unknown>> };
    expect(doc.resources.find((r) => r.name === 'analysisruns')).toMatchObject({ kind: 'AnalysisRun', namespaced: true, shortNames: ['ar'] });
    expect(doc.resources.find((r) => r.name === 'rollouts/status')).toBeDefined();
    expect(doc.resources.find((r) => r.name === 'analysisruns/status')).toBeUndefined();
  });
});

describe('list', () => {
  beforeAll(async () => {
    const labels: Array<Record<string, string>> = [{ tier: 'a', env: 'prod' }, { tier: 'b', env: 'prod' }, { tier: 'c' }];
    for (const [i, l] of labels.entries()) {
      await custom.createNamespacedCustomObject({ ...ar, namespace: 'other', body: { ...analysisRun(`l${i}`), metadata: { name: `l${i}`, labels: l } } });
    }
  });

  const names = (list: { items: Array<{ metadata: { name: string } }> }) => list.items.map((i) => i.metadata.name);
  const sel = async (labelSelector: string) => names(await custom.listNamespacedCustomObject({ ...ar, namespace: 'other', labelSelector }));

  it('lists one namespace or all, with the list resourceVersion', async () => {
    const one = await custom.listNamespacedCustomObject({ ...ar, namespace: 'other' });
    expect(one.kind).toBe('AnalysisRunList');
    expect(names(one)).toEqual(['l0', 'l1', 'l2']);
    expect(one.metadata.resourceVersion).toBe(fake.resourceVersion());
    const all = await custom.listClusterCustomObject({ ...ARGO, plural: 'analysisruns' });
    expect(names(all)).toEqual(expect.arrayContaining(['c1', 'l0', 'l1', 'l2']));
  });

  it('applies every label selector operator', async () => {
    expect(await sel('tier=a')).toEqual(['l0']);
    expect(await sel('tier==b')).toEqual(['l1']);
    expect(await sel('env!=prod')).toEqual(['l2']); // != also matches objects without the label
    expect(await sel('tier in (a, c)')).toEqual(['l0', 'l2']);
    expect(await sel('tier notin (a)')).toEqual(['l1', 'l2']);
    expect(await sel('env')).toEqual(['l0', 'l1']);
    expect(await sel('!env')).toEqual(['l2']);
    expect(await sel('env=prod,tier!=a')).toEqual(['l1']);
    const { code, body } = await apiError(sel('tier in a'));
    expect([code, body.reason]).toEqual([400, 'BadRequest']);
  });

  it('applies field selectors and rejects unknown fields', async () => {
    const byName = await custom.listClusterCustomObject({ ...ARGO, plural: 'analysisruns', fieldSelector: 'metadata.name=l1' });
    expect(names(byName)).toEqual(['l1']);
    const byNs = await custom.listClusterCustomObject({ ...ARGO, plural: 'analysisruns', fieldSelector: 'metadata.namespace!=other' });
    expect(names(byNs)).not.toContain('l0');
    const { code, body } = await apiError(custom.listClusterCustomObject({ ...ARGO, plural: 'analysisruns', fieldSelector: 'spec.x=1' }));
    expect([code, body.message]).toEqual([400, 'field label not supported: spec.x']);
  });

  it('paginates with limit/continue at a consistent revision', async () => {
    const p1 = await custom.listNamespacedCustomObject({ ...ar, namespace: 'other', limit: 2 });
    expect(names(p1)).toEqual(['l0', 'l1']);
    expect(p1.metadata.remainingItemCount).toBe(1);
    // A change after the first page must not leak into the second one.
    await custom.createNamespacedCustomObject({ ...ar, namespace: 'other', body: analysisRun('l3') });
    const p2 = await custom.listNamespacedCustomObject({ ...ar, namespace: 'other', limit: 2, _continue: p1.metadata.continue });
    expect(names(p2)).toEqual(['l2']);
    expect(p2.metadata.resourceVersion).toBe(p1.metadata.resourceVersion);
    expect(p2.metadata.continue).toBeUndefined();
  });

  it('omits kind/apiVersion on the items of built-in lists only', async () => {
    await core.createNamespacedConfigMap({ namespace: 'other', body: { metadata: { name: 'cm1' }, data: { a: '1' } } });
    const raw = (await (await fetch(`${fake.url}/api/v1/namespaces/other/configmaps`)).json()) as { kind: string; items: object[] };
    expect(raw.kind).toBe('ConfigMapList');
    expect(raw.items[0]).not.toHaveProperty('kind');
    const crs = (await (await fetch(`${fake.url}/apis/argoproj.io/v1alpha1/namespaces/other/analysisruns`)).json()) as { items: object[] };
    expect(crs.items[0]).toHaveProperty('kind', 'AnalysisRun');
  });
});

describe('update and patch', () => {
  it('replace: 409 on a stale resourceVersion, 422 without one, generation on spec change only', async () => {
    const v1 = await custom.createNamespacedCustomObject({ ...ar, body: analysisRun('u1') });
    const v2 = await custom.replaceNamespacedCustomObject({ ...ar, name: 'u1', body: { ...v1, metadata: { ...v1.metadata, labels: { x: 'y' } } } });
    expect(v2.metadata.generation).toBe(1);
    expect(Number(v2.metadata.resourceVersion)).toBeGreaterThan(Number(v1.metadata.resourceVersion));

    const stale = await apiError(custom.replaceNamespacedCustomObject({ ...ar, name: 'u1', body: v1 }));
    expect(stale.code).toBe(409);
    expect(stale.body).toMatchObject({
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on analysisruns.argoproj.io "u1": the object has been modified; please apply your changes to the latest version and try again',
    });

    const { resourceVersion: _drop, ...meta } = v2.metadata;
    const noRv = await apiError(custom.replaceNamespacedCustomObject({ ...ar, name: 'u1', body: { ...v2, metadata: meta } }));
    expect(noRv.code).toBe(422);
    expect(noRv.body.message).toBe('analysisruns.argoproj.io "u1" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update');

    const v3 = await custom.replaceNamespacedCustomObject({ ...ar, name: 'u1', body: { ...v2, spec: { ...v2.spec, terminate: true } } });
    expect(v3.metadata.generation).toBe(2);
  });

  it('merge patch writes AnalysisRun status on the main resource (no status subresource)', async () => {
    await custom.createNamespacedCustomObject({ ...ar, body: analysisRun('p1') });
    const patched = await custom.patchNamespacedCustomObject({ ...ar, name: 'p1', body: { status: { phase: 'Running' } } }, merge);
    expect(patched.status).toEqual({ phase: 'Running' });
    // apiextensions bumps generation for any non-metadata change, and without a status
    // subresource status is part of that: a real server does this too.
    expect(patched.metadata.generation).toBe(2);
    const sent = fake.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/p1')).at(-1);
    expect(sent).toMatchObject({ contentType: 'application/merge-patch+json', body: { status: { phase: 'Running' } } });

    const viaStatus = await apiError(custom.patchNamespacedCustomObjectStatus({ ...ar, name: 'p1', body: { status: { phase: 'Failed' } } }, merge));
    expect([viaStatus.code, viaStatus.body.message]).toEqual([404, 'analysisruns.argoproj.io "p1" not found']);
  });

  it('json patch applies ops, honours test, and a failed test is 422', async () => {
    await custom.createNamespacedCustomObject({ ...ar, body: analysisRun('j1') });
    const ok = await custom.patchNamespacedCustomObject(
      {
        ...ar,
        name: 'j1',
        body: [
          { op: 'test', path: '/metadata/labels/app', value: 'demo' },
          { op: 'add', path: '/spec/terminate', value: true },
          { op: 'add', path: '/metadata/labels/x~1y', value: 'z' },
        ],
      },
      jsonPatch,
    );
    expect(ok.spec.terminate).toBe(true);
    expect(ok.metadata.labels['x/y']).toBe('z');
    const failed = await apiError(
      custom.patchNamespacedCustomObject({ ...ar, name: 'j1', body: [{ op: 'test', path: '/spec/terminate', value: false }] }, jsonPatch),
    );
    expect(failed.code).toBe(422);
    expect(failed.body.details.causes[0].message).toBe('testing value /spec/terminate failed: test failed');
  });

  it('415 for strategic merge on a custom resource; 409 for a stale resourceVersion in a patch; no-op keeps the revision', async () => {
    const created = await custom.createNamespacedCustomObject({ ...ar, body: analysisRun('s1') });
    const smp = await apiError(
      custom.patchNamespacedCustomObject({ ...ar, name: 's1', body: { spec: {} } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch)),
    );
    expect(smp.code).toBe(415);
    expect(smp.body.message).toBe(
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
    );
    const labelled = await custom.patchNamespacedCustomObject({ ...ar, name: 's1', body: { metadata: { labels: { v: '2' } } } }, merge);
    const stale = await apiError(
      custom.patchNamespacedCustomObject({ ...ar, name: 's1', body: { metadata: { resourceVersion: created.metadata.resourceVersion }, spec: { terminate: true } } }, merge),
    );
    expect(stale.code).toBe(409);
    const before = fake.resourceVersion();
    const same = await custom.patchNamespacedCustomObject({ ...ar, name: 's1', body: { metadata: { labels: { v: '2' } } } }, merge);
    expect(same.metadata.resourceVersion).toBe(labelled.metadata.resourceVersion);
    expect(fake.resourceVersion()).toBe(before);
  });

  it('status subresource: main resource ignores status, /status ignores everything else', async () => {
    const ro = { ...ARGO, namespace: NS, plural: 'rollouts' };
    const created = await custom.createNamespacedCustomObject({
      ...ro,
      body: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'r1' }, spec: { replicas: 1 }, status: { phase: 'Healthy' } },
    });
    expect(created.status).toBeUndefined();
    const s = await custom.patchNamespacedCustomObjectStatus({ ...ro, name: 'r1', body: { spec: { replicas: 5 }, status: { phase: 'Paused' } } }, merge);
    expect([s.spec.replicas, s.status.phase, s.metadata.generation]).toEqual([1, 'Paused', 1]);
    const m = await custom.patchNamespacedCustomObject({ ...ro, name: 'r1', body: { spec: { replicas: 2 }, status: { phase: 'Degraded' } } }, merge);
    expect([m.spec.replicas, m.status.phase, m.metadata.generation]).toEqual([2, 'Paused', 2]);
    const missing = await apiError(custom.getNamespacedCustomObject({ ...ARGO, namespace: NS, plural: 'analysisruns', name: 'r1' }));
    expect(missing.code).toBe(404);
  });

  it('core types: stringData folds into data; unconditional PUT is allowed', async () => {
    const s = await core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: 'sec' }, stringData: { token: 'hunter2' } } });
    expect(s.data).toEqual({ token: Buffer.from('hunter2').toString('base64') });
    expect(s.type).toBe('Opaque');
    expect((s as unknown as Record<string, unknown>).stringData).toBeUndefined();
    const r = await core.replaceNamespacedSecret({ namespace: NS, name: 'sec', body: { metadata: { name: 'sec' }, data: { token: 'eA==' } } });
    expect(r.data).toEqual({ token: 'eA==' });
  });

  it('leases: conflicting replace is 409 and MicroTime is normalised', async () => {
    const leases = fake.kubeConfig().makeApiClient(CoordinationV1Api);
    const l = await leases.createNamespacedLease({
      namespace: NS,
      body: { metadata: { name: 'assay' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15, renewTime: new Date('2024-01-02T03:04:05.678Z') } },
    });
    const raw = fake.get({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: NS, name: 'assay' });
    expect((raw?.spec as Record<string, unknown>).renewTime).toBe('2024-01-02T03:04:05.678000Z');
    await leases.replaceNamespacedLease({ namespace: NS, name: 'assay', body: { ...l, spec: { ...l.spec, holderIdentity: 'b' } } });
    const lost = await apiError(leases.replaceNamespacedLease({ namespace: NS, name: 'assay', body: { ...l, spec: { ...l.spec, holderIdentity: 'c' } } }));
    expect([lost.code, lost.body.message]).toEqual([
      409,
      'Operation cannot be fulfilled on leases.coordination.k8s.io "assay": the object has been modified; please apply your changes to the latest version and try again',
    ]);
  });
});

describe('scopes and registered types', () => {
  it('serves cluster-scoped ClusterAnalysisTemplates without a namespace', async () => {
    const body = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ClusterAnalysisTemplate',
      metadata: { name: 'shared', namespace: 'ignored' },
      spec: { metrics: [{ name: 'm', provider: { web: { url: 'http://x' } } }] },
    };
    const created = await custom.createClusterCustomObject({ ...ARGO, plural: 'clusteranalysistemplates', body });
    expect(created.metadata.namespace).toBeUndefined();
    const res = await fetch(`${fake.url}/apis/argoproj.io/v1alpha1/namespaces/${NS}/clusteranalysistemplates/shared`);
    expect(res.status).toBe(404);
  });

  it('registerCustomResource adds a served resource, discoverable and with its own status rule', async () => {
    fake.registerCustomResource({ group: 'assay.io', version: 'v1', kind: 'Probe', plural: 'probes', statusSubresource: true, shortNames: ['pr'] });
    const api = { group: 'assay.io', version: 'v1', namespace: NS, plural: 'probes' };
    const created = await custom.createNamespacedCustomObject({ ...api, body: { apiVersion: 'assay.io/v1', kind: 'Probe', metadata: { name: 'p' }, spec: { a: 1 }, status: { ok: true } } });
    expect(created.status).toBeUndefined();
    const groups = (await (await fetch(`${fake.url}/apis`)).json()) as { groups: Array<{ name: string }> };
    expect(groups.groups.map((g) => g.name)).toContain('assay.io');
    const wrongKind = await apiError(custom.createNamespacedCustomObject({ ...api, body: { apiVersion: 'assay.io/v1', metadata: { name: 'q' } } }));
    expect([wrongKind.code, wrongKind.body.message]).toEqual([400, `Object 'Kind' is missing in '{"apiVersion":"assay.io/v1","metadata":{"name":"q"}}'`]);
  });

  it('services: ClusterIP survives a replace that omits it; a strategic merge patch flips the selector', async () => {
    const svc = await core.createNamespacedService({ namespace: NS, body: { metadata: { name: 'active' }, spec: { selector: { hash: 'aaa' }, ports: [{ port: 80 }] } } });
    expect(svc.spec?.clusterIP).toMatch(/^10\.96\./);
    const replaced = await core.replaceNamespacedService({ namespace: NS, name: 'active', body: { metadata: { name: 'active' }, spec: { selector: { hash: 'aaa' }, ports: [{ port: 80 }] } } });
    expect(replaced.spec?.clusterIP).toBe(svc.spec?.clusterIP);
    const flipped = await core.patchNamespacedService(
      { namespace: NS, name: 'active', body: { spec: { selector: { hash: 'bbb' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(flipped.spec?.selector).toEqual({ hash: 'bbb' });
  });
});

describe('delete', () => {
  it('returns a Success Status for custom resources', async () => {
    const created = await custom.createNamespacedCustomObject({ ...ar, body: analysisRun('d1') });
    const res = await custom.deleteNamespacedCustomObject({ ...ar, name: 'd1', propagationPolicy: 'Background' });
    expect(res).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'd1', group: 'argoproj.io', kind: 'analysisruns', uid: created.metadata.uid } });
    expect((await apiError(custom.getNamespacedCustomObject({ ...ar, name: 'd1' }))).code).toBe(404);
  });

  it('with finalizers only marks the object; dropping the last finalizer removes it', async () => {
    const body = analysisRun('d2');
    (body.metadata as Record<string, unknown>).finalizers = ['assay.io/cleanup'];
    await custom.createNamespacedCustomObject({ ...ar, body });
    const marked = await custom.deleteNamespacedCustomObject({ ...ar, name: 'd2' });
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    expect(marked.metadata.generation).toBe(2);
    const addMore = await apiError(
      custom.patchNamespacedCustomObject({ ...ar, name: 'd2', body: { metadata: { finalizers: ['assay.io/cleanup', 'other.io/x'] } } }, merge),
    );
    expect(addMore.code).toBe(422);
    await custom.patchNamespacedCustomObject({ ...ar, name: 'd2', body: { metadata: { finalizers: null } } }, merge);
    expect((await apiError(custom.getNamespacedCustomObject({ ...ar, name: 'd2' }))).code).toBe(404);
  });

  it('rejects an unknown propagationPolicy and a mismatched precondition', async () => {
    await custom.createNamespacedCustomObject({ ...ar, body: analysisRun('d3') });
    const bad = await apiError(custom.deleteNamespacedCustomObject({ ...ar, name: 'd3', propagationPolicy: 'Sometimes' }));
    expect(bad.code).toBe(422);
    const pre = await apiError(custom.deleteNamespacedCustomObject({ ...ar, name: 'd3', body: { preconditions: { uid: 'nope' } } }));
    expect([pre.code, pre.body.reason]).toEqual([409, 'Conflict']);
  });
});
