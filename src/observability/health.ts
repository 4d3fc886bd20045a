/**
 * Liveness and readiness.
 *
 * `/healthz` answers as long as the event loop does: a restart is the only cure for a process
 * that cannot even do that. `/readyz` says whether this process can do its job right now, so a
 * load balancer stops sending it requests while a dependency is down, without killing it:
 *   - store: the run store can be listed;
 *   - scheduler: ticks are being consumed (roles all and worker; an API-only process never starts it);
 *   - redis: PING answers, when the BullMQ scheduler is in use.
 * Each check has a deadline, so a hung dependency makes the probe fail instead of hang.
 */
import { Redis } from 'ioredis';
import type { RunStore } from '../store/run-store.js';

const CHECK_TIMEOUT_MS = 2000;

interface CheckResult {
  ok: boolean;
  message?: string;
}

interface Readiness {
  ready: boolean;
  checks: Record<string, CheckResult>;
}

interface HealthOptions {
  store: RunStore;
  /** Whether this process consumes ticks (roles all and worker): only then is the scheduler checked. */
  consumesTicks: boolean;
  redisUrl?: string;
}

function withDeadline<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

async function check(what: string, probe: () => Promise<unknown>): Promise<CheckResult> {
  try {
    await withDeadline(probe(), what);
    return { ok: true };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

export class Health {
  /** A connection of its own: the scheduler's connections queue commands forever while Redis is down. */
  private readonly redis: Redis | undefined;
  private lastRedisError: string | undefined;
  private schedulerStarted = false;

  constructor(private readonly opts: HealthOptions) {
    if (opts.redisUrl) {
      this.redis = new Redis(opts.redisUrl, {
        lazyConnect: true,
        maxRetriesPerRequest: 1,
        connectTimeout: CHECK_TIMEOUT_MS,
        retryStrategy: (times) => Math.min(times * 200, 2000),
      });
      // Failures are reported by the probe (with the cause kept here); without a listener ioredis
      // would print each one.
      this.redis.on('error', (err: Error) => (this.lastRedisError = err.message));
      this.redis.on('ready', () => (this.lastRedisError = undefined));
    }
  }

  /** Ticks are being consumed from now on. */
  markSchedulerStarted(): void {
    this.schedulerStarted = true;
  }

  async readiness(): Promise<Readiness> {
    const checks: Record<string, CheckResult> = {};
    checks.store = await check('the run store', () => this.opts.store.list());
    if (this.opts.consumesTicks) checks.scheduler = this.schedulerStarted ? { ok: true } : { ok: false, message: 'the scheduler has not started' };
    if (this.redis) {
      const redis = this.redis;
      const result = await check('redis', async () => {
        if (redis.status === 'wait') await redis.connect();
        const reply = await redis.ping();
        if (reply !== 'PONG') throw new Error(`redis answered ${reply} to PING`);
      });
      // A timeout or ioredis' "max retries per request" hides the cause: name the connection error.
      checks.redis = !result.ok && this.lastRedisError ? { ok: false, message: `cannot reach Redis: ${this.lastRedisError}` } : result;
    }
    return { ready: Object.values(checks).every((c) => c.ok), checks };
  }

  async close(): Promise<void> {
    if (!this.redis) return;
    this.redis.disconnect();
  }
}
