/**
 * TrafficObjectClient against the fake API server, in-process.
 *
 * The switch is one merge patch conditional on the resourceVersion read. When someone else writes
 * the Service in between, the apiserver answers 409: the client reads again, decides again on what
 * is there now, and writes; the other writer's change survives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiMessage, httpStatusOf } from '../../../src/kube/api-errors.js';
import { TrafficObjectClient } from '../../../src/kube/traffic-object.js';
import { planPromotion } from '../../../src/promote/traffic.js';
import { startFakeKube, type FakeKube } from '../../support/fake-kube/index.js';
import { createService, NS, selectorOf, service } from './harness.js';

let kube: FakeKube;
beforeAll(async () => {
  kube = await startFakeKube({ namespaces: [NS] });
});
afterAll(() => kube?.close());

const STAMP = { by: 'test', at: '2026-12-05T22:00:00Z' };

describe('a concurrent write between read and switch', () => {
  it('gets 409, is re-read and re-decided, and never overwritten blindly', async () => {
    await createService(kube, 'busy', { app: 'shop', color: 'blue' });
    const client = await TrafficObjectClient.connect(kube.kubeConfig(), { kind: 'Service', namespace: NS, name: 'busy' });
    const seen: string[] = [];
    const { decision } = await client.update((obj) => {
      seen.push(obj.metadata.resourceVersion!);
      if (seen.length === 1) {
        // Another writer (a person with kubectl) labels the Service after our read.
        const current = service(kube, 'busy')!;
        kube.put({ ...current, metadata: { ...current.metadata, labels: { ...current.metadata.labels, owner: 'team-a' } } });
      }
      const plan = planPromotion(obj, { kind: 'Service', selector: { app: 'shop', color: 'green' } }, STAMP);
      if (!plan.ok) throw new Error(plan.error);
      return plan;
    });
    expect(seen).toHaveLength(2);
    expect(seen[1]).not.toBe(seen[0]);
    const patches = kube.requests.filter((r) => r.method === 'PATCH');
    expect(patches.map((r) => r.status)).toEqual([409, 200]);
    expect(decision.previous).toEqual({ selector: { app: 'shop', color: 'blue' } });
    const after = service(kube, 'busy')!;
    expect(selectorOf(after)).toEqual({ app: 'shop', color: 'green' });
    expect(after.metadata.labels).toMatchObject({ owner: 'team-a' });
  });

  it('gives up after repeated conflicts with the apiserver message, without writing', async () => {
    await createService(kube, 'contended', { app: 'shop', color: 'blue' });
    kube.clearRequests();
    const client = await TrafficObjectClient.connect(kube.kubeConfig(), { kind: 'Service', namespace: NS, name: 'contended' });
    const attempt = client.update((obj) => {
      const current = service(kube, 'contended')!;
      kube.put({ ...current, metadata: { ...current.metadata, annotations: { touched: String(Math.random()) } } });
      const plan = planPromotion(obj, { kind: 'Service', selector: { color: 'green' } }, STAMP);
      if (!plan.ok) throw new Error(plan.error);
      return plan;
    });
    const err = await attempt.then(() => undefined, (e: unknown) => e);
    expect(httpStatusOf(err)).toBe(409);
    expect(apiMessage(err)).toBe('Operation cannot be fulfilled on services "contended": the object has been modified; please apply your changes to the latest version and try again');
    expect(selectorOf(service(kube, 'contended'))).toEqual({ app: 'shop', color: 'blue' });
    expect(kube.requests.filter((r) => r.method === 'PATCH').every((r) => r.status === 409)).toBe(true);
  });
});

describe('finding the VirtualService version', () => {
  it('falls back to trying v1 then v1beta1 on the object when discovery is refused', async () => {
    const old = await startFakeKube({ namespaces: [NS] });
    try {
      old.registerIstioVirtualService(['v1beta1']);
      old.put({ apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService', metadata: { name: 'vs', namespace: NS }, spec: { http: [{ route: [{ destination: { host: 'blue' } }] }] } });
      old.injectFault({ method: 'GET', path: '/apis', status: 403 });
      const client = await TrafficObjectClient.connect(old.kubeConfig(), { kind: 'VirtualService', namespace: NS, name: 'vs' });
      const obj = await client.read();
      expect(obj.spec?.http).toEqual([{ route: [{ destination: { host: 'blue' } }] }]);
      expect(client.apiVersion).toBe('networking.istio.io/v1beta1');
      expect(old.requests.filter((r) => r.path.includes('/virtualservices/vs')).map((r) => [r.path.split('/')[3], r.status])).toEqual([
        ['v1', 404],
        ['v1beta1', 200],
      ]);
    } finally {
      await old.close();
    }
  });
});
