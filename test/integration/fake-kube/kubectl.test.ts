// Optional: the fake against a real kubectl, when one is installed. Never required: the suite
// skips cleanly without /usr/bin/kubectl. kubectl must run asynchronously (execFile, not
// execFileSync), because the server lives in this very process.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startFakeKube, type FakeKube } from '../../support/fake-kube/index.js';
import { until } from './helpers.js';

const KUBECTL = '/usr/bin/kubectl';
const run = promisify(execFile);

describe.skipIf(!existsSync(KUBECTL))('kubectl against the fake', () => {
  let fake: FakeKube;
  let dir: string;
  let kubeconfig: string;
  const kubectl = (...args: string[]) => run(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { timeout: 10_000 });

  beforeAll(async () => {
    fake = await startFakeKube({ namespaces: ['demo'] });
    dir = mkdtempSync(join(tmpdir(), 'fake-kube-'));
    kubeconfig = fake.writeKubeconfigFile(join(dir, 'kubeconfig'));
    fake.put({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: { name: 'run-1', namespace: 'demo', labels: { app: 'demo' } },
      spec: { metrics: [{ name: 'm', provider: { web: { url: 'http://x' } } }] },
      status: { phase: 'Running' },
    });
  });
  afterAll(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('get analysisruns -A -o yaml', async () => {
    const { stdout } = await kubectl('get', 'analysisruns', '-A', '-o', 'yaml');
    const doc = parse(stdout) as { items: Array<{ kind: string; metadata: { name: string; namespace: string }; status: unknown }> };
    expect(doc.items).toHaveLength(1);
    expect(doc.items[0]).toMatchObject({ kind: 'AnalysisRun', metadata: { name: 'run-1', namespace: 'demo' }, status: { phase: 'Running' } });
  });

  it('resolves the short name and prints the CRD printer columns (server-side Table)', async () => {
    const { stdout } = await kubectl('get', 'ar', '-n', 'demo');
    expect(stdout.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+AGE$/);
    expect(stdout).toMatch(/run-1\s+Running\s+\d+s/);
  });

  it('reports NotFound for a status-subresource patch, like a real cluster for AnalysisRuns', async () => {
    await expect(kubectl('patch', 'ar', 'run-1', '-n', 'demo', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Failed"}}')).rejects.toMatchObject({
      stderr: expect.stringContaining('analysisruns.argoproj.io "run-1" not found'),
    });
    await kubectl('patch', 'ar', 'run-1', '-n', 'demo', '--type=merge', '-p', '{"status":{"phase":"Failed"}}');
    expect(fake.get({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', namespace: 'demo', name: 'run-1' })?.status).toEqual({ phase: 'Failed' });
  });

  it('get -w streams table rows for changes', async () => {
    const child = spawn(KUBECTL, ['--kubeconfig', kubeconfig, 'get', 'ar', '-n', 'demo', '-w', '--output-watch-events']);
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    try {
      await fake.waitForWatches(1, 'analysisruns', 8000);
      fake.put({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AnalysisRun',
        metadata: { name: 'run-1', namespace: 'demo', labels: { app: 'demo' } },
        spec: { metrics: [{ name: 'm', provider: { web: { url: 'http://x' } } }] },
        status: { phase: 'Successful' },
      });
      await until(() => /MODIFIED\s+run-1\s+Successful/.test(out), 5000);
    } finally {
      child.kill();
    }
  }, 15_000);
});
