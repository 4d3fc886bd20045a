/**
 * What the promote suites share: a real Prometheus holding current error ratios (green healthy,
 * red failing), AnalysisTemplates that query it, the in-repo fake API server with a kubeconfig file
 * for the CLI child process, and blue/green objects to switch.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeKube, type FakeKube, type KubeObject } from '../../support/fake-kube/index.js';
import { startPrometheus, type PrometheusInstance } from '../../support/prometheus.js';
import { ensureBuilt, runCli, startCli, type CliProcess, type CliResult } from '../run-cli/cli.js';

export const NS = 'shop';
/** Error ratios per version: green passes `result[0] < 0.05`, red does not. */
const RATIOS: Record<string, number> = { green: 0.01, red: 0.2 };

export interface Harness {
  prom: PrometheusInstance;
  kube: FakeKube;
  dir: string;
  kubeconfig: string;
  /** count 2, interval 1s: a verdict in about a second. */
  quick: string;
  /** no count: runs until stopped (for interrupt tests). */
  endless: string;
  close(): Promise<void>;
}

function template(name: string, address: string, countLine: string): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: ${name}
spec:
  args:
    - name: version
  metrics:
    - name: error-ratio
      interval: 1s
${countLine}      failureLimit: 0
      successCondition: result[0] < 0.05
      provider:
        prometheus:
          address: ${address}
          query: 'service:http_error_ratio:rate5m{version="{{args.version}}"}'
`;
}

export async function startHarness(): Promise<Harness> {
  const [prom, kube, dir] = await Promise.all([
    startPrometheus(),
    startFakeKube({ namespaces: [NS] }),
    mkdtemp(join(tmpdir(), 'assay-promote-')),
    ensureBuilt(),
  ]);
  // Samples every 10 s over the last 4 minutes, then one more every 10 s while the suite runs: an
  // instant query always finds a current value, however long a loaded machine takes.
  const write = (timestamps: number[]) =>
    prom.remoteWrite(
      Object.entries(RATIOS).map(([version, value]) => ({
        labels: { __name__: 'service:http_error_ratio:rate5m', version },
        samples: timestamps.map((timestamp) => ({ timestamp, value })),
      })),
    );
  const now = Date.now();
  await write(Array.from({ length: 25 }, (_, i) => now - (24 - i) * 10_000));
  const refresh = setInterval(() => void write([Date.now()]).catch(() => undefined), 10_000);
  const quick = join(dir, 'quick.yaml');
  const endless = join(dir, 'endless.yaml');
  await writeFile(quick, template('error-ratio', prom.url, '      count: 2\n'));
  await writeFile(endless, template('error-ratio-watch', prom.url, ''));
  const kubeconfig = kube.writeKubeconfigFile(join(dir, 'kubeconfig'));
  return {
    prom,
    kube,
    dir,
    kubeconfig,
    quick,
    endless,
    close: async () => {
      clearInterval(refresh);
      await Promise.all([prom.stop(), kube.close()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A Service selecting the blue version, created through the API like `kubectl apply`. */
export async function createService(kube: FakeKube, name: string, selector: Record<string, string> = { app: 'shop', color: 'blue' }): Promise<KubeObject> {
  return createObject(kube, `/api/v1/namespaces/${NS}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NS, labels: { app: 'shop' } },
    spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
  });
}

export async function createObject(kube: FakeKube, path: string, body: Record<string, unknown>): Promise<KubeObject> {
  const res = await fetch(`${kube.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`create ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as KubeObject;
}

export const service = (kube: FakeKube, name: string): KubeObject | undefined => kube.get({ apiVersion: 'v1', kind: 'Service', namespace: NS, name });

export const selectorOf = (o: KubeObject | undefined): unknown => (o?.spec as { selector?: unknown } | undefined)?.selector;

/** Events recorded on an object, oldest first. */
export function eventsFor(kube: FakeKube, kind: string, name: string): Array<{ reason: string; type: string; message: string }> {
  return kube
    .list({ apiVersion: 'v1', kind: 'Event', namespace: NS, fieldSelector: `involvedObject.kind=${kind},involvedObject.name=${name}` })
    .map((e) => e as unknown as { reason: string; type: string; message: string });
}

export function promote(h: Harness, ...args: string[]): Promise<CliResult> {
  return runCli(['promote', '-n', NS, '--kubeconfig', h.kubeconfig, ...args]);
}

export function startPromote(h: Harness, ...args: string[]): CliProcess {
  return startCli(['promote', '-n', NS, '--kubeconfig', h.kubeconfig, ...args]);
}

export function rollback(h: Harness, ...args: string[]): Promise<CliResult> {
  return runCli(['rollback', '-n', NS, '--kubeconfig', h.kubeconfig, ...args]);
}

/** The final JSON object of `--output json` (stdout holds only it). */
export function report(r: CliResult): Record<string, unknown> {
  return JSON.parse(r.stdout) as Record<string, unknown>;
}
