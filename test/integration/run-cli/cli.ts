/**
 * The real `assay` CLI as a child process, for the run-cli and backtest suites.
 *
 * `ensureBuilt()` runs `npm run build` unless dist/ is newer than every source file. Suites run
 * in parallel workers, and a build rewriting dist/ while another suite's child process loads it
 * would be a flaky failure; so builds are serialised by a lock directory (mkdir is atomic), and
 * the second suite finds dist/ fresh and skips its build.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readdir, rmdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = join(ROOT, 'bin/assay.js');
const LOCK = join(tmpdir(), 'assay-cli-build.lock');
const STALE_LOCK_MS = 120_000;

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, await newestMtime(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, (await stat(path)).mtimeMs);
  }
  return newest;
}

async function isFresh(): Promise<boolean> {
  const built = await stat(join(ROOT, 'dist/src/cli/main.js')).catch(() => undefined);
  if (!built) return false;
  const sources = Math.max(await newestMtime(join(ROOT, 'src')), await newestMtime(join(ROOT, 'providers')));
  return built.mtimeMs > sources;
}

async function lock(): Promise<void> {
  for (;;) {
    try {
      await mkdir(LOCK);
      return;
    } catch {
      const held = await stat(LOCK).catch(() => undefined);
      if (held && Date.now() - held.mtimeMs > STALE_LOCK_MS) await rmdir(LOCK).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function ensureBuilt(): Promise<void> {
  await lock();
  try {
    if (!(await isFresh())) await promisify(execFile)('npm', ['run', 'build'], { cwd: ROOT });
  } finally {
    await rmdir(LOCK).catch(() => undefined);
  }
}

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
 * Start `node bin/assay.js ARGS` with an empty environment, so that no
 * ARGO_ROLLOUTS_PROMETHEUS_ADDRESS or REDIS_URL of the developer's shell changes what is tested.
 */
export function startCli(args: readonly string[]): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: {}, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

export function runCli(args: readonly string[]): Promise<CliResult> {
  return startCli(args).exited;
}

/** Poll until `probe()` is true; throws with `what` after `timeoutMs`. */
export async function waitFor(probe: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
