/**
 * The notification outbox: in Redis when REDIS_URL is set (it survives restarts and any process
 * of the deployment may deliver), else in memory. The Redis outbox (and ioredis) is imported only
 * when chosen.
 */
import type { Outbox } from '../notify/outbox.js';
import { MemoryOutbox } from '../notify/outbox.js';
import type { AssayConfig } from '../runtime/config.js';

/** `config` undefined: a process of its own (`assay run`), whose outbox is in memory whatever REDIS_URL says. */
export async function notificationOutbox(config: Pick<AssayConfig, 'redisUrl' | 'queueName'> | undefined): Promise<Outbox> {
  if (!config?.redisUrl) return new MemoryOutbox();
  const { RedisOutbox } = await import('../notify/redis-outbox.js');
  // One prefix per deployment sharing a Redis.
  return RedisOutbox.connect(config.redisUrl, `assay:notify:${config.queueName}`);
}
