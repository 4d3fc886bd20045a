/**
 * End to end, Blue/Green: assay's controller owns the AnalysisRuns of a Blue/Green Rollout whose
 * Argo side is played by a scripted rollout controller (test/support/scripted-rollout, §9 of the
 * semantics reference), over the fake API server with the real client-node, against a REAL
 * Prometheus fed by remote-write with current timestamps.
 *
 *  1. pre-promotion passes -> promotion; the new pods then fail post-promotion analysis within
 *     failureLimit -> abort, active Service back on the old hash;
 *  2. an Inconclusive pre-promotion run pauses the Rollout (InconclusiveAnalysisRun), no promotion;
 *  3. a user abort during post-promotion: the Rollout terminates the run (spec.terminate, its only
 *     spec change) and assay ends it "Run Terminated".
 *
 * Throughout: every verdict is written within one second of what decided it (as seen by a watch),
 * assay never touches an AnalysisRun's spec, and status has Argo's shape (schema + kubectl).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { analysisRunSchema } from '../../src/api/schema.js';
import type { AnalysisRun, Metric } from '../../src/api/types.js';
import { isCompleted, type Phase } from '../../src/api/phase.js';
import { startController } from '../../src/composition/cluster.js';
import type { Controller } from '../../src/controller/controller.js';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { startPrometheus, type PrometheusInstance } from '../support/prometheus.js';
import { ScriptedBlueGreenRollout, type RolloutAnalysis } from '../support/scripted-rollout/index.js';
import { API_VERSION, ARGO, kubeConfigWithToken, ms, percentile, sentBy, until, VerdictWatch, writesTo } from './helpers.js';

const NS = 'shop';
const ROLLOUT_TOKEN = 'scripted-rollout';
const HASH = 'rollouts-pod-template-hash';
const KUBECTL = '/usr/bin/kubectl';

let fake: FakeKube;
let prom: PrometheusInstance;
let controller: Controller;
let watch: VerdictWatch;
let custom: CustomObjectsApi;
let core: CoreV1Api;
let dir: string;
const rollouts: ScriptedBlueGreenRollout[] = [];
/** Verdict write delays (ms): watch saw the completed phase - finishedAt of the deciding measurement. */
const verdictDelays: { run: string; ms: number }[] = [];

const getRun = (name: string) => fake.get({ apiVersion: API_VERSION, kind: 'AnalysisRun', namespace: NS, name }) as unknown as AnalysisRun | undefined;
const getRollout = (name: string) => fake.get({ apiVersion: API_VERSION, kind: 'Rollout', namespace: NS, name }) as unknown as { metadata: { uid: string }; status: Record<string, any> };
const selectorOf = (service: string) => (fake.get({ apiVersion: 'v1', kind: 'Service', namespace: NS, name: service }) as unknown as { spec: { selector: Record<string, string> } }).spec.selector[HASH];

const errorRateMetric = (extra: Partial<Metric>): Metric => ({
  name: 'error-rate',
  interval: '1s',
  failureLimit: 1,
  successCondition: 'result[0] < 0.05',
  ...extra,
  provider: {
    prometheus: {
      address: prom.url,
      query: 'sum(http_errors_ratio{service="{{args.service-name}}",rollouts_pod_template_hash="{{args.hash}}"})',
    },
  },
});

const template = (name: string, metric: Metric) => ({
  apiVersion: API_VERSION,
  kind: 'AnalysisTemplate',
  metadata: { name, namespace: NS },
  spec: { args: [{ name: 'service-name' }, { name: 'hash' }], metrics: [metric] },
});

/** What the new pods answer: the error ratio of `service` pods with `hash`, at the current time. */
async function errorRatio(service: string, hash: string, value: number): Promise<void> {
  await prom.remoteWrite([{ labels: { __name__: 'http_errors_ratio', service, rollouts_pod_template_hash: hash }, samples: [{ value, timestamp: Date.now() }] }]);
}

const analysis = (templateName: string, service: string): RolloutAnalysis => ({
  templates: [{ templateName }],
  args: [
    { name: 'service-name', value: service },
    { name: 'hash', valueFrom: { podTemplateHashValue: 'Latest' } },
  ],
});

/** The cluster as a Blue/Green update finds it: stable RS serving, new RS up and available. */
async function deploy(name: string, stable: string, next: string, pre: string, post: string): Promise<void> {
  const labels = { app: name };
  for (const [hash, revision] of [
    [stable, '1'],
    [next, '2'],
  ] as const) {
    // The ReplicaSet controller's work (status included), as the fake runs no controllers.
    fake.put({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: `${name}-${hash}`, namespace: NS, labels: { ...labels, [HASH]: hash }, annotations: { 'rollout.argoproj.io/revision': revision } },
      spec: { replicas: 2, selector: { matchLabels: { ...labels, [HASH]: hash } }, template: { metadata: { labels: { ...labels, [HASH]: hash } }, spec: { containers: [{ name: 'app', image: `${name}:${revision}` }] } } },
      status: { replicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1 },
    });
  }
  for (const svc of [`${name}-active`, `${name}-preview`]) {
    await core.createNamespacedService({ namespace: NS, body: { metadata: { name: svc }, spec: { selector: { ...labels, [HASH]: stable }, ports: [{ port: 80 }] } } });
  }
  await custom.createNamespacedCustomObject({
    ...ARGO,
    namespace: NS,
    plural: 'rollouts',
    body: {
      apiVersion: API_VERSION,
      kind: 'Rollout',
      metadata: { name, namespace: NS },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: `${name}:2` }] } },
        strategy: {
          blueGreen: {
            activeService: `${name}-active`,
            previewService: `${name}-preview`,
            autoPromotionEnabled: true,
            prePromotionAnalysis: analysis(pre, name),
            postPromotionAnalysis: analysis(post, name),
          },
        },
      },
    },
  });
}

async function startRollout(name: string, stable: string, next: string, onPromoted?: (hash: string) => Promise<void>): Promise<ScriptedBlueGreenRollout> {
  const ro = new ScriptedBlueGreenRollout({
    kubeConfig: kubeConfigWithToken(fake, ROLLOUT_TOKEN),
    namespace: NS,
    rollout: name,
    stableReplicaSet: `${name}-${stable}`,
    newReplicaSet: `${name}-${next}`,
    ...(onPromoted ? { onPromoted } : {}),
  });
  rollouts.push(ro);
  await ro.start();
  return ro;
}

/** What the Rollout did, in order; of the phases it read, only the verdicts ("" and Running vary with timing). */
const steps = (ro: ScriptedBlueGreenRollout): string[] =>
  ro.timeline
    .filter((e) => e.action !== 'analysisrun-phase' || isCompleted(e.phase as Phase))
    .map((e) => [e.action, e.action === 'analysisrun-created' || e.action === 'analysisrun-phase' ? e.run : undefined, e.action === 'analysisrun-phase' ? e.phase : undefined].filter(Boolean).join(' '));

/**
 * The verdict was written after the measurement that decided it: the time the test's watch saw
 * the completed phase minus that measurement's finishedAt (recorded and printed).
 */
function expectPromptVerdict(name: string, decidedAt: number, what: string): number {
  const seen = watch.completedSeenAt.get(name);
  expect(seen, `${name} seen completed by the watch`).toBeDefined();
  const delay = seen! - decidedAt;
  verdictDelays.push({ run: name, ms: delay });
  console.log(`[e2e] ${name}: verdict ${getRun(name)?.status?.phase} seen ${delay} ms after ${what}`);
  // Written after the deciding measurement; how soon is a wall-clock figure (printed above, and
  // measured under load in bench/verdict), not an assertion.
  expect(delay).toBeGreaterThanOrEqual(0);
  return delay;
}

/** assay never writes a run's spec: its writes are merge patches of status (and metadata preconditions) only. */
function expectSpecUntouchedByAssay(name: string): void {
  const writes = writesTo(fake, NS, name);
  const assayWrites = writes.filter((r) => !sentBy(r, ROLLOUT_TOKEN));
  expect(assayWrites.length, `assay wrote ${name}`).toBeGreaterThan(0);
  for (const w of assayWrites) {
    expect(w.method).toBe('PATCH');
    expect(w.path).toBe(`/apis/argoproj.io/v1alpha1/namespaces/${NS}/analysisruns/${name}`);
    expect(w.contentType).toBe('application/merge-patch+json');
    expect(Object.keys(w.body as object).sort()).toEqual(['metadata', 'status']);
  }
}

/** Argo's CRD shape, and (when kubectl is installed) what a user sees with kubectl -o yaml. */
async function expectArgoShape(name: string): Promise<void> {
  const run = getRun(name)!;
  const parsed = analysisRunSchema.safeParse(run);
  expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues)).toBe(true);
  expect(run.status?.dryRunSummary).toEqual({});
  if (!existsSync(KUBECTL)) {
    console.log('[e2e] /usr/bin/kubectl absent: kubectl check skipped');
    return;
  }
  const kubeconfig = fake.writeKubeconfigFile(join(dir, 'kubeconfig'));
  const { stdout } = await promisify(execFile)(KUBECTL, ['--kubeconfig', kubeconfig, 'get', 'analysisrun', name, '-n', NS, '-o', 'yaml'], { timeout: 15_000 });
  const doc = parse(stdout) as AnalysisRun;
  expect(doc.status?.phase).toBe(run.status?.phase);
  expect(doc.status?.metricResults?.[0]?.measurements).toEqual(run.status?.metricResults?.[0]?.measurements);
  expect(doc.status?.runSummary).toEqual(run.status?.runSummary);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'assay-e2e-bg-'));
  [prom, fake] = await Promise.all([startPrometheus(), startFakeKube({ namespaces: [NS] })]);
  const kc = fake.kubeConfig();
  custom = kc.makeApiClient(CustomObjectsApi);
  core = kc.makeApiClient(CoreV1Api);
  for (const t of [
    template('error-rate', errorRateMetric({ count: 4 })),
    template('error-rate-post', errorRateMetric({ count: 8 })),
    template('error-rate-band', errorRateMetric({ count: 4, failureCondition: 'result[0] > 0.2' })),
  ]) {
    await custom.createNamespacedCustomObject({ ...ARGO, namespace: NS, plural: 'analysistemplates', body: t });
  }
  watch = new VerdictWatch();
  await watch.start(kc, NS);
  controller = await startController({ config: { logLevel: 'silent', queueName: 'e2e-bg' }, kubeConfig: kc });
});

afterAll(async () => {
  await Promise.all(rollouts.map((r) => r.stop()));
  await controller?.stop();
  await watch?.stop();
  await Promise.all([fake?.close(), prom?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (verdictDelays.length > 0) {
    const values = verdictDelays.map((d) => d.ms);
    console.log(
      `[e2e] verdict write delays over ${values.length} runs: p50 ${percentile(values, 50)} ms, max ${Math.max(...values)} ms (${verdictDelays.map((d) => `${d.run}=${d.ms}`).join(', ')})`,
    );
  }
});

describe('Blue/Green Rollout gated by assay', () => {
  it('pre-promotion passes and promotes; post-promotion fails within failureLimit and the active Service goes back to the old hash', async () => {
    const [STABLE, NEW] = ['6d5f8b7c9f', '5b9c7d4f8d'];
    await deploy('shop', STABLE, NEW, 'error-rate', 'error-rate-post');
    await errorRatio('shop', STABLE, 0.01);
    await errorRatio('shop', NEW, 0.01); // healthy behind the preview Service
    let activeAtPromotion: string | undefined;
    const ro = await startRollout('shop', STABLE, NEW, async (hash) => {
      activeAtPromotion = selectorOf('shop-active');
      await errorRatio('shop', hash, 0.3); // production traffic reaches the new pods: errors rise
    });
    const pre = ro.runName('pre');
    const post = ro.runName('post');
    expect(pre).toBe(`shop-${NEW}-2-pre`);
    await ro.waitFor((e) => e.action === 'active-reverted', 'the active Service back on the stable hash', 20_000);
    console.log(`[e2e] shop timeline:\n${ro.describe()}`);
    expect(ro.timeline.filter((e) => e.action === 'error')).toEqual([]);

    // The pre-promotion run, created as a Rollout creates it, passed.
    const preRun = getRun(pre)!;
    expect(preRun.metadata.labels).toEqual({ app: 'shop', [HASH]: NEW, 'rollout-type': 'PrePromotion' });
    expect(preRun.metadata.annotations).toEqual({ 'rollout.argoproj.io/revision': '2' });
    expect(preRun.metadata.ownerReferences).toEqual([
      { apiVersion: API_VERSION, kind: 'Rollout', name: 'shop', uid: getRollout('shop').metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);
    expect(preRun.spec.args).toEqual([
      { name: 'service-name', value: 'shop' },
      { name: 'hash', value: NEW },
    ]);
    expect(preRun.status).toMatchObject({ phase: 'Successful', runSummary: { count: 1, successful: 1 } });
    expect(preRun.status?.message).toBeUndefined();
    const preResult = preRun.status!.metricResults![0]!;
    expect(preResult).toMatchObject({ name: 'error-rate', phase: 'Successful', count: 4, successful: 4 });
    expect(preResult.measurements!.map((m) => `${m.phase} ${m.value}`)).toEqual(Array(4).fill('Successful [0.01]'));
    expect(preResult.metadata).toEqual({ ResolvedPrometheusQuery: `sum(http_errors_ratio{service="shop",rollouts_pod_template_hash="${NEW}"})` });

    // Promotion came after (and only after) the pre-promotion verdict.
    const promoted = ro.timeline.find((e) => e.action === 'promoted')!;
    expect(promoted.hash).toBe(NEW);
    expect(activeAtPromotion).toBe(NEW);
    expect(promoted.at).toBeGreaterThanOrEqual(ms(preRun.status!.completedAt));
    const activePatches = fake.requests.filter((r) => r.method === 'PATCH' && r.path === `/api/v1/namespaces/${NS}/services/shop-active`);
    expect(activePatches.map((r) => (r.body as { spec: { selector: Record<string, string> } }).spec.selector[HASH])).toEqual([NEW, STABLE]);

    // The post-promotion run failed on exactly failureLimit + 1 failed measurements.
    const postRun = getRun(post)!;
    expect(postRun.metadata.labels).toEqual({ app: 'shop', [HASH]: NEW, 'rollout-type': 'PostPromotion' });
    expect(postRun.status).toMatchObject({
      phase: 'Failed',
      message: 'Metric "error-rate" assessed Failed due to failed (2) > failureLimit (1)',
      runSummary: { count: 1, failed: 1 },
    });
    const postResult = postRun.status!.metricResults![0]!;
    expect(postResult).toMatchObject({ name: 'error-rate', phase: 'Failed', count: 2, failed: 2 });
    expect(postResult.successful).toBeUndefined();
    expect(postResult.measurements!.map((m) => `${m.phase} ${m.value}`)).toEqual(['Failed [0.3]', 'Failed [0.3]']);

    // The Rollout aborted with Argo's message and serves the old pods again.
    const status = getRollout('shop').status;
    const abortMessage = 'Blue/green post-promotion analysis phase error/failed: Metric "error-rate" assessed Failed due to failed (2) > failureLimit (1)';
    expect(ro.timeline.find((e) => e.action === 'aborted')?.message).toBe(abortMessage);
    expect(status).toMatchObject({ abort: true, stableRS: STABLE, phase: 'Degraded', message: `RolloutAborted: Rollout aborted update to revision 2: ${abortMessage}` });
    expect(status.blueGreen).toMatchObject({
      activeSelector: STABLE,
      prePromotionAnalysisRunStatus: { name: pre, status: 'Successful' },
      postPromotionAnalysisRunStatus: { name: post, status: 'Failed', message: postRun.status!.message },
    });
    expect(selectorOf('shop-active')).toBe(STABLE);
    expect(selectorOf('shop-preview')).toBe(NEW);
    expect(steps(ro)).toEqual([
      'initialized',
      'preview-switched',
      `analysisrun-created ${pre}`,
      `analysisrun-phase ${pre} Successful`,
      'promoted',
      `analysisrun-created ${post}`,
      `analysisrun-phase ${post} Failed`,
      'aborted',
      'active-reverted',
    ]);

    // Each verdict within one second of its deciding measurement.
    expectPromptVerdict(pre, ms(preResult.measurements!.at(-1)!.finishedAt), 'its 4th measurement finished');
    expectPromptVerdict(post, ms(postResult.measurements!.at(-1)!.finishedAt), 'its 2nd failed measurement finished');
    console.log(
      `[e2e] rollout reactions: promoted ${promoted.at - watch.completedSeenAt.get(pre)!} ms after the pre verdict was visible, ` +
        `active reverted ${ro.timeline.find((e) => e.action === 'active-reverted')!.at - watch.completedSeenAt.get(post)!} ms after the post verdict`,
    );

    // Spec exactly as the Rollout created it; assay wrote only status.
    for (const name of [pre, post]) {
      expect(getRun(name)!.spec).toEqual(ro.timeline.find((e) => e.action === 'analysisrun-created' && e.run === name)!.spec);
      expectSpecUntouchedByAssay(name);
      await expectArgoShape(name);
    }
    // Both runs were complete when the Rollout aborted: nothing to terminate.
    expect(ro.timeline.some((e) => e.action === 'terminate-requested')).toBe(false);
  }, 30_000);

  it('an Inconclusive pre-promotion run pauses the Rollout with InconclusiveAnalysisRun and does not promote', async () => {
    const [STABLE, NEW] = ['7c8d9f5b6a', '4f6b8d9c7e'];
    await deploy('cart', STABLE, NEW, 'error-rate-band', 'error-rate-post');
    await errorRatio('cart', NEW, 0.1); // between success (< 0.05) and failure (> 0.2)
    const ro = await startRollout('cart', STABLE, NEW);
    const pre = ro.runName('pre');
    const paused = await ro.waitFor((e) => e.action === 'paused', 'the InconclusiveAnalysisRun pause');

    const run = getRun(pre)!;
    expect(run.status).toMatchObject({
      phase: 'Inconclusive',
      message: 'Metric "error-rate" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0)',
      runSummary: { count: 1, inconclusive: 1 },
    });
    const result = run.status!.metricResults![0]!;
    expect(result.measurements!.map((m) => `${m.phase} ${m.value}`)).toEqual(['Inconclusive [0.1]']);
    expectPromptVerdict(pre, ms(result.measurements![0]!.finishedAt), 'its inconclusive measurement finished');
    expect(paused.at).toBeGreaterThanOrEqual(ms(run.status!.completedAt));

    // Paused, and it stays so: no promotion, no abort, no post-promotion run, no more measurements.
    await new Promise((r) => setTimeout(r, 2500));
    console.log(`[e2e] cart timeline:\n${ro.describe()}`);
    const status = getRollout('cart').status;
    expect(status.pauseConditions).toEqual([{ reason: 'InconclusiveAnalysisRun', startTime: expect.any(String) }]);
    expect(status).toMatchObject({ controllerPause: true, phase: 'Paused', stableRS: STABLE });
    expect(status.abort).toBeUndefined();
    expect(selectorOf('cart-active')).toBe(STABLE);
    expect(selectorOf('cart-preview')).toBe(NEW);
    expect(steps(ro)).toEqual(['initialized', 'preview-switched', `analysisrun-created ${pre}`, `analysisrun-phase ${pre} Inconclusive`, 'paused']);
    expect(getRun(ro.runName('post'))).toBeUndefined();
    expect(getRun(pre)!.status).toEqual(run.status); // a completed run is frozen
    expect(getRun(pre)!.spec).toEqual(ro.timeline.find((e) => e.action === 'analysisrun-created')!.spec);
    expectSpecUntouchedByAssay(pre);
    await expectArgoShape(pre);
  }, 30_000);

  it('a failed pre-promotion run aborts the Rollout before promotion: the active Service never leaves the stable hash', async () => {
    const [STABLE, NEW] = ['6b5c4d9f8e', '8f7e6d5c4b'];
    await deploy('payments', STABLE, NEW, 'error-rate', 'error-rate-post');
    await errorRatio('payments', NEW, 0.3); // broken already behind the preview Service
    const ro = await startRollout('payments', STABLE, NEW);
    const pre = ro.runName('pre');
    const aborted = await ro.waitFor((e) => e.action === 'aborted', 'the abort');
    await new Promise((r) => setTimeout(r, 300)); // give a wrong promotion or revert the chance to show up
    console.log(`[e2e] payments timeline:\n${ro.describe()}`);

    const run = getRun(pre)!;
    const message = 'Metric "error-rate" assessed Failed due to failed (2) > failureLimit (1)';
    expect(run.status).toMatchObject({ phase: 'Failed', message, runSummary: { count: 1, failed: 1 } });
    const result = run.status!.metricResults![0]!;
    expect(result.measurements!.map((m) => `${m.phase} ${m.value}`)).toEqual(['Failed [0.3]', 'Failed [0.3]']);
    expectPromptVerdict(pre, ms(result.measurements!.at(-1)!.finishedAt), 'its 2nd failed measurement finished');
    expect(aborted.message).toBe(`Blue/green pre-promotion analysis phase error/failed: ${message}`);
    expect(aborted.at).toBeGreaterThanOrEqual(ms(run.status!.completedAt));
    expect(steps(ro)).toEqual(['initialized', 'preview-switched', `analysisrun-created ${pre}`, `analysisrun-phase ${pre} Failed`, 'aborted']);
    expect(fake.requests.some((r) => r.method === 'PATCH' && r.path === `/api/v1/namespaces/${NS}/services/payments-active`)).toBe(false);
    expect(selectorOf('payments-active')).toBe(STABLE);
    expect(getRollout('payments').status).toMatchObject({ abort: true, stableRS: STABLE, phase: 'Degraded' });
    expect(getRun(ro.runName('post'))).toBeUndefined();
    expectSpecUntouchedByAssay(pre);
  }, 30_000);

  it('a user abort during post-promotion: the Rollout terminates the run (its only spec change) and assay ends it "Run Terminated"', async () => {
    const [STABLE, NEW] = ['8b7d6c5f9a', '9e8d7c6b5a'];
    await deploy('checkout', STABLE, NEW, 'error-rate', 'error-rate-post');
    await errorRatio('checkout', NEW, 0.01); // healthy throughout
    const ro = await startRollout('checkout', STABLE, NEW);
    const post = ro.runName('post');
    await ro.waitFor((e) => e.action === 'analysisrun-created' && e.run === post, 'the post-promotion run', 20_000);
    await until(() => (getRun(post)?.status?.metricResults?.[0]?.count ?? 0) >= 2, 'two post-promotion measurements');
    await ro.userAbort(); // kubectl argo rollouts abort
    await ro.waitFor((e) => e.action === 'terminate-requested', 'the Rollout to terminate the run');
    await until(() => watch.completedSeenAt.has(post), 'the terminated run to complete');
    await ro.waitFor((e) => e.action === 'active-reverted', 'the active Service back on stable');
    console.log(`[e2e] checkout timeline:\n${ro.describe()}`);
    expect(ro.timeline.filter((e) => e.action === 'error')).toEqual([]);

    const run = getRun(post)!;
    expect(run.status).toMatchObject({ phase: 'Successful', message: 'Run Terminated', runSummary: { count: 1, successful: 1 } });
    const result = run.status!.metricResults![0]!;
    expect(result.phase).toBe('Successful');
    expect(result.count).toBeGreaterThanOrEqual(2);
    expect(result.count).toBeLessThan(8);
    expect(result.measurements!.every((m) => m.phase === 'Successful' && m.value === '[0.01]')).toBe(true);

    // The terminate merge patch is the only change to the spec, and only the Rollout sent it.
    const created = ro.timeline.find((e) => e.action === 'analysisrun-created' && e.run === post)!.spec!;
    expect(run.spec).toEqual({ ...created, terminate: true });
    const specWrites = writesTo(fake, NS, post).filter((r) => 'spec' in (r.body as object));
    expect(specWrites).toHaveLength(1);
    expect(sentBy(specWrites[0]!, ROLLOUT_TOKEN)).toBe(true);
    expect(specWrites[0]).toMatchObject({ method: 'PATCH', contentType: 'application/merge-patch+json', body: { spec: { terminate: true } }, status: 200 });
    expectSpecUntouchedByAssay(post);
    expectPromptVerdict(post, specWrites[0]!.time, 'the terminate patch');
    expect(selectorOf('checkout-active')).toBe(STABLE);
    expect(getRollout('checkout').status).toMatchObject({ abort: true, stableRS: STABLE });
    await expectArgoShape(post);
  }, 30_000);
});
