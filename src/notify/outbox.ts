/**
 * The notification outbox: notifications wait here until delivered, so that a slow or broken
 * receiver never delays a measurement and nothing is lost while it is down. In memory for one
 * process; in Redis (redis-outbox.ts) when REDIS_URL is set, where it survives a restart and is
 * shared by every process (each item is leased to one deliverer at a time).
 *
 * Items hold the destination's name and the body, never the URL or signing secret.
 */
export interface OutboxItem {
  /** `<notification id>:<destination>`: adding the same key twice is a no-op. */
  key: string;
  destination: string;
  /** The JSON body (NotificationBody), as stored. */
  body: string;
  attempts: number;
  /** Epoch ms when the next attempt is due. */
  nextAt: number;
  lastError?: string;
}

export interface Outbox {
  /** Add unless the key was added before (idempotent across processes for Redis). Returns true when added. */
  add(item: OutboxItem): Promise<boolean>;
  /** Take up to `max` due items, leasing each for `leaseMs` (an unfinished lease is retried). */
  claim(now: number, max: number, leaseMs: number): Promise<OutboxItem[]>;
  /** Delivered: forget it. */
  done(item: OutboxItem): Promise<void>;
  /** Failed attempt: store the new attempts/lastError/nextAt. */
  retry(item: OutboxItem): Promise<void>;
  /** Given up: move it to the dead list (kept for inspection, never retried). */
  dead(item: OutboxItem): Promise<void>;
  /** Items not yet delivered nor dead. */
  pending(): Promise<number>;
  close(): Promise<void>;
}

export class MemoryOutbox implements Outbox {
  private readonly items = new Map<string, { item: OutboxItem; leasedUntil: number }>();
  private readonly seen = new Set<string>();
  readonly deadItems: OutboxItem[] = [];

  async add(item: OutboxItem): Promise<boolean> {
    if (this.seen.has(item.key)) return false;
    this.seen.add(item.key);
    this.items.set(item.key, { item: { ...item }, leasedUntil: 0 });
    return true;
  }

  async claim(now: number, max: number, leaseMs: number): Promise<OutboxItem[]> {
    const out: OutboxItem[] = [];
    for (const entry of this.items.values()) {
      if (out.length >= max) break;
      if (entry.item.nextAt <= now && entry.leasedUntil <= now) {
        entry.leasedUntil = now + leaseMs;
        out.push({ ...entry.item });
      }
    }
    return out;
  }

  async done(item: OutboxItem): Promise<void> {
    this.items.delete(item.key);
  }

  async retry(item: OutboxItem): Promise<void> {
    this.items.set(item.key, { item: { ...item }, leasedUntil: 0 });
  }

  async dead(item: OutboxItem): Promise<void> {
    this.items.delete(item.key);
    this.deadItems.push({ ...item });
    if (this.deadItems.length > 1000) this.deadItems.shift();
  }

  async pending(): Promise<number> {
    return this.items.size;
  }

  async close(): Promise<void> {}
}
