/**
 * In-process run store: the embedded default for `assay run`, `assay serve` without a directory,
 * and the engine's benchmarks. Runs are kept as immutable snapshots: `get`, `list` and watch
 * events hand out the stored objects themselves (no copy per read, which dominated the engine's
 * profile), and every write stores a new object. Callers must treat what they get as read-only;
 * the engine does (a reconcile copies the status it changes).
 */
import type { AnalysisRun, AnalysisRunStatus } from '../api/types.js';
import { stampNewRun, RunExistsError, runKey, type RunKey, type RunStore, type StoreChange } from './run-store.js';

export class MemoryRunStore implements RunStore {
  private readonly runs = new Map<RunKey, AnalysisRun>();
  private readonly listeners = new Set<(c: StoreChange) => void>();
  private version = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async get(key: RunKey): Promise<AnalysisRun | undefined> {
    return this.runs.get(key);
  }

  async create(run: AnalysisRun): Promise<AnalysisRun> {
    const key = runKey(run);
    if (this.runs.has(key)) throw new RunExistsError(key);
    const stored = stampNewRun(run, this.now());
    this.put(key, stored);
    return stored;
  }

  async writeStatus(key: RunKey, uid: string | undefined, status: AnalysisRunStatus): Promise<'ok' | 'gone'> {
    const run = this.runs.get(key);
    if (!run || (uid !== undefined && run.metadata.uid !== uid)) return 'gone';
    this.put(key, { ...run, metadata: { ...run.metadata }, status });
    return 'ok';
  }

  async terminate(key: RunKey): Promise<'ok' | 'gone'> {
    const run = this.runs.get(key);
    if (!run) return 'gone';
    this.put(key, { ...run, metadata: { ...run.metadata }, spec: { ...run.spec, terminate: true } });
    return 'ok';
  }

  async delete(key: RunKey): Promise<boolean> {
    const existed = this.runs.delete(key);
    if (existed) this.emit({ type: 'delete', key });
    return existed;
  }

  async list(): Promise<AnalysisRun[]> {
    return [...this.runs.values()];
  }

  watch(listener: (change: StoreChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private put(key: RunKey, run: AnalysisRun): void {
    run.metadata.resourceVersion = String(++this.version);
    this.runs.set(key, run);
    if (this.listeners.size > 0) this.emit({ type: 'upsert', key, run });
  }

  private emit(change: StoreChange): void {
    for (const l of this.listeners) l(change);
  }
}
