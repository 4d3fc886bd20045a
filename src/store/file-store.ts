/**
 * A directory of files as the run store (standalone mode, several processes on one machine).
 * Each run is two files so that writers never overwrite each other's fields:
 *   <stem>.yaml          metadata + spec (written on create and terminate)
 *   <stem>.status.json   status (written by the engine)
 *   <stem>.tick          present while a tick of the run is in progress (crash-loop guard)
 * where <stem> is `<namespace>.<name>`, hashed when too long for the file system (file-names.ts).
 *
 * Writes go to a temporary file that is renamed (or, on create, hard-linked) into place, so a
 * crash or a full disk never leaves a half-written or empty file under a run's name; temporary
 * files left by a killed process are removed on open. A file that still cannot be read (edited
 * by hand, truncated by a disk) is reported naming the run and file, and skipped: the rest of the
 * store keeps working. Parsed files are cached by (inode, size, mtime), so listing re-reads only
 * what changed, including changes made by other processes.
 */
import { randomUUID } from 'node:crypto';
import { watch as fsWatch, type FSWatcher } from 'node:fs';
import { link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { AnalysisRun, AnalysisRunStatus } from '../api/types.js';
import { formatTime } from '../core/time.js';
import { keyGuess, SPEC, STATUS, stemOf, stemOfFile, TICK, TMP, tmpPath } from './file-names.js';
import { checkStoredRun, checkStoredStatus, CorruptRunError, RunExistsError, runKey, type RunKey, type RunStore, type StoreChange } from './run-store.js';

export interface StoreProblem {
  run: RunKey;
  file: string;
  message: string;
}

interface FileStoreOptions {
  now?: () => number;
  /** Called once per unreadable file version (the server logs it). */
  onProblem?: (problem: StoreProblem) => void;
}

type Read<T> = { kind: 'missing' } | { kind: 'ok'; value: T } | { kind: 'bad'; message: string };

interface Cached {
  sig: string;
  read: Read<unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function decodeSpec(text: string): Read<AnalysisRun> {
  if (text.trim() === '') return { kind: 'bad', message: 'the file is empty' };
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    return { kind: 'bad', message: `not valid YAML: ${(err as Error).message.split('\n')[0]}` };
  }
  if (!isObject(doc) || !isObject(doc.metadata) || typeof doc.metadata.name !== 'string' || !isObject(doc.spec)) {
    return { kind: 'bad', message: 'not an AnalysisRun (metadata.name and spec are required)' };
  }
  const checked = checkStoredRun(doc);
  return checked.ok ? { kind: 'ok', value: checked.value } : { kind: 'bad', message: checked.message };
}

function decodeStatus(text: string): Read<AnalysisRunStatus> {
  try {
    const doc: unknown = JSON.parse(text);
    if (!isObject(doc)) return { kind: 'bad', message: 'not a JSON object' };
    const checked = checkStoredStatus(doc);
    return checked.ok ? { kind: 'ok', value: checked.value } : { kind: 'bad', message: checked.message };
  } catch (err) {
    return { kind: 'bad', message: `not valid JSON (truncated?): ${(err as Error).message}` };
  }
}

export class FileRunStore implements RunStore {
  private watcher: FSWatcher | undefined;
  private readonly listeners = new Set<(c: StoreChange) => void>();
  private readonly cache = new Map<string, Cached>();
  private readonly reported = new Set<string>();
  /** Keys of the stems seen, for deletions noticed through the watch (hashed stems cannot be read back). */
  private readonly stemKeys = new Map<string, RunKey>();
  private readonly now: () => number;

  private constructor(private readonly dir: string, private readonly opts: FileStoreOptions) {
    this.now = opts.now ?? Date.now;
  }

  static async open(dir: string, opts: FileStoreOptions | (() => number) = {}): Promise<FileRunStore> {
    await mkdir(dir, { recursive: true });
    // Temporary files of writes a killed process (or a full disk) never finished.
    for (const f of await readdir(dir)) if (f.endsWith(TMP)) await rm(join(dir, f), { force: true });
    return new FileRunStore(dir, typeof opts === 'function' ? { now: opts } : opts);
  }

  private path(key: RunKey, suffix: string): string {
    return join(this.dir, stemOf(key) + suffix);
  }

  private async atomicWrite(path: string, data: string): Promise<void> {
    const tmp = tmpPath(path);
    try {
      await writeFile(tmp, data);
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /** One file, parsed, from the cache while its inode, size and mtime are unchanged. */
  private async readCached<T>(path: string, decode: (text: string) => Read<T>): Promise<Read<T>> {
    let sig: string;
    try {
      const st = await stat(path);
      sig = `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.cache.delete(path);
        return { kind: 'missing' };
      }
      throw err;
    }
    const hit = this.cache.get(path);
    if (hit?.sig === sig) return hit.read as Read<T>;
    let read: Read<T>;
    try {
      read = decode(await readFile(path, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      read = { kind: 'missing' };
    }
    this.cache.set(path, { sig, read });
    return read;
  }

  private corrupt(key: RunKey, path: string, message: string): CorruptRunError {
    const file = path.slice(this.dir.length + 1);
    const err = new CorruptRunError(key, file, message);
    const id = `${file}\u0000${message}`;
    if (!this.reported.has(id)) {
      this.reported.add(id);
      this.opts.onProblem?.({ run: key, file, message });
    }
    return err;
  }

  /** The run behind a stem: undefined when absent, CorruptRunError when unreadable. */
  private async readStem(stem: string, expected?: RunKey): Promise<AnalysisRun | undefined> {
    const specPath = join(this.dir, stem + SPEC);
    const spec = await this.readCached(specPath, decodeSpec);
    const guess = expected ?? this.stemKeys.get(stem) ?? keyGuess(stem);
    if (spec.kind === 'missing') return undefined;
    if (spec.kind === 'bad') throw this.corrupt(guess, specPath, spec.message);
    const key = runKey(spec.value);
    // A hashed stem shared by two keys (practically impossible) must not hand out the other run.
    if (expected !== undefined && key !== expected) return undefined;
    this.stemKeys.set(stem, key);
    const statusPath = join(this.dir, stem + STATUS);
    const status = await this.readCached(statusPath, decodeStatus);
    if (status.kind === 'bad') throw this.corrupt(key, statusPath, status.message);
    // Callers own what they get: the cache keeps its own copy.
    const run = structuredClone(spec.value);
    if (status.kind === 'ok') run.status = structuredClone(status.value);
    else delete run.status;
    return run;
  }

  async get(key: RunKey): Promise<AnalysisRun | undefined> {
    return this.readStem(stemOf(key), key);
  }

  async create(run: AnalysisRun): Promise<AnalysisRun> {
    const stored = structuredClone(run);
    stored.metadata.namespace ??= 'default';
    stored.metadata.uid ??= randomUUID();
    stored.metadata.creationTimestamp ??= formatTime(this.now());
    const key = runKey(stored);
    const specPath = this.path(key, SPEC);
    const { status, ...manifest } = stored;
    // The whole file is written aside first and then linked into place: the link is the atomic
    // "exactly one creator wins" step, and a failed write (ENOSPC) leaves no file under the name.
    const tmp = tmpPath(specPath);
    try {
      await writeFile(tmp, stringify(manifest));
      await this.linkNew(tmp, specPath, key);
    } finally {
      await rm(tmp, { force: true });
    }
    if (status) await this.atomicWrite(this.path(key, STATUS), JSON.stringify(status));
    else await rm(this.path(key, STATUS), { force: true });
    await rm(this.path(key, TICK), { force: true });
    this.stemKeys.set(stemOf(key), key);
    this.emit({ type: 'upsert', key, run: stored });
    return stored;
  }

  private async linkNew(tmp: string, target: string, key: RunKey): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(tmp, target);
        return;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST') throw err;
        // An empty spec is a leftover of a write that never finished (older versions wrote in
        // place): it holds no run, so it must not keep the name taken.
        const st = await stat(target).catch(() => undefined);
        if (attempt > 0 || st === undefined || st.size !== 0) throw new RunExistsError(key);
        await rm(target, { force: true });
        await rm(this.path(key, STATUS), { force: true });
      }
    }
  }

  async writeStatus(key: RunKey, uid: string | undefined, status: AnalysisRunStatus): Promise<'ok' | 'gone'> {
    const run = await this.get(key);
    if (!run || (uid !== undefined && run.metadata.uid !== uid)) return 'gone';
    await this.atomicWrite(this.path(key, STATUS), JSON.stringify(status));
    this.emit({ type: 'upsert', key, run: { ...run, status } });
    return 'ok';
  }

  async terminate(key: RunKey): Promise<'ok' | 'gone'> {
    const run = await this.get(key);
    if (!run) return 'gone';
    const { status, ...manifest } = run;
    manifest.spec = { ...manifest.spec, terminate: true };
    await this.atomicWrite(this.path(key, SPEC), stringify(manifest));
    this.emit({ type: 'upsert', key, run: { ...manifest, ...(status ? { status } : {}) } });
    return 'ok';
  }

  async delete(key: RunKey): Promise<boolean> {
    const existed = await this.get(key).then((r) => r !== undefined, () => true);
    for (const suffix of [SPEC, STATUS, TICK]) await rm(this.path(key, suffix), { force: true });
    if (existed) this.emit({ type: 'delete', key });
    return existed;
  }

  async list(): Promise<AnalysisRun[]> {
    const stems = (await readdir(this.dir))
      .map((f) => stemOfFile(f))
      .filter((s): s is NonNullable<typeof s> => s?.kind === 'spec')
      .map((s) => s.stem)
      .sort();
    const runs: AnalysisRun[] = [];
    for (const stem of stems) {
      try {
        const run = await this.readStem(stem);
        if (run) runs.push(run);
      } catch (err) {
        if (!(err instanceof CorruptRunError)) throw err; // reported by readStem; skip the run
      }
    }
    return runs;
  }

  async beginTick(key: RunKey): Promise<number> {
    const path = this.path(key, TICK);
    const before = Number.parseInt(await readFile(path, 'utf8').catch(() => '0'), 10);
    const count = (Number.isFinite(before) && before > 0 ? before : 0) + 1;
    await this.atomicWrite(path, String(count));
    return count;
  }

  async endTick(key: RunKey): Promise<void> {
    await rm(this.path(key, TICK), { force: true });
  }

  /**
   * Changes from this handle are delivered synchronously; changes written by other processes
   * arrive through fs.watch (best effort, as inotify allows) and are re-read before delivery.
   */
  watch(listener: (change: StoreChange) => void): () => void {
    this.listeners.add(listener);
    if (!this.watcher) {
      this.watcher = fsWatch(this.dir, (_event, filename) => {
        const file = filename ? stemOfFile(filename) : undefined;
        if (!file || file.kind === 'tick') return;
        const { stem } = file;
        void this.readStem(stem).then(
          (run) => {
            if (run) this.emit({ type: 'upsert', key: runKey(run), run });
            else this.emit({ type: 'delete', key: this.stemKeys.get(stem) ?? keyGuess(stem) });
          },
          () => undefined, // unreadable: reported by readStem
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
