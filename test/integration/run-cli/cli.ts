/**
 * The real `assay` CLI as a child process, for the run-cli and backtest suites.
 *
 * `ensureBuilt()` is test/support/build.ts's buildOnce(): build only when dist/ is stale,
 * serialised across parallel suites.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = join(ROOT, 'bin/assay.js');
/** Build dist/ unless it is current (shared with every suite that runs the CLI). */
export { buildOnce as ensureBuilt } from '../../support/build.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ChildProcess;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  exited: Promise<CliResult>;
}

/**
 * Start `node bin/assay.js ARGS` with an empty environment (or only `env`), so that no
 * ARGO_ROLLOUTS_PROMETHEUS_ADDRESS or REDIS_URL of the developer's shell changes what is tested.
 */
export function startCli(args: readonly string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** `env`: the only environment the CLI gets (credentials a user would export). */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return startCli(args, env).exited;
}

/** Poll until `probe()` is true; throws with `what` after `timeoutMs`. */
export async function waitFor(probe: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
