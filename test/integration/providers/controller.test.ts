/**
 * The controller (against the fake Kubernetes API server) with the providers of issue 8: runs
 * created in the cluster reach Argo's verdicts on healthy, failing, empty and erroring backends.
 * Credentials come as a user provides them to the controller: AWS_* in its environment (read by
 * the AWS SDK) and the `influxdb` Secret in the controller's namespace, read through the API (a
 * Secret of that name in the run's namespace is not used, as in Argo). Status, events and the
 * controller's log carry no credential.
 */
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisRun } from '../../../src/api/types.js';
import { isCompleted } from '../../../src/api/phase.js';
import { startController } from '../../../src/composition/cluster.js';
import type { Controller } from '../../../src/controller/controller.js';
import { startFakeKube, type FakeKube } from '../../support/fake-kube/index.js';
import { awsEnv, cases, influxSecret, startBackends, type Backends } from './backends.js';

const AR = { group: 'argoproj.io', version: 'v1alpha1', plural: 'analysisruns' };
const NS = 'shop';
const CONTROLLER_NS = 'argo-rollouts';
let b: Backends;
let fake: FakeKube;
let controller: Controller;
const logs: string[] = [];
const saved = { ...process.env };

beforeAll(async () => {
  [b, fake] = await Promise.all([startBackends(), startFakeKube({ namespaces: [NS, CONTROLLER_NS] })]);
  Object.assign(process.env, awsEnv(b));
  const core = fake.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespacedSecret({ namespace: CONTROLLER_NS, body: influxSecret(b) as never });
  controller = await startController({
    config: { logLevel: 'silent', queueName: 'providers', controllerNamespace: CONTROLLER_NS },
    kubeConfig: fake.kubeConfig(),
    log: (level, msg, fields) => void logs.push(`${level} ${msg} ${JSON.stringify(fields ?? {})}`),
  });
}, 120_000);
afterAll(async () => {
  await controller?.stop();
  await fake?.close();
  await b?.stop();
  process.env = saved;
});

const get = (name: string, namespace = NS) =>
  fake.get({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', namespace, name }) as unknown as AnalysisRun | undefined;

async function completed(name: string, namespace = NS): Promise<AnalysisRun> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const run = get(name, namespace);
    if (run && isCompleted(run.status?.phase)) return run;
    if (Date.now() > deadline) throw new Error(`${namespace}/${name} did not complete: ${JSON.stringify(run?.status)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('assay controller with the cloudWatch, graphite, influxdb and skywalking providers', () => {
  it('reaches the verdict Argo would for every provider and backend state, credentials from env and the cluster', async () => {
    const custom = fake.kubeConfig().makeApiClient(CustomObjectsApi);
    const all = cases(b);
    for (const c of all) {
      const body = { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', metadata: { name: c.name, namespace: NS }, spec: { metrics: [c.metric] } };
      await custom.createNamespacedCustomObject({ ...AR, namespace: NS, body });
    }
    const texts: string[] = [];
    for (const c of all) {
      const run = await completed(c.name);
      expect(run.status?.phase, c.name).toBe(c.phase);
      if (c.message) expect(run.status?.metricResults?.[0]?.measurements?.at(-1)?.message, c.name).toMatch(c.message);
      texts.push(JSON.stringify(run));
    }
    const core = fake.kubeConfig().makeApiClient(CoreV1Api);
    const events = JSON.stringify((await core.listNamespacedEvent({ namespace: NS })).items);
    expect(events).toContain('AnalysisRunSuccessful');
    for (const s of b.secrets) expect([...texts, events, ...logs].join('\n'), 'a credential leaked').not.toContain(s);
  }, 120_000);

  it('does not read the influxdb Secret from the run namespace', async () => {
    const other = 'payments';
    const core = fake.kubeConfig().makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: other } } });
    await core.createNamespacedSecret({ namespace: other, body: influxSecret(b) as never });
    await core.deleteNamespacedSecret({ namespace: CONTROLLER_NS, name: 'influxdb' });
    const c = cases(b).find((x) => x.name === 'influxdb-healthy')!;
    const custom = fake.kubeConfig().makeApiClient(CustomObjectsApi);
    await custom.createNamespacedCustomObject({ ...AR, namespace: other, body: { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', metadata: { name: 'influx', namespace: other }, spec: { metrics: [c.metric] } } });
    const run = await completed('influx', other);
    expect(run.status?.phase).toBe('Error');
    expect(run.status?.metricResults?.[0]?.measurements?.at(-1)?.message).toBe('secrets "influxdb" not found');
  }, 60_000);
});
