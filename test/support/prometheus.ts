/**
 * A real Prometheus server for tests (the Debian `prometheus` binary on PATH): one per suite,
 * on a free 127.0.0.1 port, with a throw-away TSDB directory, the remote-write receiver on, and
 * an out-of-order window of 24 h so tests may write samples with past timestamps.
 *
 * Starting takes well under a second; `stop()` terminates the process and removes the data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unusedPort } from './http-server.js';
import { remoteWrite, type Series } from './remote-write.js';

export interface PrometheusInstance {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** Write series (explicit timestamps) through the remote-write receiver. */
  remoteWrite(series: Series[]): Promise<void>;
  stop(): Promise<void>;
}

export interface StartPrometheusOptions {
  /** `storage.tsdb.out_of_order_time_window`; default 24h. */
  outOfOrderWindow?: string;
  /** How long to wait for `/-/ready`; default 15 s. */
  readyTimeoutMs?: number;
}

const CONFIG = (window: string): string => `global:
  scrape_interval: 1h
  evaluation_interval: 1h
storage:
  tsdb:
    out_of_order_time_window: ${window}
`;

function exited(proc: ChildProcess): Promise<void> {
  return proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise((r) => proc.once('exit', () => r()));
}

async function waitReady(url: string, proc: ChildProcess, stderr: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`prometheus exited with ${proc.exitCode}:\n${stderr()}`);
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`prometheus not ready after ${timeoutMs} ms:\n${stderr()}`);
}

export async function startPrometheus(opts: StartPrometheusOptions = {}): Promise<PrometheusInstance> {
  const dir = await mkdtemp(join(tmpdir(), 'assay-prometheus-'));
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, CONFIG(opts.outOfOrderWindow ?? '24h'));
  // The port is free when chosen but could be taken before Prometheus binds it: retry then.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await unusedPort();
    const url = `http://127.0.0.1:${port}`;
    let stderrText = '';
    const proc = spawn(
      'prometheus',
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dir, `data-${attempt}`)}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.enable-remote-write-receiver',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderrText = (stderrText + chunk.toString()).slice(-4000);
    });
    const spawnError = new Promise<never>((_, reject) =>
      proc.once('error', (err) => reject(new Error(`cannot run prometheus (apt-get install prometheus): ${err.message}`))),
    );
    try {
      await Promise.race([waitReady(url, proc, () => stderrText, opts.readyTimeoutMs ?? 15_000), spawnError]);
    } catch (err) {
      lastError = err;
      proc.kill('SIGKILL');
      await exited(proc);
      if (String(err).includes('cannot run prometheus')) break;
      continue;
    }
    return {
      url,
      remoteWrite: (series) => remoteWrite(url, series),
      stop: async () => {
        proc.kill('SIGTERM');
        const killer = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await exited(proc);
        clearTimeout(killer);
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}
