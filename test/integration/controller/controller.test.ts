/**
 * The controller against the fake API server with the real client-node: runs reconciled to a
 * verdict, status shaped as Argo's CRD, events on the run, terminate, TTL garbage collection,
 * informer restarts after apiserver errors, and leader election among replicas.
 */
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { analysisRunSchema } from '../../../src/api/schema.js';
import type { AnalysisRun } from '../../../src/api/types.js';
import { isCompleted } from '../../../src/api/phase.js';
import { startController } from '../../../src/composition/cluster.js';
import type { Controller, ControllerOptions } from '../../../src/controller/controller.js';
import { analysisRunSpecFromTemplates } from '../../../src/core/templates.js';
import { startFakeKube, type FakeKube } from '../../support/fake-kube/index.js';
import { sendJson, startHttpServer, type TestHttpServer } from '../../support/http-server.js';

const AR = { group: 'argoproj.io', version: 'v1alpha1', plural: 'analysisruns' };
const NS = 'shop';
let fake: FakeKube;
let metrics: TestHttpServer;
let custom: CustomObjectsApi;
const controllers: Controller[] = [];

const start = async (extra: Partial<ControllerOptions> = {}) => {
  const c = await startController({ config: { logLevel: 'silent', queueName: 'x' }, kubeConfig: fake.kubeConfig(), ...extra });
  controllers.push(c);
  return c;
};

const analysisRun = (name: string, spec: Partial<AnalysisRun['spec']> = {}): AnalysisRun => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisRun',
  metadata: { name, namespace: NS },
  spec: {
    metrics: [{ name: 'health', interval: '200ms', count: 2, successCondition: 'result.ok == true', provider: { web: { url: `${metrics.url}/health`, jsonPath: '{$}' } } }],
    ...spec,
  },
});

const get = (name: string) => fake.get({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', namespace: NS, name }) as unknown as AnalysisRun | undefined;

const until = async <T>(fn: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};
const completed = (name: string) => until(() => (isCompleted(get(name)?.status?.phase) ? get(name) : undefined), `${name} to complete`);

beforeAll(async () => {
  metrics = await startHttpServer((_req, res) => sendJson(res, 200, { ok: true, rate: 0.99 }));
});
afterAll(() => metrics.close());
beforeEach(async () => {
  fake = await startFakeKube({ namespaces: [NS, 'default'] });
  custom = fake.kubeConfig().makeApiClient(CustomObjectsApi);
});
afterEach(async () => {
  await Promise.all(controllers.splice(0).map((c) => c.stop()));
  await fake.close();
});

describe('assay controller', () => {
  it('reconciles a run to its verdict, with status shaped as Argo writes it and events on the run', async () => {
    await start();
    await custom.createNamespacedCustomObject({ ...AR, namespace: NS, body: analysisRun('r1') });
    const run = await completed('r1');
    expect(run.status?.phase).toBe('Successful');
    // Argo's CRD fields, nothing else (the strict schema rejects unknown fields).
    expect(analysisRunSchema.safeParse(run).success).toBe(true);
    expect(run.status).toMatchObject({ runSummary: { count: 1, successful: 1 }, dryRunSummary: {} });
    expect(run.status?.metricResults?.[0]).toMatchObject({ name: 'health', phase: 'Successful', count: 2, successful: 2 });
    expect(run.spec).toEqual(analysisRun('r1').spec);
    const writes = fake.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/analysisruns/r1'));
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.every((w) => w.contentType === 'application/merge-patch+json' && !(w.body as { spec?: unknown }).spec)).toBe(true);
    // Events are recorded after the status write, best effort: wait for them to arrive.
    const core = fake.kubeConfig().makeApiClient(CoreV1Api);
    const reasonsNow = async () =>
      (await core.listNamespacedEvent({ namespace: NS })).items.filter((e) => e.involvedObject.name === 'r1').map((e) => `${e.type}/${e.reason}`);
    let reasons = await reasonsNow();
    for (let i = 0; i < 100 && !reasons.includes('Normal/AnalysisRunSuccessful'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      reasons = await reasonsNow();
    }
    expect(reasons).toContain('Normal/MetricSuccessful');
    expect(reasons).toContain('Normal/AnalysisRunSuccessful');
  });

  it('says why on the run as events: each failed measurement with its value and condition, then the verdict\'s counter and limit', async () => {
    await start();
    const failing = analysisRun('why1', {
      metrics: [{ name: 'rate', interval: '100ms', count: 2, failureLimit: 0, successCondition: 'result >= 0.999', provider: { web: { url: `${metrics.url}/rate`, jsonPath: '{$.rate}' } } }],
    });
    await custom.createNamespacedCustomObject({ ...AR, namespace: NS, body: failing });
    const run = await completed('why1');
    // Argo's status fields are as Argo writes them.
    expect(run.status?.message).toBe('Metric "rate" assessed Failed due to failed (1) > failureLimit (0)');
    expect(analysisRunSchema.safeParse(run).success).toBe(true);
    const core = fake.kubeConfig().makeApiClient(CoreV1Api);
    const mine = async () => (await core.listNamespacedEvent({ namespace: NS })).items.filter((e) => e.involvedObject.name === 'why1');
    let events = await mine();
    // Best effort and concurrent: wait for the last of them, whichever it is.
    const all = () => ['MeasurementFailed', 'AnalysisRunExplained', 'AnalysisRunFailed'].every((r) => events.some((e) => e.reason === r));
    for (let i = 0; i < 200 && !all(); i++) {
      await new Promise((r) => setTimeout(r, 50));
      events = await mine();
    }
    expect(events.find((e) => e.reason === 'MeasurementFailed')).toMatchObject({ type: 'Warning', message: 'rate = 0.99: successCondition result >= 0.999 is false' });
    expect(events.find((e) => e.reason === 'AnalysisRunExplained')).toMatchObject({
      type: 'Warning',
      message: 'Failed: rate = 0.99: successCondition result >= 0.999 is false; failed (1) > failureLimit (0)',
    });
    expect(events.map((e) => e.reason)).toContain('AnalysisRunFailed');
  });

  it('reads AnalysisTemplates and ClusterAnalysisTemplates through the API, resolved as a Rollout would', async () => {
    const c = await start();
    const template = (kind: string, name: string, metric: string) => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind,
      metadata: { name, ...(kind === 'AnalysisTemplate' ? { namespace: NS } : {}) },
      spec: { args: [{ name: 'svc' }], metrics: [{ name: metric, provider: { web: { url: `${metrics.url}/{{args.svc}}` } } }] },
    });
    await custom.createNamespacedCustomObject({ group: 'argoproj.io', version: 'v1alpha1', plural: 'analysistemplates', namespace: NS, body: template('AnalysisTemplate', 'rate', 'rate') });
    await custom.createClusterCustomObject({ group: 'argoproj.io', version: 'v1alpha1', plural: 'clusteranalysistemplates', body: template('ClusterAnalysisTemplate', 'budget', 'budget') });
    await until(() => (c.templates.template(NS, 'rate') && c.templates.clusterTemplate('budget') ? true : undefined), 'templates in the cache');
    const spec = analysisRunSpecFromTemplates(
      { namespace: NS, templates: [{ templateName: 'rate' }, { templateName: 'budget', clusterScope: true }], args: [{ name: 'svc', value: 'checkout' }] },
      c.templates,
    );
    expect(spec.ok && spec.value.metrics.map((m) => m.name)).toEqual(['rate', 'budget']);
    expect(analysisRunSpecFromTemplates({ namespace: 'default', templates: [{ templateName: 'rate' }] }, c.templates)).toEqual({
      ok: false,
      error: 'analysistemplate.argoproj.io "rate" not found',
    });
    expect(c.templates.list().map((t) => `${t.kind}/${t.metadata.name}`).sort()).toEqual(['AnalysisTemplate/rate', 'ClusterAnalysisTemplate/budget']);
  });

  it('honours spec.terminate set by a Rollout with a merge patch', async () => {
    await start();
    await custom.createNamespacedCustomObject({
      ...AR,
      namespace: NS,
      body: analysisRun('forever', { metrics: [{ name: 'bg', interval: '300ms', provider: { web: { url: `${metrics.url}/h` } } }] }),
    });
    await until(() => (get('forever')?.status?.metricResults?.[0]?.count ?? 0) >= 2 || undefined, 'two measurements');
    await custom.patchNamespacedCustomObject({ ...AR, namespace: NS, name: 'forever', body: { spec: { terminate: true } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    const run = await completed('forever');
    expect(run.status).toMatchObject({ phase: 'Successful', message: 'Run Terminated' });
  });

  it('deletes a completed run after ttlStrategy.secondsAfterCompletion', async () => {
    await start();
    await custom.createNamespacedCustomObject({ ...AR, namespace: NS, body: analysisRun('ttl', { ttlStrategy: { secondsAfterCompletion: 1 } }) });
    const run = await completed('ttl');
    const completedAt = Date.parse(run.status!.completedAt!);
    await until(() => (get('ttl') ? undefined : true), 'ttl deletion', 5000);
    // Argo deletes once int32(seconds since completion) > ttl: at least 2 s after completion.
    expect(Date.now() - completedAt).toBeGreaterThanOrEqual(1900);
  });

  it('keeps watching after the apiserver fails a watch (informer restarted)', async () => {
    await start();
    await fake.waitForWatches(1, 'analysisruns');
    fake.injectFault({ watch: true, path: /analysisruns/, status: 500, times: 1 });
    fake.dropWatches({ abrupt: true });
    await new Promise((r) => setTimeout(r, 200));
    await custom.createNamespacedCustomObject({ ...AR, namespace: NS, body: analysisRun('after-error') });
    expect((await completed('after-error')).status?.phase).toBe('Successful');
  });

  it('elects one leader among replicas; a successor finishes the runs when it stops', async () => {
    const lease = { leaderElect: true, leaseNamespace: 'default', leaseMs: 1500, renewMs: 300, onLostLeadership: () => undefined };
    const a = await start({ ...lease, identity: 'a' });
    const b = await start({ ...lease, identity: 'b' });
    expect([a.isLeader(), b.isLeader()].filter(Boolean)).toHaveLength(1);
    const [leader, follower] = a.isLeader() ? [a, b] : [b, a];
    await custom.createNamespacedCustomObject({
      ...AR,
      namespace: NS,
      body: analysisRun('handover', { metrics: [{ name: 'h', interval: '250ms', count: 8, provider: { web: { url: `${metrics.url}/h` } } }] }),
    });
    await until(() => (get('handover')?.status?.metricResults?.[0]?.count ?? 0) >= 2 || undefined, 'progress under the first leader');
    await leader.stop();
    controllers.splice(controllers.indexOf(leader), 1);
    await until(() => follower.isLeader() || undefined, 'the follower to take over', 5000);
    const run = await completed('handover');
    expect(run.status?.phase).toBe('Successful');
    expect(run.status?.metricResults?.[0]?.count).toBe(8);
  });
});
