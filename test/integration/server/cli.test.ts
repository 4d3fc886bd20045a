/**
 * The real `assay serve` binary as a child process (after `npm run build`): it listens, answers
 * /healthz, and on SIGTERM shuts down cleanly with exit status 0. A refused flag combination
 * exits 4 with a message saying what is missing.
 */
import { execFile, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOnce } from '../../support/build.js';
import { unusedPort } from '../../support/http-server.js';
import { templatesDir, waitUntil } from './helpers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = join(ROOT, 'bin/assay.js');

/** The environment without anything that would change the server's mode. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['REDIS_URL', 'ASSAY_API_TOKEN', 'ASSAY_QUEUE', 'ASSAY_LOG_LEVEL']) delete env[k];
  return { ...env, ...extra };
}

beforeAll(async () => {
  await buildOnce();
}, 120_000);

describe('when assay serve runs as a process', () => {
  it('serves /healthz, reloads templates on SIGHUP, and exits 0 on SIGTERM', async () => {
    const port = await unusedPort();
    const templates = await templatesDir('http://127.0.0.1:1');
    const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--templates', templates.dir], {
      cwd: ROOT,
      env: cleanEnv({ ASSAY_LOG_LEVEL: 'info' }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const health = await waitUntil(
        async () => {
          if (child.exitCode !== null) throw new Error(`assay serve exited early (${child.exitCode}): ${stderr}`);
          const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
          return res?.status === 200 ? ((await res.json()) as unknown) : undefined;
        },
        90_000,
        'assay serve to answer /healthz',
      );
      expect(health).toEqual({ status: 'ok' });
      const loaded = () => stdout.split('\n').filter((l) => l.includes('"msg":"templates loaded"')).length;
      expect(loaded()).toBe(1);
      child.kill('SIGHUP');
      await waitUntil(async () => (loaded() === 2 ? true : undefined), 30_000, 'a second "templates loaded" line');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; templates?: number });
      expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['assay serve listening', 'SIGHUP: reloading templates', 'assay serve stopped']));
      expect(lines.find((l) => l.msg === 'templates loaded')?.templates).toBe(3);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await templates.remove();
    }
  }, 150_000);

  it('exits 4 and says what is missing for --role worker without REDIS_URL', async () => {
    const result = await promisify(execFile)(process.execPath, [BIN, 'serve', '--role', 'worker', '--port', '0'], { cwd: ROOT, env: cleanEnv() }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
    );
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('assay serve: --role worker needs REDIS_URL');
  });
});
