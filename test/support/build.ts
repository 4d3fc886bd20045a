/**
 * Tests that run the real CLI need dist/ to be current. `npm test` builds first; a suite run on
 * its own builds here. Suites run in parallel workers, and a build rewriting dist/ while another
 * suite's child process loads it would be a flaky failure: so a build happens only when dist/ is
 * older than a source file, and builds are serialised by a lock directory (mkdir is atomic); the
 * second caller then finds dist/ fresh and skips.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, rmdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..', '..');
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
  // The bundle bin/assay.js prefers (scripts/bundle-cli.mjs): it must be at least as new.
  const bundled = await stat(join(ROOT, 'dist/bundle/cli/main.cjs')).catch(() => undefined);
  if (!built || !bundled || bundled.mtimeMs < built.mtimeMs) return false;
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

export async function buildOnce(): Promise<void> {
  await lock();
  try {
    if (!(await isFresh())) {
      await promisify(execFile)('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT });
      await promisify(execFile)(process.execPath, ['scripts/bundle-cli.mjs'], { cwd: ROOT });
    }
  } finally {
    await rmdir(LOCK).catch(() => undefined);
  }
}

