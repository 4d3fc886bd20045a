/**
 * `assay controller` as a child process against the fake Kubernetes API server, with provider
 * credentials as Secrets in the cluster, read where Argo reads them: the controller namespace
 * (POD_NAMESPACE=ops) for `datadog`, `newrelic`, `wavefront-api-tokens` and secretRef'd
 * Datadog Secrets, the run's namespace for a `secretRef.namespaced` one. Every (provider,
 * scenario) reaches Argo's verdict in status.phase, and no secret value appears in the
 * controller's logs, the runs' status or the Events on them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCompleted } from '../../../src/api/phase.js';
import { startFakeKube, type FakeKube } from '../../support/fake-kube/index.js';
import { BIN, ensureBuilt, ROOT, waitFor } from '../run-cli/cli.js';
import { analysisRun, datadogErroring, leakedSecrets, scenarios, secretManifests, SECRETS, startVendors, type Scenario, type Vendors } from './fixtures.js';

const CONTROLLER_NS = 'ops';
const RUN_NS = 'shop';
let v: Vendors;
let fake: FakeKube;
let child: ChildProcess;
let logs = '';

const secret = (namespace: string, name: string, data: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  type: 'Opaque',
  metadata: { name, namespace },
  data: Object.fromEntries(Object.entries(data).map(([k, val]) => [k, Buffer.from(val).toString('base64')])),
});

beforeAll(async () => {
  await ensureBuilt();
  v = await startVendors();
  fake = await startFakeKube({ namespaces: [CONTROLLER_NS, RUN_NS] });
  for (const m of secretManifests(v, CONTROLLER_NS) as { metadata: { name: string }; stringData: Record<string, string> }[]) {
    fake.put(secret(CONTROLLER_NS, m.metadata.name, m.stringData) as never);
  }
  // No DD_* env vars here: the default `datadog` Secret in the controller namespace.
  fake.put(secret(CONTROLLER_NS, 'datadog', { 'api-key': SECRETS.ddApiKey, 'app-key': SECRETS.ddAppKey, address: v.datadog.url }) as never);
  fake.put(secret(RUN_NS, 'team-datadog', { 'api-key': SECRETS.ddApiKey, 'app-key': SECRETS.ddAppKey, address: v.datadog.url }) as never);
  const kubeconfig = fake.writeKubeconfigFile(join(v.dir, 'kubeconfig'));
  child = spawn(
    process.execPath,
    [BIN, 'controller', '--kubeconfig', kubeconfig, '--metrics-port', '0', '--health-port', '0', '--host', '127.0.0.1', '--namespaces', RUN_NS],
    { cwd: ROOT, env: { POD_NAMESPACE: CONTROLLER_NS, NODE_EXTRA_CA_CERTS: v.caFile, ASSAY_LOG_LEVEL: 'debug' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (d: Buffer) => (logs += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
  await waitFor(() => logs.includes('assay controller started') || child.exitCode !== null, 30_000, 'the controller to start');
  if (child.exitCode !== null) throw new Error(`controller exited: ${logs}`);
}, 180_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  await fake?.close();
  await v?.close();
});

const namespacedDatadog: Scenario = {
  name: 'dd-namespaced-secret',
  provider: 'datadog',
  metric: { successCondition: 'result < 0.05', provider: { datadog: { apiVersion: 'v2', query: 'avg:errors{svc:ok}', secretRef: { name: 'team-datadog', namespaced: true } } } },
  expect: 'Successful',
};

describe('assay controller with datadog, newRelic, wavefront and kayenta', () => {
  it('reads provider Secrets from the controller (or run) namespace and reaches Argo\'s verdicts without leaking them', async () => {
    const all = [...scenarios(v), datadogErroring(), namespacedDatadog];
    for (const s of all) fake.put(analysisRun(s, RUN_NS) as never);
    const phaseOf = (name: string) =>
      (fake.get({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', namespace: RUN_NS, name }) as { status?: { phase?: string } } | undefined)?.status?.phase;
    await waitFor(() => all.every((s) => isCompleted(phaseOf(s.name))), 150_000, 'every run to complete').catch(() => undefined);
    expect(Object.fromEntries(all.map((s) => [s.name, phaseOf(s.name)]))).toEqual(Object.fromEntries(all.map((s) => [s.name, s.expect])));
    const runs = fake.list({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', namespace: RUN_NS });
    const events = fake.list({ apiVersion: 'v1', kind: 'Event', namespace: RUN_NS });
    expect(events.length).toBeGreaterThan(0);
    expect(leakedSecrets(JSON.stringify(runs)), 'status').toEqual([]);
    expect(leakedSecrets(JSON.stringify(events)), 'events').toEqual([]);
    expect(leakedSecrets(logs), 'logs').toEqual([]);
    // Secrets were read through the API, from the namespaces Argo uses.
    const secretReads = fake.requests.filter((r) => r.method === 'GET' && r.path.includes('/secrets/')).map((r) => r.path);
    expect(secretReads).toEqual(expect.arrayContaining([`/api/v1/namespaces/${CONTROLLER_NS}/secrets/datadog`, `/api/v1/namespaces/${RUN_NS}/secrets/team-datadog`, `/api/v1/namespaces/${CONTROLLER_NS}/secrets/newrelic`]));
  }, 240_000);
});
