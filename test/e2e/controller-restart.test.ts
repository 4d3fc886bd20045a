/**
 * End to end, durability of `assay controller` as a real child process (`node bin/assay.js
 * controller --kubeconfig F`) against the fake API server and a REAL Prometheus with deterministic
 * data:
 *
 *  - SIGKILLed after 2-3 measurements of a run, a freshly started controller finishes the run with
 *    exactly the status of the same run under a controller that was never interrupted (same phase,
 *    message, counters, measurement phases and values; only times differ);
 *  - a 409 Conflict on a status PATCH mid-run is retried and nothing is lost.
 *
 * Each controller watches its own namespace (--namespaces), so the killed one and the reference one
 * never touch each other's runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analysisRunSchema } from '../../src/api/schema.js';
import type { AnalysisRun, AnalysisRunStatus, Metric } from '../../src/api/types.js';
import { isCompleted } from '../../src/api/phase.js';
import { buildOnce } from '../support/build.js';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { startPrometheus, type PrometheusInstance } from '../support/prometheus.js';
import { API_VERSION, ARGO, essence, until, writesTo } from './helpers.js';

const root = resolve(import.meta.dirname, '..', '..');
let fake: FakeKube;
let prom: PrometheusInstance;
let dir: string;
let kubeconfig: string;
let custom: CustomObjectsApi;
const children: ChildProcess[] = [];
/** The reference controller: never interrupted, watches `steady` and `conflict`. */
let steady: Controlled;

interface Controlled {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `assay controller` as a child process; resolves once it logged that it started. */
async function startController(namespaces: string): Promise<Controlled> {
  const child = spawn(
    process.execPath,
    [join(root, 'bin/assay.js'), 'controller', '--kubeconfig', kubeconfig, '--namespaces', namespaces, '--metrics-port', '0', '--health-port', '0', '--host', '127.0.0.1'],
    { env: { PATH: process.env.PATH, ASSAY_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let out = '';
  const append = (b: Buffer) => (out = (out + b.toString()).slice(-20_000));
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const started = until(() => out.includes('assay controller started'), 'the controller to start', 20_000);
  const failed = exited.then((e) => Promise.reject(Object.assign(new Error(`controller exited (${JSON.stringify(e)}):\n${out}`), { exit: e, out })));
  await Promise.race([started, failed]);
  return { child, output: () => out, exited };
}

/**
 * dist/ is shared: a `tsc` run elsewhere (another suite's buildOnce, a developer's build) rewrites
 * its files in place, and a process that imports a half-written module dies at load with exit 70
 * before doing anything. Start once more in that case only; any other failure, or a second one, fails.
 */
async function startControllerProcess(namespaces: string): Promise<Controlled> {
  try {
    return await startController(namespaces);
  } catch (err) {
    const { exit, out } = err as { exit?: { code: number | null }; out?: string };
    if (exit?.code !== 70 || !/SyntaxError|ERR_MODULE_NOT_FOUND/.test(out ?? '')) throw err;
    console.warn(`[e2e] controller failed to load a module of dist/ (rebuilt concurrently?); starting it again:\n${(out ?? '').slice(0, 600)}`);
    return startController(namespaces);
  }
}

/**
 * Deterministic answers, whatever the time: `ok` passes (2 measurements), `band` is inconclusive
 * within its limit (3), `errors` fails on its 6th failure. Every metric completes before `errors`
 * fails, so the verdict and every counter are fixed.
 */
const metric = (name: string, extra: Partial<Metric>): Metric => ({
  name,
  interval: '1s',
  successCondition: 'result[0] < 0.05',
  ...extra,
  provider: { prometheus: { address: prom.url, query: `sum(restart_ratio{kind="${name}"})` } },
});

const analysisRun = (namespace: string, name: string): AnalysisRun => ({
  apiVersion: API_VERSION,
  kind: 'AnalysisRun',
  metadata: { name, namespace },
  spec: {
    metrics: [
      metric('ok', { count: 2 }),
      metric('band', { count: 3, failureCondition: 'result[0] > 0.2', inconclusiveLimit: 3 }),
      metric('errors', { count: 10, failureLimit: 5 }),
    ],
  },
});

const EXPECTED = {
  phase: 'Failed',
  message: 'Metric "errors" assessed Failed due to failed (6) > failureLimit (5)',
  runSummary: { count: 3, successful: 2, failed: 1 },
  dryRunSummary: {},
};

const get = (namespace: string, name: string) => fake.get({ apiVersion: API_VERSION, kind: 'AnalysisRun', namespace, name }) as unknown as AnalysisRun | undefined;
const statusOf = (namespace: string, name: string) => get(namespace, name)?.status;
const countOf = (s: AnalysisRunStatus | undefined, metricName: string) => s?.metricResults?.find((r) => r.name === metricName)?.count ?? 0;
const completed = (namespace: string, name: string) => until(() => (isCompleted(statusOf(namespace, name)?.phase) ? statusOf(namespace, name) : undefined), `${namespace}/${name} to complete`, 20_000);

async function create(namespace: string, name: string): Promise<void> {
  await custom.createNamespacedCustomObject({ ...ARGO, namespace, plural: 'analysisruns', body: analysisRun(namespace, name) });
}

function expectTheVerdict(s: AnalysisRunStatus): void {
  expect(s).toMatchObject(EXPECTED);
  const byName = Object.fromEntries((s.metricResults ?? []).map((r) => [r.name, r]));
  expect(byName.ok).toMatchObject({ phase: 'Successful', count: 2, successful: 2 });
  expect(byName.band).toMatchObject({ phase: 'Successful', count: 3, inconclusive: 3 });
  expect(byName.errors).toMatchObject({ phase: 'Failed', count: 6, failed: 6 });
  expect(byName.ok!.measurements!.map((m) => `${m.phase} ${m.value}`)).toEqual(Array(2).fill('Successful [0.01]'));
  expect(byName.band!.measurements!.map((m) => `${m.phase} ${m.value}`)).toEqual(Array(3).fill('Inconclusive [0.1]'));
  expect(byName.errors!.measurements!.map((m) => `${m.phase} ${m.value}`)).toEqual(Array(6).fill('Failed [0.3]'));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'assay-e2e-restart-'));
  [prom, fake] = await Promise.all([startPrometheus(), startFakeKube({ namespaces: ['restart', 'steady', 'conflict'] }), buildOnce()]);
  kubeconfig = fake.writeKubeconfigFile(join(dir, 'kubeconfig'));
  custom = fake.kubeConfig().makeApiClient(CustomObjectsApi);
  // A sample a minute ago and one now: every instant query in the next 4 minutes sees these values.
  const now = Date.now();
  await prom.remoteWrite(
    Object.entries({ ok: 0.01, band: 0.1, errors: 0.3 }).map(([kind, value]) => ({
      labels: { __name__: 'restart_ratio', kind },
      samples: [
        { value, timestamp: now - 60_000 },
        { value, timestamp: now },
      ],
    })),
  );
  steady = await startControllerProcess('steady,conflict');
}, 120_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all([fake?.close(), prom?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('assay controller process: crash and conflict', () => {
  it('SIGKILLed mid-run, a new controller finishes the run exactly as an uninterrupted one does', async () => {
    const first = await startControllerProcess('restart');
    await Promise.all([create('restart', 'interrupted'), create('steady', 'reference')]);
    await until(() => countOf(statusOf('restart', 'interrupted'), 'errors') >= 2, 'two measurements of errors');
    first.child.kill('SIGKILL');
    const exit = await first.exited;
    expect(exit.signal).toBe('SIGKILL');
    await new Promise((r) => setTimeout(r, 200)); // a request already on the wire may still land
    const atKill = statusOf('restart', 'interrupted')!;
    const t0 = Date.now();
    expect(atKill.phase).toBe('Running');
    expect(countOf(atKill, 'errors')).toBeGreaterThanOrEqual(2);
    expect(countOf(atKill, 'errors')).toBeLessThanOrEqual(3);

    // Nobody reconciles the run while no controller runs (the reference one watches other namespaces).
    await new Promise((r) => setTimeout(r, 1200));
    expect(statusOf('restart', 'interrupted')).toEqual(atKill);

    const spawnedAt = Date.now();
    const second = await startControllerProcess('restart');
    const startupMs = Date.now() - spawnedAt;
    const [finished, reference] = await Promise.all([completed('restart', 'interrupted'), completed('steady', 'reference')]);
    console.log(
      `[e2e] killed with errors=${countOf(atKill, 'errors')} band=${countOf(atKill, 'band')} ok=${countOf(atKill, 'ok')} measured; ` +
        `the new controller finished the run ${Date.parse(finished.completedAt!) - t0} ms after the kill (incl. 1200 ms with no controller and ${startupMs} ms for the new process to start)`,
    );
    expectTheVerdict(reference);
    expect(essence(finished)).toEqual(essence(reference));
    expect(analysisRunSchema.safeParse(get('restart', 'interrupted')).success).toBe(true);
    // Nothing was measured twice: one measurement per count (errors are not counted, and none occurred).
    for (const r of finished.metricResults ?? []) expect(r.measurements).toHaveLength(r.count!);
    expect(get('restart', 'interrupted')!.spec).toEqual(analysisRun('restart', 'interrupted').spec);
    expect(writesTo(fake, 'restart', 'interrupted').every((w) => w.method === 'PATCH' && !('spec' in (w.body as object)))).toBe(true);

    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  }, 45_000);

  it('a 409 Conflict on a status PATCH mid-run is retried and nothing is lost', async () => {
    await create('conflict', 'conflicted');
    await until(() => countOf(statusOf('conflict', 'conflicted'), 'errors') >= 2, 'two measurements of errors');
    const fault = fake.injectFault({ method: 'PATCH', path: /analysisruns\/conflicted$/, status: 409, times: 1 });
    const finished = await completed('conflict', 'conflicted');
    expect(fault.hits).toBe(1);
    const writes = writesTo(fake, 'conflict', 'conflicted');
    const refused = writes.findIndex((w) => w.status === 409);
    expect(refused).toBeGreaterThan(0);
    // The same change went through right after, on the resourceVersion read afresh.
    const retried = writes[refused + 1]!;
    expect(retried.status).toBe(200);
    expect((retried.body as { status: unknown }).status).toEqual((writes[refused]!.body as { status: unknown }).status);
    expect(fake.requests.some((r) => r.method === 'GET' && r.path.endsWith('/analysisruns/conflicted') && r.time > writes[refused]!.time)).toBe(true);
    expectTheVerdict(finished);
    for (const r of finished.metricResults ?? []) expect(r.measurements).toHaveLength(r.count!);
    expect(steady.child.exitCode).toBeNull();
  }, 30_000);
});
