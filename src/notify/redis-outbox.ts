/**
 * The outbox in Redis: a hash of items, a sorted set of due times (also the lease: a claimed item
 * is pushed `leaseMs` into the future, so a process killed mid-delivery leaves it to be retried),
 * a `seen` key per item for idempotent adds (kept 7 days), and a capped dead list. Every step is
 * one Lua script or one MULTI, so concurrent deliverers never take the same item twice at once.
 */
import type { Redis } from 'ioredis';
import type { Outbox, OutboxItem } from './outbox.js';

const SEEN_TTL_S = 7 * 24 * 3600;
const DEAD_KEEP = 1000;

const ADD = `
if redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[3]) then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
  return 1
end
return 0`;

const CLAIM = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, id in ipairs(ids) do
  local v = redis.call('HGET', KEYS[1], id)
  if v then
    redis.call('ZADD', KEYS[2], ARGV[3], id)
    table.insert(out, v)
  else
    redis.call('ZREM', KEYS[2], id)
  end
end
return out`;

export class RedisOutbox implements Outbox {
  private readonly items: string;
  private readonly due: string;
  private readonly deadList: string;

  private constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.items = `${prefix}:items`;
    this.due = `${prefix}:due`;
    this.deadList = `${prefix}:dead`;
  }

  /** Connect lazily-loaded ioredis (the CLI does not load it unless notifications use Redis). */
  static async connect(url: string, prefix = 'assay:notify'): Promise<RedisOutbox> {
    const { Redis } = await import('ioredis');
    const redis = new Redis(url, { maxRetriesPerRequest: 3, lazyConnect: false });
    // Errors surface on the commands; an unhandled 'error' event would crash the process.
    redis.on('error', () => undefined);
    return new RedisOutbox(redis, prefix);
  }

  async add(item: OutboxItem): Promise<boolean> {
    const added = await this.redis.eval(ADD, 3, this.items, this.due, `${this.prefix}:seen:${item.key}`, item.key, JSON.stringify(item), SEEN_TTL_S, item.nextAt);
    return added === 1;
  }

  async claim(now: number, max: number, leaseMs: number): Promise<OutboxItem[]> {
    const raw = (await this.redis.eval(CLAIM, 2, this.items, this.due, now, max, now + leaseMs)) as string[];
    return raw.map((v) => JSON.parse(v) as OutboxItem);
  }

  async done(item: OutboxItem): Promise<void> {
    await this.redis.multi().hdel(this.items, item.key).zrem(this.due, item.key).exec();
  }

  async retry(item: OutboxItem): Promise<void> {
    await this.redis.multi().hset(this.items, item.key, JSON.stringify(item)).zadd(this.due, item.nextAt, item.key).exec();
  }

  async dead(item: OutboxItem): Promise<void> {
    await this.redis
      .multi()
      .hdel(this.items, item.key)
      .zrem(this.due, item.key)
      .lpush(this.deadList, JSON.stringify(item))
      .ltrim(this.deadList, 0, DEAD_KEEP - 1)
      .exec();
  }

  async pending(): Promise<number> {
    return this.redis.hlen(this.items);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
