/**
 * assay/compare and assay/guard live, in each mode a user runs them: `assay run` as a child
 * process (exit status = verdict), `assay serve` over its HTTP API, and the controller on the
 * fake API server. The wrapped sources are web metrics against a loopback backend that serves a
 * baseline's and a canary's recent latencies, and a request count.
 */
import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisRun } from '../../../src/api/types.js';
import { startController } from '../../../src/composition/cluster.js';
import type { Controller } from '../../../src/controller/controller.js';
import { configFromEnv } from '../../../src/runtime/config.js';
import { startServer } from '../../../src/composition/serve.js';
import type { RunningServer } from '../../../src/server/server.js';
import { startFakeKube, type FakeKube } from '../../support/fake-kube/index.js';
import { sendJson, startHttpServer, type TestHttpServer } from '../../support/http-server.js';
import { workspace, type Workspace } from '../backtest/history.js';
import { ensureBuilt, runCli } from '../run-cli/cli.js';
import { post, waitForPhase } from '../server/helpers.js';

const BASELINE = [0.101, 0.098, 0.103, 0.097, 0.1, 0.102, 0.099, 0.104, 0.096, 0.101, 0.1, 0.098];
const SLOWER = BASELINE.map((v, i) => v + 0.03 + (i % 3) * 0.001);
const ALIKE = [0.1, 0.099, 0.102, 0.098, 0.101, 0.103, 0.097, 0.1, 0.099, 0.102, 0.098, 0.101];

let backend: TestHttpServer;
let ws: Workspace;

/** `/latency/<version>` answers `{values: [...]}`, `/requests/<version>` a count (0 for "fresh"). */
beforeAll(async () => {
  backend = await startHttpServer((req, res) => {
    const [, kind, version] = req.path.split('/');
    if (kind === 'latency') return sendJson(res, 200, { values: version === 'slower' ? SLOWER : version === 'alike' ? ALIKE : version === 'fresh' ? [] : BASELINE });
    if (kind === 'requests') return sendJson(res, 200, { count: version === 'fresh' ? 0 : 1200 });
    sendJson(res, 404, { error: 'not found' });
  });
  [ws] = await Promise.all([workspace(), ensureBuilt()]);
}, 60_000);
afterAll(async () => {
  await backend?.close();
  await ws?.remove();
});

const web = (path: string, jsonPath: string) => ({ web: { url: `${backend.url}${path}`, jsonPath } });

function metric(canary: string): Record<string, unknown> {
  return {
    name: 'latency-vs-baseline',
    interval: '100ms',
    count: 2,
    successCondition: 'result.decision == "pass"',
    failureCondition: 'result.decision == "fail"',
    provider: {
      plugin: {
        'assay/guard': {
          minTraffic: 100,
          traffic: web(`/requests/${canary}`, '{$.count}'),
          provider: { plugin: { 'assay/compare': { alpha: 0.01, minSamples: 10, baseline: web('/latency/baseline', '{$.values}'), canary: web(`/latency/${canary}`, '{$.values}') } } },
        },
      },
    },
  };
}

function templateYaml(): string {
  return JSON.stringify({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: 'latency-vs-baseline' },
    spec: { args: [{ name: 'canary' }], metrics: [{ ...metric('{{args.canary}}') }] },
  });
}

describe('assay run', () => {
  // Each case is a real child process measuring twice; generous timeouts for loaded CI machines.
  let file: string;
  beforeAll(async () => {
    file = await ws.file('compare.yaml', templateYaml());
  });

  it('exits 1 for a canary slower than its baseline, with the result in the output', async () => {
    const slower = await runCli(['run', '-f', file, '-a', 'canary=slower']);
    expect(slower.code).toBe(1);
    expect(slower.stdout).toMatch(/Verdict: Failed/);
    expect(slower.stdout).toContain('"decision":"fail"');
  }, 120_000);

  it('exits 0 for a canary like its baseline', async () => {
    expect((await runCli(['run', '-f', file, '-a', 'canary=alike'])).code).toBe(0);
  }, 120_000);

  it('exits 3 while the canary has no traffic, saying so', async () => {
    const fresh = await runCli(['run', '-f', file, '-a', 'canary=fresh']);
    expect(fresh.code).toBe(3);
    expect(fresh.stdout).toContain('traffic 0 < minTraffic 100');
  }, 120_000);
});

describe('assay serve', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ config: configFromEnv({}), port: 0, heartbeatMs: 100 });
  });
  afterAll(async () => server?.close());

  it('runs a compare metric created through the API to its verdict', async () => {
    const manifest = (name: string, canary: string) => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', metadata: { name, namespace: 'default' }, spec: { metrics: [metric(canary)] } });
    expect((await post(`${server.url}/api/v1/runs`, { analysisRun: manifest('slower', 'slower') })).status).toBe(201);
    expect((await post(`${server.url}/api/v1/runs`, { analysisRun: manifest('alike', 'alike') })).status).toBe(201);
    const failed = await waitForPhase(server.url, 'default/slower', ['Successful', 'Failed', 'Error', 'Inconclusive'], 60_000);
    expect(failed.status.phase).toBe('Failed');
    expect(failed.status.metricResults[0].measurements[0].value).toContain('"method":"mann-whitney"');
    const passed = await waitForPhase(server.url, 'default/alike', ['Successful', 'Failed', 'Error', 'Inconclusive'], 60_000);
    expect(passed.status.phase).toBe('Successful');
  }, 120_000);
});

describe('the controller', () => {
  let fake: FakeKube;
  let controller: Controller;
  beforeAll(async () => {
    fake = await startFakeKube({ namespaces: ['shop'] });
    controller = await startController({ config: { logLevel: 'silent', queueName: 'stats' }, kubeConfig: fake.kubeConfig() });
  });
  afterAll(async () => {
    await controller?.stop();
    await fake?.close();
  });

  it('writes Failed for a slower canary and Successful for a like one', async () => {
    const api = fake.kubeConfig().makeApiClient(CustomObjectsApi);
    for (const canary of ['slower', 'alike']) {
      await api.createNamespacedCustomObject({
        group: 'argoproj.io', version: 'v1alpha1', plural: 'analysisruns', namespace: 'shop',
        body: { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', metadata: { name: canary, namespace: 'shop' }, spec: { metrics: [metric(canary)] } },
      });
    }
    const phaseOf = (name: string) => (fake.get({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', namespace: 'shop', name }) as unknown as AnalysisRun | undefined)?.status?.phase;
    const deadline = Date.now() + 60_000;
    while ((phaseOf('slower') === undefined || phaseOf('slower') === 'Running' || phaseOf('alike') === undefined || phaseOf('alike') === 'Running') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(phaseOf('slower')).toBe('Failed');
    expect(phaseOf('alike')).toBe('Successful');
  }, 120_000);
});
