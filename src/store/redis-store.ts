/**
 * Redis as the run store, so that `assay serve` scales out over hosts that share nothing but
 * Redis (api and worker roles, no shared filesystem). One hash per run:
 *   {prefix}:run:{namespace/name}  manifest (metadata + spec, JSON), status (JSON), uid, version
 * plus a set {prefix}:runs of the keys, and a pub/sub channel {prefix}:changes that tells other
 * handles what changed (they re-read before telling their watchers).
 *
 * Every change bumps `version`, as Kubernetes bumps resourceVersion: a status write carries the
 * version this handle last read and is refused as a 'conflict' when someone else changed the run
 * since (a terminate, another worker), so the engine re-reconciles from a fresh read instead of
 * overwriting. Each change is one Lua script: atomic, one round trip.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { AnalysisRun, AnalysisRunStatus } from '../api/types.js';
import { checkStoredRun, CorruptRunError, stampNewRun, RunExistsError, runKey, type RunKey, type RunStore, type StoreChange } from './run-store.js';

/** KEYS: run hash, index set. ARGV: manifest, status ('' = none), uid, key, channel, message. */
const CREATE = `
if redis.call('HSETNX', KEYS[1], 'manifest', ARGV[1]) == 0 then return 0 end
local fields = {'uid', ARGV[3], 'version', 1}
if ARGV[2] ~= '' then table.insert(fields, 'status'); table.insert(fields, ARGV[2]) end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('SADD', KEYS[2], ARGV[4])
redis.call('PUBLISH', ARGV[5], ARGV[6])
return 1`;

/** KEYS: run hash. ARGV: uid ('' = any), expected version ('' = any), status, channel, message. */
const WRITE_STATUS = `
local cur = redis.call('HMGET', KEYS[1], 'uid', 'version')
if not cur[1] then return 'gone' end
if ARGV[1] ~= '' and cur[1] ~= ARGV[1] then return 'gone' end
if ARGV[2] ~= '' and cur[2] ~= ARGV[2] then return 'conflict' end
local v = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('HSET', KEYS[1], 'status', ARGV[3])
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 'ok:' .. v`;

/** KEYS: run hash. ARGV: expected manifest, new manifest, channel, message. */
const REPLACE_MANIFEST = `
local cur = redis.call('HGET', KEYS[1], 'manifest')
if not cur then return 'gone' end
if cur ~= ARGV[1] then return 'conflict' end
redis.call('HSET', KEYS[1], 'manifest', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 'ok'`;

/** KEYS: run hash, index set. ARGV: key, channel, message. */
const DELETE = `
local n = redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[1])
if n > 0 then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return n`;

interface ChangeMessage {
  type: 'upsert' | 'delete';
  key: RunKey;
  origin: string;
}

interface RedisRunStoreOptions {
  prefix?: string;
  now?: () => number;
}

export class RedisRunStore implements RunStore {
  private readonly redis: Redis;
  private subscriber: Redis | undefined;
  private readonly listeners = new Set<(c: StoreChange) => void>();
  private readonly origin = randomUUID();
  /** The version each run had when this handle last read or wrote it (what a status write is based on). */
  private readonly seen = new Map<RunKey, string>();
  private readonly prefix: string;
  private readonly now: () => number;

  constructor(url: string, opts: RedisRunStoreOptions = {}) {
    this.redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
    this.prefix = opts.prefix ?? 'assay';
    this.now = opts.now ?? Date.now;
  }

  private hash(key: RunKey): string {
    return `${this.prefix}:run:${key}`;
  }
  private get index(): string {
    return `${this.prefix}:runs`;
  }
  private get channel(): string {
    return `${this.prefix}:changes`;
  }
  private message(type: ChangeMessage['type'], key: RunKey): string {
    return JSON.stringify({ type, key, origin: this.origin } satisfies ChangeMessage);
  }

  async get(key: RunKey): Promise<AnalysisRun | undefined> {
    const [manifest, status, version] = await this.redis.hmget(this.hash(key), 'manifest', 'status', 'version');
    if (manifest === null || manifest === undefined) {
      this.seen.delete(key);
      return undefined;
    }
    const run = decode(key, manifest, status ?? null);
    if (version !== null && version !== undefined) this.remember(key, version);
    return run;
  }

  async create(run: AnalysisRun): Promise<AnalysisRun> {
    const stored = stampNewRun(run, this.now());
    const key = runKey(stored);
    const { status, ...manifest } = stored;
    const created = await this.redis.eval(CREATE, 2, this.hash(key), this.index, JSON.stringify(manifest), status ? JSON.stringify(status) : '', stored.metadata.uid!, key, this.channel, this.message('upsert', key));
    if (created === 0) throw new RunExistsError(key);
    this.remember(key, '1');
    this.emit({ type: 'upsert', key, run: stored });
    return stored;
  }

  async writeStatus(key: RunKey, uid: string | undefined, status: AnalysisRunStatus): Promise<'ok' | 'gone' | 'conflict'> {
    const result = String(await this.redis.eval(WRITE_STATUS, 1, this.hash(key), uid ?? '', this.seen.get(key) ?? '', JSON.stringify(status), this.channel, this.message('upsert', key)));
    if (!result.startsWith('ok:')) {
      if (result === 'gone') this.seen.delete(key);
      return result as 'gone' | 'conflict';
    }
    this.remember(key, result.slice(3));
    if (this.listeners.size > 0) {
      const run = await this.get(key);
      if (run) this.emit({ type: 'upsert', key, run: { ...run, status }, own: true });
    }
    return 'ok';
  }

  async terminate(key: RunKey): Promise<'ok' | 'gone'> {
    // Compare-and-set on the manifest text: a concurrent change of the manifest retries.
    for (;;) {
      const text = await this.redis.hget(this.hash(key), 'manifest');
      if (text === null) return 'gone';
      const manifest = JSON.parse(text) as AnalysisRun;
      manifest.spec = { ...manifest.spec, terminate: true };
      const r = await this.redis.eval(REPLACE_MANIFEST, 1, this.hash(key), text, JSON.stringify(manifest), this.channel, this.message('upsert', key));
      if (r === 'gone') return 'gone';
      if (r === 'ok') break;
    }
    const run = await this.get(key);
    if (run) this.emit({ type: 'upsert', key, run });
    return 'ok';
  }

  async delete(key: RunKey): Promise<boolean> {
    const n = Number(await this.redis.eval(DELETE, 2, this.hash(key), this.index, key, this.channel, this.message('delete', key)));
    this.seen.delete(key);
    if (n > 0) this.emit({ type: 'delete', key });
    return n > 0;
  }

  /** Every run, read in one pipelined round trip; an entry that does not decode is skipped, not fatal. */
  async list(): Promise<AnalysisRun[]> {
    const keys = (await this.redis.smembers(this.index)).sort();
    if (keys.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.hmget(this.hash(key), 'manifest', 'status');
    const replies = (await pipeline.exec()) ?? [];
    const runs: AnalysisRun[] = [];
    replies.forEach(([err, reply], i) => {
      const [manifest, status] = (reply ?? []) as [string | null, string | null];
      if (err || manifest === null) return;
      try {
        runs.push(decode(keys[i]!, manifest, status));
      } catch {
        // A corrupt entry must not take the list down; get() on it reports the error.
      }
    });
    return runs;
  }

  /**
   * This handle's changes are delivered synchronously; other handles' arrive over pub/sub and are
   * re-read before delivery (a message says what changed, never carries the run).
   */
  watch(listener: (change: StoreChange) => void): () => void {
    this.listeners.add(listener);
    if (!this.subscriber) {
      this.subscriber = this.redis.duplicate();
      void this.subscriber.subscribe(this.channel).catch(() => undefined);
      this.subscriber.on('message', (_channel: string, text: string) => {
        let msg: ChangeMessage;
        try {
          msg = JSON.parse(text) as ChangeMessage;
        } catch {
          return;
        }
        if (msg.origin === this.origin) return;
        if (msg.type === 'delete') return this.emit({ type: 'delete', key: msg.key });
        void this.redis.hmget(this.hash(msg.key), 'manifest', 'status').then(
          ([manifest, status]) => {
            if (manifest === null || manifest === undefined) return this.emit({ type: 'delete', key: msg.key });
            try {
              this.emit({ type: 'upsert', key: msg.key, run: decode(msg.key, manifest, status ?? null) });
            } catch {
              // A corrupt entry is reported by get(); a watcher just does not hear of it.
            }
          },
          () => undefined,
        );
      });
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.subscriber) {
        this.subscriber.disconnect();
        this.subscriber = undefined;
      }
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.subscriber?.disconnect();
    this.subscriber = undefined;
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private remember(key: RunKey, version: string): void {
    // Bounded: a handle that has seen many runs forgets the oldest (its next write re-reads nothing
    // and is then accepted, as a write with no base version is).
    if (this.seen.size >= 100_000 && !this.seen.has(key)) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(key, version);
  }

  private emit(change: StoreChange): void {
    for (const l of this.listeners) l(change);
  }
}

function decode(key: RunKey, manifest: string, status: string | null): AnalysisRun {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(manifest) as Record<string, unknown>;
    if (status !== null) doc.status = JSON.parse(status) as unknown;
  } catch (err) {
    // CorruptRunError: the engine stops ticking the run instead of retrying what cannot decode.
    throw new CorruptRunError(key, 'its Redis hash', `does not decode: ${(err as Error).message}`);
  }
  const checked = checkStoredRun(doc);
  if (!checked.ok) throw new CorruptRunError(key, 'its Redis hash', checked.message);
  return checked.value;
}
