/**
 * `assay serve` as a real child process with a 512 MB heap (what the hardening probes run
 * against), plus small HTTP helpers. Each server gets its own port and, usually, a --store-dir
 * that survives restarts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unusedPort } from '../../support/http-server.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = join(ROOT, 'bin/assay.js');

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  port: number;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
  /** SIGTERM and wait. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait (a crash). */
  kill(): Promise<number | null>;
}

export async function startServe(opts: { args?: string[]; env?: Record<string, string>; port?: number; heapMb?: number } = {}): Promise<ServeProcess> {
  const port = opts.port ?? (await unusedPort());
  const child = spawn(
    process.execPath,
    [`--max-old-space-size=${opts.heapMb ?? 512}`, BIN, 'serve', '--port', String(port), ...(opts.args ?? [])],
    { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ASSAY_LOG_LEVEL: 'info', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`assay serve exited early (${child.exitCode}): ${stderr}${stdout}`);
    const ok = await fetch(`${url}/healthz`).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`assay serve did not answer /healthz: ${stderr}${stdout}`);
    await sleep(100);
  }
  return {
    child,
    url,
    port,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      return exited;
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll `probe` until it returns a value; fail with `what` after `timeoutMs`. */
export async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(150);
  }
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** An AnalysisRun manifest with one web metric. */
export function webRun(
  name: string,
  metric: { url: string; successCondition?: string; count?: number; interval?: string; timeoutSeconds?: number; jsonPath?: string; consecutiveErrorLimit?: number },
  extra: { namespace?: string; args?: unknown[] } = {},
): Record<string, unknown> {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: { name, namespace: extra.namespace ?? 'default' },
    spec: {
      ...(extra.args ? { args: extra.args } : {}),
      metrics: [
        {
          name: 'm',
          count: metric.count ?? 1,
          interval: metric.interval ?? '1s',
          ...(metric.consecutiveErrorLimit !== undefined ? { consecutiveErrorLimit: metric.consecutiveErrorLimit } : {}),
          successCondition: metric.successCondition ?? 'true',
          provider: {
            web: {
              url: metric.url,
              ...(metric.jsonPath ? { jsonPath: metric.jsonPath } : {}),
              ...(metric.timeoutSeconds !== undefined ? { timeoutSeconds: metric.timeoutSeconds } : {}),
            },
          },
        },
      ],
    },
  };
}

export interface RunView {
  metadata: { name: string; namespace: string };
  status?: {
    phase?: string;
    message?: string;
    metricResults?: Array<{ name: string; phase: string; measurements?: Array<{ phase: string; value?: string; message?: string }> }>;
  };
}

export async function getRun(base: string, key: string): Promise<RunView | undefined> {
  const res = await fetch(`${base}/api/v1/runs/${key}`);
  return res.status === 200 ? ((await res.json()) as RunView) : undefined;
}

/** Wait until the run has a completed phase; returns it. */
export function verdict(base: string, key: string, timeoutMs = 60_000): Promise<RunView> {
  return until(
    async () => {
      const run = await getRun(base, key);
      return run?.status?.phase && ['Successful', 'Failed', 'Error', 'Inconclusive'].includes(run.status.phase) ? run : undefined;
    },
    timeoutMs,
    `a verdict for ${key}`,
  );
}
