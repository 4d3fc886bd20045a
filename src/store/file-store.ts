/**
 * A directory of files as the run store (standalone mode, several processes on one machine).
 * Each run is two files so that writers never overwrite each other's fields:
 *   <namespace>.<name>.yaml          metadata + spec (written on create and terminate)
 *   <namespace>.<name>.status.json   status (written by the engine)
 * (Kubernetes names cannot contain '.' in a namespace, so the first '.' splits the key.)
 * Writes go to a temporary file first and are renamed into place, so a crash never leaves a
 * half-written run behind.
 */
import { randomUUID } from 'node:crypto';
import { watch as fsWatch, type FSWatcher } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { AnalysisRun, AnalysisRunStatus } from '../api/types.js';
import { formatTime } from '../engine/time.js';
import { RunExistsError, runKey, splitRunKey, type RunKey, type RunStore, type StoreChange } from './run-store.js';

const SPEC = '.yaml';
const STATUS = '.status.json';

export class FileRunStore implements RunStore {
  private watcher: FSWatcher | undefined;
  private readonly listeners = new Set<(c: StoreChange) => void>();

  private constructor(private readonly dir: string, private readonly now: () => number) {}

  static async open(dir: string, now: () => number = Date.now): Promise<FileRunStore> {
    await mkdir(dir, { recursive: true });
    return new FileRunStore(dir, now);
  }

  private base(key: RunKey): string {
    const { namespace, name } = splitRunKey(key);
    return join(this.dir, `${namespace}.${name}`);
  }

  private async atomicWrite(path: string, data: string): Promise<void> {
    const tmp = `${path}.${randomUUID()}.tmp`;
    await writeFile(tmp, data);
    await rename(tmp, path);
  }

  async get(key: RunKey): Promise<AnalysisRun | undefined> {
    const base = this.base(key);
    let text: string;
    try {
      text = await readFile(base + SPEC, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const run = parse(text) as AnalysisRun;
    try {
      run.status = JSON.parse(await readFile(base + STATUS, 'utf8')) as AnalysisRunStatus;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return run;
  }

  async create(run: AnalysisRun): Promise<AnalysisRun> {
    const stored = structuredClone(run);
    stored.metadata.namespace ??= 'default';
    stored.metadata.uid ??= randomUUID();
    stored.metadata.creationTimestamp ??= formatTime(this.now());
    const key = runKey(stored);
    const base = this.base(key);
    const { status, ...manifest } = stored;
    // 'wx' makes creation atomic across processes: exactly one creator wins.
    try {
      await writeFile(base + SPEC, stringify(manifest), { flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new RunExistsError(key);
      throw err;
    }
    if (status) await this.atomicWrite(base + STATUS, JSON.stringify(status));
    else await rm(base + STATUS, { force: true });
    this.emit({ type: 'upsert', key, run: stored });
    return stored;
  }

  async writeStatus(key: RunKey, uid: string | undefined, status: AnalysisRunStatus): Promise<'ok' | 'gone'> {
    const run = await this.get(key);
    if (!run || (uid !== undefined && run.metadata.uid !== uid)) return 'gone';
    await this.atomicWrite(this.base(key) + STATUS, JSON.stringify(status));
    this.emit({ type: 'upsert', key, run: { ...run, status } });
    return 'ok';
  }

  async terminate(key: RunKey): Promise<'ok' | 'gone'> {
    const run = await this.get(key);
    if (!run) return 'gone';
    const { status, ...manifest } = run;
    manifest.spec = { ...manifest.spec, terminate: true };
    await this.atomicWrite(this.base(key) + SPEC, stringify(manifest));
    this.emit({ type: 'upsert', key, run: { ...manifest, ...(status ? { status } : {}) } });
    return 'ok';
  }

  async delete(key: RunKey): Promise<boolean> {
    const base = this.base(key);
    const existed = (await this.get(key)) !== undefined;
    await rm(base + SPEC, { force: true });
    await rm(base + STATUS, { force: true });
    if (existed) this.emit({ type: 'delete', key });
    return existed;
  }

  async list(): Promise<AnalysisRun[]> {
    const names = (await readdir(this.dir)).filter((f) => f.endsWith(SPEC) && !f.endsWith('.tmp')).sort();
    const runs: AnalysisRun[] = [];
    for (const f of names) {
      const stem = f.slice(0, -SPEC.length);
      const dot = stem.indexOf('.');
      if (dot < 0) continue;
      const run = await this.get(`${stem.slice(0, dot)}/${stem.slice(dot + 1)}`);
      if (run) runs.push(run);
    }
    return runs;
  }

  /**
   * Changes from this handle are delivered synchronously; changes written by other processes
   * arrive through fs.watch (best effort, as inotify allows) and are re-read before delivery.
   */
  watch(listener: (change: StoreChange) => void): () => void {
    this.listeners.add(listener);
    if (!this.watcher) {
      this.watcher = fsWatch(this.dir, (_event, filename) => {
        if (!filename || filename.endsWith('.tmp')) return;
        const stem = filename.endsWith(STATUS) ? filename.slice(0, -STATUS.length) : filename.endsWith(SPEC) ? filename.slice(0, -SPEC.length) : undefined;
        const dot = stem?.indexOf('.') ?? -1;
        if (!stem || dot < 0) return;
        const key = `${stem.slice(0, dot)}/${stem.slice(dot + 1)}`;
        void this.get(key).then(
          (run) => this.emit(run ? { type: 'upsert', key, run } : { type: 'delete', key }),
          () => undefined,
        );
      });
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        this.watcher?.close();
        this.watcher = undefined;
      }
    };
  }

  async close(): Promise<void> {
    this.watcher?.close();
    this.watcher = undefined;
    this.listeners.clear();
  }

  private emit(change: StoreChange): void {
    for (const l of this.listeners) l(change);
  }
}
