/**
 * FileRunStore against real file-system faults: a full disk (a 256 KiB tmpfs, where mounting is
 * allowed), empty spec files left by older versions, unreadable entries, and writes by another
 * handle (another process's view) picked up by the cache.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AnalysisRun } from '../../../src/api/types.js';
import { FileRunStore, type StoreProblem } from '../../../src/store/file-store.js';
import { CorruptRunError, RunExistsError } from '../../../src/store/run-store.js';

const dirs: string[] = [];
const mounts: string[] = [];
afterAll(async () => {
  for (const m of mounts) execFileSync('umount', [m]);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function freshDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'assay-store-faults-'));
  dirs.push(d);
  return d;
}

/** A tiny tmpfs, or undefined where this process may not mount (not root, no CAP_SYS_ADMIN). */
async function tinyDisk(): Promise<string | undefined> {
  const d = await freshDir();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', d], { stdio: 'ignore' });
    mounts.push(d);
    return d;
  } catch {
    return undefined;
  }
}

const run = (name: string, pad = 0): AnalysisRun => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisRun',
  metadata: { name, namespace: 'default', ...(pad ? { annotations: { pad: 'x'.repeat(pad) } } : {}) },
  spec: { metrics: [{ name: 'm', provider: { web: { url: 'http://x/' } } }] },
});

describe('FileRunStore faults', () => {
  it('on a full disk refuses the create, leaves no empty spec or .tmp file behind, and the name stays free', async (ctx) => {
    const disk = await tinyDisk();
    if (!disk) return ctx.skip();
    const store = await FileRunStore.open(disk);
    let refused = 0;
    for (let i = 0; i < 20; i++) {
      await store.create(run(`r${i}`, 40_000)).catch((err: NodeJS.ErrnoException) => {
        expect(err.code).toBe('ENOSPC');
        refused++;
      });
    }
    expect(refused).toBeGreaterThan(0);
    const files = await readdir(disk);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    for (const f of files) expect((await stat(join(disk, f))).size, f).toBeGreaterThan(0);
    const listed = (await store.list()).map((r) => r.metadata.name);
    expect(listed.length).toBe(20 - refused);
    // Space freed: a refused name can be created now.
    for (const name of listed) await store.delete(`default/${name}`);
    const refusedName = Array.from({ length: 20 }, (_, i) => `r${i}`).find((n) => !listed.includes(n))!;
    await expect(store.create(run(refusedName))).resolves.toMatchObject({ metadata: { name: refusedName } });
  });

  it('does not let an empty spec file (an older version\'s interrupted write) shadow the name', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, 'default.shadowed.yaml'), '');
    await writeFile(join(dir, 'default.shadowed.status.json'), '{"phase":"Running"}');
    const problems: StoreProblem[] = [];
    const store = await FileRunStore.open(dir, { onProblem: (p) => problems.push(p) });
    await expect(store.get('default/shadowed')).rejects.toBeInstanceOf(CorruptRunError);
    expect(problems).toEqual([{ run: 'default/shadowed', file: 'default.shadowed.yaml', message: 'the file is empty' }]);
    const created = await store.create(run('shadowed'));
    expect((await store.get('default/shadowed'))?.metadata.uid).toBe(created.metadata.uid);
    expect((await store.get('default/shadowed'))?.status).toBeUndefined();
    await expect(store.create(run('shadowed'))).rejects.toBeInstanceOf(RunExistsError);
  });

  it('serves another handle\'s writes from a cache that notices the change', async () => {
    const dir = await freshDir();
    const a = await FileRunStore.open(dir);
    const b = await FileRunStore.open(dir);
    const created = await a.create(run('shared'));
    expect((await b.list()).map((r) => r.metadata.name)).toEqual(['shared']);
    await a.writeStatus('default/shared', created.metadata.uid, { phase: 'Running' });
    expect((await b.get('default/shared'))?.status?.phase).toBe('Running');
    await a.writeStatus('default/shared', created.metadata.uid, { phase: 'Successful' });
    expect((await b.list())[0]?.status?.phase).toBe('Successful');
    // What a caller does to a returned run does not change the cache.
    const got = (await b.get('default/shared'))!;
    got.status!.phase = 'Failed';
    expect((await b.get('default/shared'))?.status?.phase).toBe('Successful');
  });

  it('counts ticks that started without finishing, across handles (processes)', async () => {
    const dir = await freshDir();
    const a = await FileRunStore.open(dir);
    await a.create(run('ticking'));
    expect(await a.beginTick('default/ticking')).toBe(1);
    const b = await FileRunStore.open(dir); // the next process, after a crash
    expect(await b.beginTick('default/ticking')).toBe(2);
    await b.endTick('default/ticking');
    expect(await b.beginTick('default/ticking')).toBe(1);
  });
});
