/**
 * Where a doc's commands run: a temp directory with the repository's user-facing folders linked in
 * (so `assay lint examples/broken/` prints the paths the docs show), `assay` and `helm` on PATH, a
 * fake Kubernetes API server behind KUBECONFIG, and, for docs that ask for it, a real Prometheus.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { resolveHelms } from '../support/helm.js';

export const root = path.resolve(import.meta.dirname, '..', '..');
import { privateKubectlDir } from '../support/kubectl.js';

export { privateKubectlDir };

export interface Sandbox {
  dir: string;
  env: NodeJS.ProcessEnv;
  kube: FakeKube;
  close(): Promise<void>;
}

const LINKED = ['examples', 'charts', 'crds', 'docs'];

export async function openSandbox(namespaces: string[]): Promise<Sandbox> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'assay-doc-test-'));
  for (const name of LINKED) symlinkSync(path.join(root, name), path.join(dir, name));
  const bin = path.join(dir, '.bin');
  mkdirSync(bin);
  const shim = (name: string, body: string) => {
    writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(path.join(bin, name), 0o755);
  };
  shim('assay', `exec "${process.execPath}" "${path.join(root, 'bin', 'assay.js')}" "$@"`);
  const [helm] = await resolveHelms();
  // No cluster here: `helm install` renders the chart with the same arguments (`helm template`).
  shim('helm', `if [ "$1" = install ]; then shift; set -- template "$@"; fi\nexec "${helm!.bin}" "$@"`);
  const kube = await startFakeKube({ namespaces });
  const kubeconfig = kube.writeKubeconfigFile(path.join(dir, '.kubeconfig'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${bin}:${process.env.PATH ?? ''}:${privateKubectlDir}`,
    KUBECONFIG: kubeconfig,
    HELM_CACHE_HOME: path.join(dir, '.helm', 'cache'),
    HELM_CONFIG_HOME: path.join(dir, '.helm', 'config'),
    HELM_DATA_HOME: path.join(dir, '.helm', 'data'),
    NO_COLOR: '1',
  };
  return {
    dir,
    env,
    kube,
    async close() {
      await kube.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RunResult {
  code: number;
  /** stdout and stderr interleaved, as a terminal shows them. */
  output: string;
}

/** Runs a script with bash (-e -o pipefail) in the sandbox; never throws on a non-zero exit. */
export function runScript(script: string, sandbox: Sandbox, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', `exec 2>&1\n${script}`], { cwd: sandbox.dir, env: sandbox.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out after ${timeoutMs / 1000} s; output so far:\n${output}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), output });
    });
  });
}
