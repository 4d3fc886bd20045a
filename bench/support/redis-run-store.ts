/**
 * A run store in Redis, for the BullMQ benchmark only: several worker processes must share run
 * status (a run's ticks move between them), and the memory store cannot be shared, while the file
 * store would measure YAML parsing rather than BullMQ. The spec and metadata are written once and
 * cached per process (the benchmark never changes them); the status is one JSON string per run:
 * one GET per read, one SET per write. No conflict detection (one active tick per run is BullMQ's
 * guarantee, which is what is benchmarked). Not a production store.
 */
import { Redis } from 'ioredis';
import type { AnalysisRun, AnalysisRunStatus } from '../../src/api/types.js';
import { stampNewRun, RunExistsError, runKey, type RunKey, type RunStore, type StoreChange } from '../../src/store/run-store.js';

export class RedisRunStore implements RunStore {
  private readonly redis: Redis;
  private readonly manifests = new Map<RunKey, AnalysisRun>();

  constructor(url: string, private readonly prefix = 'bench') {
    this.redis = new Redis(url, { maxRetriesPerRequest: null });
  }

  private async manifest(key: RunKey): Promise<AnalysisRun | undefined> {
    let m = this.manifests.get(key);
    if (m === undefined) {
      const text = await this.redis.get(`${this.prefix}:spec:${key}`);
      if (text === null) return undefined;
      m = JSON.parse(text) as AnalysisRun;
      this.manifests.set(key, m);
    }
    return m;
  }

  async get(key: RunKey): Promise<AnalysisRun | undefined> {
    const [m, status] = await Promise.all([this.manifest(key), this.redis.get(`${this.prefix}:status:${key}`)]);
    if (m === undefined) return undefined;
    return status === null ? m : { ...m, status: JSON.parse(status) as AnalysisRunStatus };
  }

  async create(run: AnalysisRun): Promise<AnalysisRun> {
    const stored = stampNewRun(run, Date.now());
    const key = runKey(stored);
    const { status, ...manifest } = stored;
    const ok = await this.redis.set(`${this.prefix}:spec:${key}`, JSON.stringify(manifest), 'NX');
    if (ok === null) throw new RunExistsError(key);
    await this.redis.sadd(`${this.prefix}:keys`, key);
    if (status) await this.redis.set(`${this.prefix}:status:${key}`, JSON.stringify(status));
    return stored;
  }

  async writeStatus(key: RunKey, _uid: string | undefined, status: AnalysisRunStatus): Promise<'ok' | 'gone'> {
    await this.redis.set(`${this.prefix}:status:${key}`, JSON.stringify(status));
    return 'ok';
  }

  async terminate(_key: RunKey): Promise<'ok' | 'gone'> {
    throw new Error('not supported by the benchmark store');
  }

  async delete(key: RunKey): Promise<boolean> {
    const n = await this.redis.del(`${this.prefix}:spec:${key}`, `${this.prefix}:status:${key}`);
    await this.redis.srem(`${this.prefix}:keys`, key);
    this.manifests.delete(key);
    return n > 0;
  }

  async list(): Promise<AnalysisRun[]> {
    const keys = await this.redis.smembers(`${this.prefix}:keys`);
    const runs = await Promise.all(keys.map((k) => this.get(k)));
    return runs.filter((r): r is AnalysisRun => r !== undefined);
  }

  watch(_listener: (change: StoreChange) => void): () => void {
    return () => undefined;
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
