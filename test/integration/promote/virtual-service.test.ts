/**
 * `assay promote --virtual-service` against Istio's VirtualService on the fake API server: the
 * version is found by discovery (v1 on Istio 1.22+, v1beta1 on older releases), only the default
 * (match-less) http route's destination moves, and a failed post analysis restores it exactly.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeKube, type FakeKube } from '../../support/fake-kube/index.js';
import { createObject, eventsFor, NS, promote, report, rollback, startHarness, type Harness } from './harness.js';

// Each test starts CLI processes (about a second each, several on a loaded machine).
vi.setConfig({ testTimeout: 180_000 });

let h: Harness;
let old: FakeKube;
let oldKubeconfig: string;
beforeAll(async () => {
  h = await startHarness();
  h.kube.registerIstioVirtualService(['v1', 'v1beta1']);
  old = await startFakeKube({ namespaces: [NS] });
  old.registerIstioVirtualService(['v1beta1']);
  oldKubeconfig = old.writeKubeconfigFile(`${h.dir}/old-istio-kubeconfig`);
}, 60_000);
afterAll(async () => {
  await old?.close();
  await h?.close();
});

const CANARY_ROUTE = { name: 'testers', match: [{ headers: { 'x-tester': { exact: 'yes' } } }], route: [{ destination: { host: 'reviews-green', port: { number: 9080 } } }] };
const BLUE_DESTINATION = { host: 'reviews-blue', subset: 'v1', port: { number: 9080 } };

function virtualService(name: string, apiVersion: string) {
  return {
    apiVersion,
    kind: 'VirtualService',
    metadata: { name, namespace: NS },
    spec: {
      hosts: ['reviews.shop.svc.cluster.local'],
      http: [CANARY_ROUTE, { name: 'default', timeout: '5s', route: [{ destination: BLUE_DESTINATION }] }],
    },
  };
}

async function createVs(kube: FakeKube, name: string, version: string) {
  return createObject(kube, `/apis/networking.istio.io/${version}/namespaces/${NS}/virtualservices`, virtualService(name, `networking.istio.io/${version}`));
}

const httpOf = (kube: FakeKube, name: string, version = 'v1') =>
  (kube.get({ apiVersion: `networking.istio.io/${version}`, kind: 'VirtualService', namespace: NS, name })?.spec as { http: unknown[] }).http;

describe('assay promote --virtual-service', () => {
  it('moves only the default route to the new host and port (v1), and rollback restores it exactly', async () => {
    await createVs(h.kube, 'reviews', 'v1beta1'); // created through v1beta1, switched through v1: one object
    const r = await promote(h, '--virtual-service', 'reviews', '--host', 'reviews-green', '--port', '9081', '--pre', h.quick, '--post', h.quick, '-a', 'version=green', '-o', 'json');
    expect(r.code).toBe(0);
    const green = { host: 'reviews-green', port: { number: 9081 } }; // the old host's subset is dropped
    expect(report(r)).toMatchObject({ promoted: true, rolledBack: false, previous: BLUE_DESTINATION, current: green });
    expect(httpOf(h.kube, 'reviews')).toEqual([CANARY_ROUTE, { name: 'default', timeout: '5s', route: [{ destination: green }] }]);
    const patches = h.kube.requests.filter((q) => q.method === 'PATCH' && q.path.endsWith('/virtualservices/reviews'));
    expect(patches.map((q) => q.path)).toEqual([`/apis/networking.istio.io/v1/namespaces/${NS}/virtualservices/reviews`]);
    const annotations = h.kube.get({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', namespace: NS, name: 'reviews' })!.metadata.annotations!;
    expect(JSON.parse(annotations['assay.dev/previous-destination']!)).toEqual(BLUE_DESTINATION);
    expect(eventsFor(h.kube, 'VirtualService', 'reviews').map((e) => e.reason)).toEqual(['Promoted', 'PromotionSucceeded']);

    const back = await rollback(h, '--virtual-service', 'reviews');
    expect(back.code).toBe(0);
    expect(httpOf(h.kube, 'reviews')).toEqual(virtualService('x', 'v1').spec.http);
  });

  it('keeps the port when --port is not given', async () => {
    await createVs(h.kube, 'ratings', 'v1');
    const r = await promote(h, '--virtual-service', 'ratings', '--host', 'ratings-green');
    expect(r.code).toBe(0);
    expect((httpOf(h.kube, 'ratings')[1] as { route: unknown[] }).route).toEqual([{ destination: { host: 'ratings-green', port: { number: 9080 } } }]);
  });

  it('restores the previous destination when the post analysis fails', async () => {
    await createVs(h.kube, 'details', 'v1');
    const r = await promote(h, '--virtual-service', 'details', '--host', 'details-red', '--post', h.quick, '-a', 'version=red', '-o', 'json');
    expect(r.code).toBe(1);
    expect(report(r)).toMatchObject({ promoted: false, rolledBack: true, pre: null, post: { phase: 'Failed' }, previous: BLUE_DESTINATION, current: BLUE_DESTINATION });
    expect(httpOf(h.kube, 'details')).toEqual(virtualService('x', 'v1').spec.http);
    expect(eventsFor(h.kube, 'VirtualService', 'details').map((e) => [e.type, e.reason])).toEqual([
      ['Normal', 'Promoted'],
      ['Warning', 'RolledBack'],
    ]);
  });

  it('uses v1beta1 on a cluster whose Istio does not serve v1', async () => {
    await createVs(old, 'legacy', 'v1beta1');
    const r = await promote({ ...h, kubeconfig: oldKubeconfig }, '--virtual-service', 'legacy', '--host', 'legacy-green');
    expect(r.code).toBe(0);
    expect((httpOf(old, 'legacy', 'v1beta1')[1] as { route: unknown[] }).route).toEqual([{ destination: { host: 'legacy-green', port: { number: 9080 } } }]);
    expect(old.requests.filter((q) => q.method === 'PATCH').map((q) => q.path)).toEqual([`/apis/networking.istio.io/v1beta1/namespaces/${NS}/virtualservices/legacy`]);
  });

  it('exits 4 naming a VirtualService that does not exist, or one without a default route', async () => {
    const missing = await promote(h, '--virtual-service', 'nope', '--host', 'x');
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('virtualservice "nope" in namespace "shop" not found');
    await createObject(h.kube, `/apis/networking.istio.io/v1/namespaces/${NS}/virtualservices`, {
      ...virtualService('matches-only', 'networking.istio.io/v1'),
      spec: { hosts: ['x'], http: [CANARY_ROUTE] },
    });
    const noDefault = await promote(h, '--virtual-service', 'matches-only', '--host', 'x');
    expect(noDefault.code).toBe(4);
    expect(noDefault.stderr).toContain('without `match`');
  });
});
