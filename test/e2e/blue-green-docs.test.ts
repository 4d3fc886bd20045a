/**
 * docs/blue-green-with-argo-rollouts.md, run: the Rollout, Services and AnalysisTemplates the doc
 * shows are READ FROM docs/blue-green/*.yaml (the doc test checks that the doc shows these files
 * unchanged), applied to the fake API server, and played through by the scripted Argo Rollouts
 * controller (test/support/scripted-rollout) with assay's controller owning the AnalysisRuns,
 * against a real Prometheus. Two changes, both for the test bed: each Prometheus `address` points at
 * the test's Prometheus, and each `interval` becomes 1s (the doc's 30s would take minutes).
 *
 *  1. healthy new version: pre-promotion Successful -> promoted -> post-promotion Successful -> completed;
 *  2. new version that degrades under production traffic: post-promotion Failed -> aborted, the
 *     active Service back on the stable hash.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { AnalysisRun } from '../../src/api/types.js';
import { startController } from '../../src/composition/cluster.js';
import type { Controller } from '../../src/controller/controller.js';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { startPrometheus, type PrometheusInstance } from '../support/prometheus.js';
import { ScriptedBlueGreenRollout } from '../support/scripted-rollout/index.js';
import { API_VERSION, ARGO, kubeConfigWithToken } from './helpers.js';

const DOC_DIR = path.resolve(import.meta.dirname, '..', '..', 'docs', 'blue-green');
const HASH = 'rollouts-pod-template-hash';
type Obj = Record<string, any> & { kind: string; metadata: { name: string; namespace?: string } };

const load = (file: string): Obj[] => parseAllDocuments(readFileSync(path.join(DOC_DIR, file), 'utf8')).map((d) => d.toJS() as Obj);
const templates = load('analysis-templates.yaml');
const manifests = load('rollout.yaml');
const rolloutManifest = manifests.find((o) => o.kind === 'Rollout')!;
const ROLLOUT = rolloutManifest.metadata.name;

let fake: FakeKube;
let prom: PrometheusInstance;
let controller: Controller;
let custom: CustomObjectsApi;
let core: CoreV1Api;
const rollouts: ScriptedBlueGreenRollout[] = [];

const getRun = (ns: string, name: string) => fake.get({ apiVersion: API_VERSION, kind: 'AnalysisRun', namespace: ns, name }) as unknown as AnalysisRun | undefined;
const selectorOf = (ns: string, svc: string) => (fake.get({ apiVersion: 'v1', kind: 'Service', namespace: ns, name: svc }) as unknown as { spec: { selector: Record<string, string> } }).spec.selector[HASH];

/** The recorded error ratio of one ReplicaSet's pods, now (the series the doc's templates query). */
async function errorRatio(hash: string, value: number): Promise<void> {
  await prom.remoteWrite([{ labels: { __name__: 'service:http_error_ratio:rate1m', service: 'checkout', rollouts_pod_template_hash: hash }, samples: [{ value, timestamp: Date.now() }] }]);
}

/** The doc's files in namespace `ns`, plus what Argo and the ReplicaSet controller would have made. */
async function applyDocManifests(ns: string, stable: string, next: string): Promise<void> {
  for (const t of templates) {
    const body = structuredClone(t);
    body.metadata.namespace = ns;
    for (const m of body.spec.metrics) {
      m.provider.prometheus.address = prom.url;
      m.interval = '1s';
    }
    await custom.createNamespacedCustomObject({ ...ARGO, namespace: ns, plural: 'analysistemplates', body });
  }
  const labels = rolloutManifest.spec.selector.matchLabels as Record<string, string>;
  for (const [hash, revision] of [[stable, '1'], [next, '2']] as const) {
    fake.put({
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: { name: `${ROLLOUT}-${hash}`, namespace: ns, labels: { ...labels, [HASH]: hash }, annotations: { 'rollout.argoproj.io/revision': revision } },
      spec: { replicas: 3, selector: { matchLabels: { ...labels, [HASH]: hash } }, template: { ...rolloutManifest.spec.template, metadata: { labels: { ...labels, [HASH]: hash } } } },
      status: { replicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 },
    });
  }
  for (const svc of manifests.filter((o) => o.kind === 'Service')) {
    // Argo Rollouts has pointed both Services at the stable ReplicaSet (the previous release).
    const body = structuredClone(svc);
    body.spec.selector = { ...body.spec.selector, [HASH]: stable };
    await core.createNamespacedService({ namespace: ns, body });
  }
  await custom.createNamespacedCustomObject({ ...ARGO, namespace: ns, plural: 'rollouts', body: { ...structuredClone(rolloutManifest), metadata: { name: ROLLOUT, namespace: ns } } });
}

async function start(ns: string, stable: string, next: string, onPromoted?: (hash: string) => Promise<void>): Promise<ScriptedBlueGreenRollout> {
  const ro = new ScriptedBlueGreenRollout({
    kubeConfig: kubeConfigWithToken(fake, 'scripted-rollout'), namespace: ns, rollout: ROLLOUT,
    stableReplicaSet: `${ROLLOUT}-${stable}`, newReplicaSet: `${ROLLOUT}-${next}`,
    ...(onPromoted ? { onPromoted } : {}),
  });
  rollouts.push(ro);
  await ro.start();
  return ro;
}

beforeAll(async () => {
  [prom, fake] = await Promise.all([startPrometheus(), startFakeKube({ namespaces: ['shop', 'shop-broken'] })]);
  const kc = fake.kubeConfig();
  custom = kc.makeApiClient(CustomObjectsApi);
  core = kc.makeApiClient(CoreV1Api);
  controller = await startController({ config: { logLevel: 'silent', queueName: 'e2e-bg-docs' }, kubeConfig: kc });
});

afterAll(async () => {
  await Promise.all(rollouts.map((r) => r.stop()));
  await controller?.stop();
  await Promise.all([fake?.close(), prom?.stop()]);
});

describe('docs/blue-green-with-argo-rollouts.md, as written', () => {
  it('a healthy version passes pre-promotion, is promoted, passes post-promotion and the update completes', async () => {
    const [STABLE, NEW] = ['6d5f8b7c9f', '5b9c7d4f8d'];
    await applyDocManifests('shop', STABLE, NEW);
    await errorRatio(NEW, 0.002);
    const ro = await start('shop', STABLE, NEW, () => errorRatio(NEW, 0.003));
    await ro.waitFor((e) => e.action === 'completed', 'the completed update', 40_000);
    console.log(`[e2e docs] shop timeline:\n${ro.describe()}`);
    expect(ro.timeline.filter((e) => e.action === 'error')).toEqual([]);
    const pre = getRun('shop', ro.runName('pre'))!;
    const post = getRun('shop', ro.runName('post'))!;
    // Each run holds its template's metric (Argo copies the metrics into the run), args resolved.
    const query = `service:http_error_ratio:rate1m{service="checkout",rollouts_pod_template_hash="${NEW}"}`;
    expect(pre.spec.metrics[0]!.count).toBe(templates[0]!.spec.metrics[0].count);
    expect(pre.status!.metricResults![0]!.metadata).toEqual({ ResolvedPrometheusQuery: query });
    expect(pre.status).toMatchObject({ phase: 'Successful', runSummary: { count: 1, successful: 1 } });
    expect(pre.status!.metricResults![0]).toMatchObject({ name: 'error-rate', count: 4, successful: 4 });
    expect(post.spec.metrics[0]!.count).toBe(templates[1]!.spec.metrics[0].count);
    expect(post.status).toMatchObject({ phase: 'Successful', runSummary: { count: 1, successful: 1 } });
    expect(post.status!.metricResults![0]).toMatchObject({ name: 'error-rate', count: 10, successful: 10 });
    expect(selectorOf('shop', 'checkout-active')).toBe(NEW);
  }, 60_000);

  it('a version that degrades under production traffic fails post-promotion: aborted, active Service back on the stable hash', async () => {
    const [STABLE, NEW] = ['7c8d9f5b6a', '4f6b8d9c7e'];
    await applyDocManifests('shop-broken', STABLE, NEW);
    await errorRatio(NEW, 0.002);
    const ro = await start('shop-broken', STABLE, NEW, () => errorRatio(NEW, 0.08));
    const aborted = await ro.waitFor((e) => e.action === 'aborted', 'the abort', 40_000);
    await ro.waitFor((e) => e.action === 'active-reverted', 'the active Service back on stable');
    console.log(`[e2e docs] shop-broken timeline:\n${ro.describe()}`);
    const post = getRun('shop-broken', ro.runName('post'))!;
    const message = 'Metric "error-rate" assessed Failed due to failed (2) > failureLimit (1)';
    expect(post.status).toMatchObject({ phase: 'Failed', message });
    expect(aborted.message).toBe(`Blue/green post-promotion analysis phase error/failed: ${message}`);
    expect(selectorOf('shop-broken', 'checkout-active')).toBe(STABLE);
  }, 60_000);
});
