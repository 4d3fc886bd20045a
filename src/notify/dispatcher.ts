/**
 * Delivers what waits in the outbox: POSTs each item to its destination, signs generic webhooks
 * (HMAC-SHA256 of the exact body bytes), and retries with exponential backoff on network errors,
 * timeouts, 408, 429 and 5xx. A notification that cannot be delivered (other 4xx, attempts used
 * up, destination gone from the config) is logged and counted, and kept in the dead list: never
 * dropped silently. Runs on its own timer: measurements never wait for it.
 */
import { createHmac } from 'node:crypto';
import type { Logger } from '../runtime/logger.js';
import type { Counter } from '../observability/metrics-registry.js';
import type { Destination, NotifyConfig } from './config.js';
import type { Outbox, OutboxItem } from './outbox.js';
import { slackMessage, type NotificationBody } from './payload.js';

const SIGNATURE_HEADER = 'X-Assay-Signature';
const IDEMPOTENCY_HEADER = 'X-Assay-Idempotency-Key';
const EVENT_HEADER = 'X-Assay-Event';

interface DispatcherMetrics {
  delivered: Counter;
  failedAttempts: Counter;
  undeliverable: Counter;
}

interface DispatcherOptions {
  outbox: Outbox;
  config: NotifyConfig;
  log: Logger;
  metrics?: DispatcherMetrics;
  /** How often the outbox is polled for due items. Default 250 ms. */
  pollMs?: number;
  now?: () => number;
}

/** `sha256=<hex>` of the body under the destination's secret. */
function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

type Attempt = { ok: true } | { ok: false; retryable: boolean; error: string };

export class Dispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly now: () => number;

  constructor(private readonly opts: DispatcherOptions) {
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Look at the outbox now (a notification was just added). */
  kick(): void {
    if (!this.stopped) this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running ??= this.poll().finally(() => {
        this.running = undefined;
        if (!this.stopped) this.schedule(this.opts.pollMs ?? 250);
      });
    }, ms);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    let items: OutboxItem[];
    try {
      // Leased for twice the request timeout: a deliverer killed mid-request leaves the item to be
      // retried by another (or the restarted) process after that; the receiver dedupes by id.
      items = await this.opts.outbox.claim(this.now(), 16, this.opts.config.timeoutMs * 2);
    } catch (err) {
      this.opts.log.warn({ err }, 'notification outbox unavailable; retrying');
      return;
    }
    await Promise.all(items.map((item) => this.track(this.deliver(item))));
  }

  private track(p: Promise<void>): Promise<void> {
    this.inFlight.add(p);
    return p.finally(() => this.inFlight.delete(p));
  }

  private async deliver(item: OutboxItem): Promise<void> {
    const { config, outbox, log, metrics } = this.opts;
    const dest = config.destinations.get(item.destination);
    const attempt: Attempt = dest
      ? await this.send(dest, item)
      : { ok: false, retryable: false, error: `no destination named "${item.destination}" in the notifications file` };
    const fields = { destination: item.destination, notification: item.key, attempts: item.attempts + 1 };
    if (attempt.ok) {
      await outbox.done(item);
      metrics?.delivered.inc([item.destination]);
      log.info(fields, 'notification delivered');
      return;
    }
    const next: OutboxItem = { ...item, attempts: item.attempts + 1, lastError: attempt.error };
    metrics?.failedAttempts.inc([item.destination]);
    if (!attempt.retryable || next.attempts >= config.retry.maxAttempts) {
      await outbox.dead(next);
      metrics?.undeliverable.inc([item.destination]);
      log.error({ ...fields, error: attempt.error }, 'notification undeliverable; kept in the dead list');
      return;
    }
    const backoff = Math.min(config.retry.maxDelayMs, config.retry.initialDelayMs * 2 ** (next.attempts - 1));
    next.nextAt = this.now() + backoff * (1 + Math.random() * 0.1);
    await outbox.retry(next);
    log.warn({ ...fields, error: attempt.error, retryInMs: Math.round(next.nextAt - this.now()) }, 'notification delivery failed; will retry');
  }

  private async send(dest: Destination, item: OutboxItem): Promise<Attempt> {
    let body = item.body;
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': 'assay-notifier' };
    if (dest.kind === 'slack') {
      body = JSON.stringify(slackMessage(JSON.parse(item.body) as NotificationBody));
    } else {
      Object.assign(headers, dest.headers);
      const parsed = JSON.parse(item.body) as NotificationBody;
      headers[IDEMPOTENCY_HEADER] = parsed.id;
      headers[EVENT_HEADER] = parsed.event;
      if (dest.secret) headers[SIGNATURE_HEADER] = signBody(dest.secret, body);
    }
    try {
      const res = await fetch(dest.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.opts.config.timeoutMs) });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { ok: true };
      const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
      return { ok: false, retryable, error: `HTTP ${res.status}` };
    } catch (err) {
      // Never the URL: it may be a secret (Slack's is). The cause names the failure.
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      const name = err instanceof Error ? err.name : 'Error';
      return { ok: false, retryable: true, error: name === 'TimeoutError' ? 'timed out' : `request failed${cause ? ` (${cause})` : ''}` };
    }
  }

  /** Wait until the outbox is empty or `timeoutMs` passes (for `assay run` before it exits). */
  async drain(timeoutMs: number): Promise<number> {
    const deadline = this.now() + timeoutMs;
    for (;;) {
      const left = await this.opts.outbox.pending();
      if (left === 0 || this.now() >= deadline) return left;
      this.kick();
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await Promise.all([...this.inFlight]);
  }
}
