// client-node informers (ListWatch) against the fake: the list+watch loop, 410 recovery, and the
// failure modes a controller built on them has to handle.
import { CustomObjectsApi, makeInformer, PatchStrategy, setHeaderOptions, type KubernetesObject } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeKube, type FakeKube, type KubeObject } from '../../support/fake-kube/index.js';
import { analysisRun, ARGO, until } from './helpers.js';

let fake: FakeKube;
let custom: CustomObjectsApi;
const NS = 'inf';
const path = `/apis/argoproj.io/v1alpha1/namespaces/${NS}/analysisruns`;
const arRef = (name: string) => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', namespace: NS, name });

beforeEach(async () => {
  fake = await startFakeKube({ namespaces: [NS, 'elsewhere'] });
  custom = fake.kubeConfig().makeApiClient(CustomObjectsApi);
});
afterEach(() => fake.close());

function startInformer() {
  const log: string[] = [];
  const errors: unknown[] = [];
  const informer = makeInformer<KubernetesObject>(fake.kubeConfig(), path, () =>
    custom.listNamespacedCustomObject({ ...ARGO, namespace: NS, plural: 'analysisruns' }),
  );
  informer.on('add', (o) => log.push(`add:${o.metadata?.name}`));
  informer.on('update', (o) => log.push(`update:${o.metadata?.name}`));
  informer.on('delete', (o) => log.push(`delete:${o.metadata?.name}`));
  informer.on('error', (e) => errors.push(e));
  return { informer, log, errors };
}

const create = (name: string, ns = NS) =>
  custom.createNamespacedCustomObject({ ...ARGO, namespace: ns, plural: 'analysisruns', body: analysisRun(name) });

describe('informer', () => {
  it('delivers add, update and delete callbacks', async () => {
    await create('before');
    const { informer, log } = startInformer();
    await informer.start();
    await fake.waitForWatches(1, 'analysisruns');
    expect(log).toEqual(['add:before']);
    await create('after');
    await custom.patchNamespacedCustomObject(
      { ...ARGO, namespace: NS, plural: 'analysisruns', name: 'after', body: { status: { phase: 'Running' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await custom.deleteNamespacedCustomObject({ ...ARGO, namespace: NS, plural: 'analysisruns', name: 'before' });
    await until(() => log.length === 4);
    expect(log).toEqual(['add:before', 'add:after', 'update:after', 'delete:before']);
    expect(informer.get('after', NS)).toMatchObject({ status: { phase: 'Running' } });
    await informer.stop();
  });

  it('relists after a 410 Expired and converges on changes it missed', async () => {
    await create('a');
    const { informer, log, errors } = startInformer();
    await informer.start();
    await fake.waitForWatches(1, 'analysisruns');
    // Traffic elsewhere moves the global revision past the informer's (it watches one namespace).
    await create('x', 'elsewhere');

    // Hold the reconnect in the server while changes happen and history is compacted.
    fake.setLatency(150);
    fake.clearRequests();
    fake.dropWatches();
    fake.delete(arRef('a'));
    fake.put({ ...analysisRun('b'), metadata: { name: 'b', namespace: NS } } as KubeObject);
    fake.compact();
    const floor = Number(fake.resourceVersion());

    await until(() => log.includes('add:b') && log.includes('delete:a'), 5000);
    fake.setLatency(0);
    const watches = fake.requests.filter((r) => r.query.watch === 'true');
    // The reconnect resumed from the informer's old revision, which compaction had expired.
    expect(Number(watches[0]?.query.resourceVersion)).toBeLessThan(floor);
    expect(fake.requests.some((r) => r.method === 'GET' && r.query.watch === undefined && r.path === path)).toBe(true);

    // And it is watching again afterwards.
    await fake.waitForWatches(1, 'analysisruns');
    await custom.patchNamespacedCustomObject(
      { ...ARGO, namespace: NS, plural: 'analysisruns', name: 'b', body: { metadata: { labels: { later: 'yes' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await until(() => log.includes('update:b'));
    expect(errors).toEqual([]);
    await informer.stop();
  });

  it('reconnects after a clean server-side close without relisting', async () => {
    const { informer, log, errors } = startInformer();
    await informer.start();
    await fake.waitForWatches(1, 'analysisruns');
    fake.clearRequests();
    expect(fake.dropWatches()).toBe(1);
    await fake.waitForWatches(1, 'analysisruns');
    await create('c');
    await until(() => log.includes('add:c'));
    expect(fake.requests.filter((r) => r.method === 'GET' && r.query.watch === undefined)).toEqual([]);
    expect(errors).toEqual([]);
    await informer.stop();
  });

  // client-node's ListWatch only recovers from 410 and its own inactivity timeout. Any other
  // failure (an HTTP 500 on the watch, a reset connection) is reported through on('error') and
  // the informer STOPS for good: the controller has to restart it.
  it('stops and reports on("error") when the watch request fails with 500', async () => {
    const { informer, errors } = startInformer();
    await informer.start();
    await fake.waitForWatches(1, 'analysisruns');
    const fault = fake.injectFault({ method: 'GET', watch: true, path: /analysisruns/, status: 500 });
    fake.dropWatches();
    await until(() => errors.length === 1);
    expect(fault.hits).toBe(1);
    expect((errors[0] as { statusCode?: number }).statusCode).toBe(500);
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.activeWatches('analysisruns')).toBe(0);
  });

  it('also stops when the watch connection is reset', async () => {
    const { informer, errors } = startInformer();
    await informer.start();
    await fake.waitForWatches(1, 'analysisruns');
    fake.dropWatches({ abrupt: true });
    await until(() => errors.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.activeWatches('analysisruns')).toBe(0);
  });
});
