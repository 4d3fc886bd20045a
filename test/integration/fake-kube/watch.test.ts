// Raw watch streams through client-node's Watch (which uses undici fetch, not the HttpLibrary).
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKube, type FakeKube } from '../../support/fake-kube/index.js';
import { analysisRun, ARGO, until } from './helpers.js';

let fake: FakeKube;
let custom: CustomObjectsApi;
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

beforeAll(async () => {
  fake = await startFakeKube({ namespaces: ['w1', 'w2', 'w3', 'w4', 'w5', 'w6'] });
  custom = fake.kubeConfig().makeApiClient(CustomObjectsApi);
});
afterAll(() => fake.close());

interface Seen {
  type: string;
  name?: string;
  rv?: string;
  obj: Record<string, any>;
}

/** Opens a watch and collects its events; `done` resolves with the watch's end error (or null). */
async function open(path: string, query: Record<string, string | number | boolean | undefined>) {
  const events: Seen[] = [];
  let resolveDone!: (e: unknown) => void;
  const done = new Promise<unknown>((r) => (resolveDone = r));
  const ctl = await new Watch(fake.kubeConfig()).watch(
    path,
    query,
    (type, obj: Record<string, any>) => events.push({ type, name: obj?.metadata?.name, rv: obj?.metadata?.resourceVersion, obj }),
    (err) => resolveDone(err ?? null),
  );
  return { events, done, abort: () => ctl.abort() };
}

const arPath = (ns: string) => `/apis/argoproj.io/v1alpha1/namespaces/${ns}/analysisruns`;
const create = (ns: string, name: string, labels: Record<string, string> = { app: 'demo' }) =>
  custom.createNamespacedCustomObject({ ...ARGO, namespace: ns, plural: 'analysisruns', body: { ...analysisRun(name), metadata: { name, labels } } });

describe('watch', () => {
  it('sends synthetic ADDED for existing objects, then live ADDED/MODIFIED/DELETED', async () => {
    await create('w1', 'pre');
    const w = await open(arPath('w1'), { resourceVersion: '' });
    await until(() => w.events.length === 1);
    expect(w.events[0]).toMatchObject({ type: 'ADDED', name: 'pre' });
    await create('w1', 'live');
    await custom.patchNamespacedCustomObject({ ...ARGO, namespace: 'w1', plural: 'analysisruns', name: 'live', body: { status: { phase: 'Running' } } }, merge);
    await custom.deleteNamespacedCustomObject({ ...ARGO, namespace: 'w1', plural: 'analysisruns', name: 'live' });
    await until(() => w.events.length === 4);
    expect(w.events.map((e) => `${e.type}:${e.name}`)).toEqual(['ADDED:pre', 'ADDED:live', 'MODIFIED:live', 'DELETED:live']);
    expect(w.events[2]?.obj.status).toEqual({ phase: 'Running' });
    // The DELETED object carries the deletion's own revision, newer than the last MODIFIED.
    expect(Number(w.events[3]?.rv)).toBeGreaterThan(Number(w.events[2]?.rv));
    w.abort();
  });

  it('resumes from a resourceVersion without replaying older events', async () => {
    const a = await create('w2', 'a');
    await create('w2', 'b');
    const w = await open(arPath('w2'), { resourceVersion: a.metadata.resourceVersion });
    await until(() => w.events.length === 1);
    await new Promise((r) => setTimeout(r, 30));
    expect(w.events.map((e) => `${e.type}:${e.name}`)).toEqual(['ADDED:b']);
    w.abort();
  });

  it('answers a compacted resourceVersion with an in-stream 410 Expired and ends the stream', async () => {
    const a = await create('w3', 'a');
    await create('w3', 'b');
    fake.compact();
    const w = await open(arPath('w3'), { resourceVersion: a.metadata.resourceVersion });
    expect(await w.done).toBeNull();
    expect(w.events).toHaveLength(1);
    expect(w.events[0]?.type).toBe('ERROR');
    expect(w.events[0]?.obj).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `too old resource version: ${a.metadata.resourceVersion} (${fake.resourceVersion()})`,
      reason: 'Expired',
      code: 410,
    });
  });

  it('turns selector transitions into ADDED/DELETED for that watcher', async () => {
    const w = await open(arPath('w4'), { labelSelector: 'stage=canary' });
    await create('w4', 'x', { stage: 'stable' });
    const patch = (stage: string) =>
      custom.patchNamespacedCustomObject({ ...ARGO, namespace: 'w4', plural: 'analysisruns', name: 'x', body: { metadata: { labels: { stage } } } }, merge);
    await patch('canary');
    await patch('canary2');
    await until(() => w.events.length === 2);
    expect(w.events.map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
    // DELETED carries the last state that matched, stamped with the new revision.
    expect(w.events[1]?.obj.metadata.labels).toEqual({ stage: 'canary' });
    expect(w.events[1]?.rv).toBe(fake.resourceVersion());
    w.abort();
  });

  it('sends BOOKMARKs only when allowed, on demand and 2 s before timeoutSeconds', async () => {
    const plain = await open(arPath('w5'), { resourceVersion: '0' });
    const w = await open(arPath('w5'), { resourceVersion: '0', allowWatchBookmarks: true, timeoutSeconds: 3 });
    await fake.waitForWatches(2, 'analysisruns');
    await create('w6', 'elsewhere'); // moves the revision without matching this watch
    fake.sendBookmarks();
    await until(() => w.events.length === 1);
    expect(w.events[0]).toMatchObject({ type: 'BOOKMARK', rv: fake.resourceVersion() });
    expect(w.events[0]?.obj).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', metadata: { resourceVersion: fake.resourceVersion() } });
    // The scheduled pre-timeout bookmark (~1 s), then the server ends the watch at 3 s.
    await until(() => w.events.length === 2, 2500);
    expect(await w.done).toBeNull();
    expect(plain.events).toHaveLength(0);
    plain.abort();
  }, 8000);

  it('watches a single object via the legacy /watch/ path and via fieldSelector', async () => {
    await create('w6', 'one');
    await create('w6', 'two');
    const legacy = await open('/apis/argoproj.io/v1alpha1/watch/namespaces/w6/analysisruns/one', {});
    const byField = await open(arPath('w6'), { fieldSelector: 'metadata.name=two' });
    await until(() => legacy.events.length === 1 && byField.events.length === 1);
    expect([legacy.events[0]?.name, byField.events[0]?.name]).toEqual(['one', 'two']);
    legacy.abort();
    byField.abort();
  });

  it('a 504 in-stream error for a resourceVersion from the future', async () => {
    const w = await open(arPath('w1'), { resourceVersion: String(Number(fake.resourceVersion()) + 100) });
    await w.done;
    expect(w.events[0]?.obj).toMatchObject({ reason: 'Timeout', code: 504, details: { retryAfterSeconds: 1 } });
  });

  it('direct store writes notify watchers', async () => {
    const w = await open('/api/v1/namespaces/w1/configmaps', {});
    await fake.waitForWatches(1, 'configmaps');
    fake.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'direct', namespace: 'w1' }, data: { a: 'b' } });
    await until(() => w.events.length === 1);
    // Built-in watch events do carry kind/apiVersion (each object is encoded on its own).
    expect(w.events[0]?.obj).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1', data: { a: 'b' } });
    w.abort();
  });
});
