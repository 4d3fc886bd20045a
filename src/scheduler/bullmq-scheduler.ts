/**
 * The Redis adapter: BullMQ 6.7 delayed jobs, shared by any number of worker processes.
 *
 * Model: ONE job per run, id `run-<percent-encoded key>` (tick-job.ts), payload `{runKey}` only.
 * After a tick the worker moves that same job back to `delayed` (Job.moveToDelayed, the documented
 * "process in steps" pattern, atomic with releasing the lock) or lets it complete and be removed.
 * Because a run never has two jobs, and BullMQ gives a job to one lock holder at a time, at most one
 * tick per run is active across all processes. Due instants are the `delayed` ZSET: durable.
 *
 * What we rely on in BullMQ 6.7.0 (read from node_modules/bullmq/dist/esm):
 * - `addDelayedJob`/`addStandardJob`: a custom jobId that already exists returns the existing id
 *   (handleDuplicatedJob) BEFORE deduplication is consulted; ids may not contain ':' or be integers.
 * - `moveToDelayed-11.lua` with skipAttempt (Job.moveToDelayed) removes the lock and LREMs active
 *   in the same script; a processor then throws DelayedError and the worker neither completes nor
 *   fails the job (worker.js handleFailed). The adapter's `finish` script does exactly that move
 *   itself, together with the tick's bookkeeping, so a re-delayed tick costs one script of ours
 *   plus BullMQ's fetch of the next job (moveToActive), not three.
 * - Stall recovery (`moveStalledJobsToWait-9.lua`): an active job whose lock expired is moved back to
 *   wait and its `stc` counter incremented; the job only fails when stc > maxStalledCount. A run's
 *   job lives as long as the run, so we set maxStalledCount to MAX_SAFE_INTEGER: a crash never fails
 *   it. Re-run delay after a SIGKILL is about lockDuration + up to stalledInterval.
 * - `removeJob-2.lua` refuses a locked (active) job and removes it from any other state.
 *
 * Why not deduplication (`deduplication: {id, replace, keepLastIfActive, reschedule}`)? Read from
 * `includes/deduplicateJob.lua`, `storeDeduplicatedNextJob.lua`, `requeueDeduplicatedJob.lua`:
 * `replace` and `reschedule` move a delayed job unconditionally (a later request postpones it);
 * `keepLastIfActive` keeps the LAST request made during an active job, not the earliest, and re-adds
 * it with its relative `delay` counted from the moment the active job finishes. Both break the port's
 * "earlier wins" and "exactly one follow-up at the requested time". So the adapter keeps the single
 * job and adds three small Lua scripts (bullmq-scripts.ts) for the atomic min / follow-up / cancel.
 *
 * Losing Redis: Redis only holds timing. After a flush or failover, call `resync(activeRunKeys, now)`
 * with the run store's list of non-completed runs (on start-up and periodically); it re-requests a
 * tick for every run that has neither a pending nor an active job and leaves the others alone.
 */
import { DelayedError, Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { CancelOutcome, ScheduleOutcome, TickScripts } from './bullmq-scripts.js';
import {
  DEFAULT_CLOSE_GRACE_MS,
  DEFAULT_RETRY,
  retryDelay,
  type Instant,
  type RetryPolicy,
  type Scheduler,
  type StartOptions,
  type TickHandler,
} from './scheduler.js';
import { isTickJobData, jobIdForRun, runKeyFromJobId, TICK_JOB_NAME, type TickJobData } from './tick-job.js';

export interface BullMQSchedulerOptions {
  /** ioredis options or a redis:// URL. `maxRetriesPerRequest: null` is forced (BullMQ workers need it). */
  connection: string | RedisOptions;
  queueName: string;
  /** BullMQ key prefix. Default 'assay'. */
  prefix?: string;
  /** How long a worker's job lock lives without renewal; bounds the re-run delay after a crash. Default 30000. */
  lockDurationMs?: number;
  /** How often workers look for jobs whose lock expired. Default 30000. */
  stalledIntervalMs?: number;
  /** Backoff for handlers that throw. Default 1 s doubling to 30 s. */
  retry?: Partial<RetryPolicy>;
  /** Time between close() and aborting in-flight ticks' signals. Default 10 s. */
  closeGraceMs?: number;
  /** Handler failures and Redis/worker errors (the scheduler keeps going). */
  onError?: (err: unknown, runKey?: string) => void;
}

const CLAIM_TTL_MS = 5000; // a creator that dies mid-add blocks others for at most this long
const ADD_OPTS = {
  removeOnComplete: true,
  removeOnFail: true,
  // BullMQ-level failures only happen when the adapter itself fails mid-finish (e.g. Redis down);
  // handler errors are retried by the adapter. Effectively unlimited, with our capped backoff.
  attempts: 1_000_000_000,
  backoff: { type: 'assay' },
} as const;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class BullMQScheduler implements Scheduler {
  private readonly client: Redis;
  private readonly queue: Queue<TickJobData>;
  private readonly scripts: TickScripts;
  private readonly retry: RetryPolicy;
  private readonly graceMs: number;
  private readonly busyLimitMs: number;
  private readonly onError: (err: unknown, runKey?: string) => void;
  private worker: Worker<TickJobData> | undefined;
  private handler: TickHandler | undefined;
  private readonly inflight = new Map<string, AbortController>();
  private shuttingDown = false;
  private closing: Promise<void> | undefined;

  constructor(private readonly opts: BullMQSchedulerOptions) {
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.graceMs = opts.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS;
    this.onError = opts.onError ?? (() => undefined);
    const lock = opts.lockDurationMs ?? 30_000;
    const stalled = opts.stalledIntervalMs ?? 30_000;
    this.busyLimitMs = Math.max(lock + 2 * stalled, CLAIM_TTL_MS) + 5000;
    this.client =
      typeof opts.connection === 'string'
        ? new Redis(opts.connection, { maxRetriesPerRequest: null })
        : new Redis({ ...opts.connection, maxRetriesPerRequest: null });
    this.client.on('error', (err) => this.onError(err));
    this.queue = new Queue<TickJobData>(opts.queueName, { connection: this.client, prefix: this.prefix });
    this.queue.on('error', (err) => this.onError(err));
    const k = this.queue.keys;
    this.scripts = new TickScripts(this.client, {
      base: this.queue.toKey(''),
      delayed: k.delayed!,
      active: k.active!,
      marker: k.marker!,
      stalled: k.stalled!,
      meta: k.meta!,
      events: k.events!,
      wait: k.wait!,
      paused: k.paused!,
      prioritized: k.prioritized!,
    });
  }

  private get prefix(): string {
    return this.opts.prefix ?? 'assay';
  }

  async schedule(runKey: string, at: Instant): Promise<void> {
    if (!Number.isFinite(at)) throw new TypeError(`schedule(${runKey}): at must be a finite epoch ms, got ${at}`);
    const jobId = jobIdForRun(runKey);
    const due = Math.ceil(at); // whole ms, rounded so that the tick is never early
    await this.untilSettled(`schedule(${runKey})`, async () => {
      const r = await this.scripts.schedule(jobId, due, Date.now(), CLAIM_TTL_MS);
      if (r !== ScheduleOutcome.Create) return r === ScheduleOutcome.Done;
      // We hold the creation claim, so nobody else adds this job meanwhile: the add creates it.
      // BullMQ stores due = timestamp + delay; pinning `timestamp` to the instant the delay was
      // computed from keeps the due instant exact (otherwise a millisecond may tick in between).
      const now = Date.now();
      try {
        await this.queue.add(TICK_JOB_NAME, { runKey }, { ...ADD_OPTS, jobId, timestamp: now, delay: Math.max(0, due - now) });
      } finally {
        await this.scripts.releaseClaim(jobId);
      }
      return true;
    });
  }

  async cancel(runKey: string): Promise<void> {
    const jobId = jobIdForRun(runKey);
    await this.untilSettled(`cancel(${runKey})`, async () => {
      const r = await this.scripts.cancel(jobId);
      if (r === CancelOutcome.Gone || r === CancelOutcome.MarkedActive) return true;
      if (r === CancelOutcome.Remove && (await this.queue.remove(jobId)) === 1) {
        await this.scripts.forgetFailures(jobId);
        return true;
      }
      return false; // finishing, or it became active between the two steps: look again
    });
  }

  async start(handler: TickHandler, opts: StartOptions = {}): Promise<void> {
    if (this.worker !== undefined) throw new Error('scheduler already started');
    if (this.closing !== undefined) throw new Error('scheduler is closed');
    this.handler = handler;
    const c = this.opts.connection;
    this.worker = new Worker<TickJobData>(this.opts.queueName, (job, token) => this.process(job, token), {
      // ioredis' RedisOptions allows `retryStrategy: null`, BullMQ's copy of the type does not.
      connection: typeof c === 'string' ? { url: c } : ({ ...c } as ConnectionOptions),
      prefix: this.prefix,
      concurrency: Math.max(1, Math.floor(opts.concurrency ?? 1)),
      lockDuration: this.opts.lockDurationMs ?? 30_000,
      stalledInterval: this.opts.stalledIntervalMs ?? 30_000,
      maxStalledCount: Number.MAX_SAFE_INTEGER,
      settings: { backoffStrategy: (attemptsMade: number) => retryDelay(attemptsMade, this.retry) },
    });
    this.worker.on('error', (err) => this.onError(err));
    // Lock lost (event loop blocked past lockDuration, Redis partition): another worker may already
    // be re-running this tick, so tell ours to stop.
    this.worker.on('lockRenewalFailed', (ids) => {
      for (const id of ids) this.inflight.get(id)?.abort(new Error('job lock lost'));
    });
    await this.worker.waitUntilReady();
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  async pending(): Promise<Map<string, Instant>> {
    const { pending } = await this.scripts.snapshot(Date.now());
    const out = new Map<string, Instant>();
    for (const [jobId, due] of pending) {
      const key = runKeyFromJobId(jobId);
      if (key !== undefined) out.set(key, due);
    }
    return out;
  }

  async resync(keys: Iterable<string>, at: Instant): Promise<number> {
    const { pending, active } = await this.scripts.snapshot(Date.now());
    const missing = [...keys].filter((k) => {
      const id = jobIdForRun(k);
      return !pending.has(id) && !active.has(id);
    });
    for (let i = 0; i < missing.length; i += 64) {
      await Promise.all(missing.slice(i, i + 64).map((k) => this.schedule(k, at)));
    }
    return missing.length;
  }

  // ---- worker side

  private async process(job: Job<TickJobData>, token: string | undefined): Promise<void> {
    const jobId = job.id;
    const runKey = isTickJobData(job.data) ? job.data.runKey : jobId && runKeyFromJobId(jobId);
    const handler = this.handler;
    if (jobId === undefined || runKey === undefined || handler === undefined || token === undefined) return;

    const ac = new AbortController();
    this.inflight.set(jobId, ac);
    let outcome: 'ok' | 'err' = 'ok';
    let next: number | undefined;
    try {
      const r = (await handler(runKey, ac.signal))?.next;
      next = r !== undefined && Number.isFinite(r) ? r : undefined;
    } catch (err) {
      if (this.shuttingDown && ac.signal.aborted) {
        next = Date.now(); // interrupted by close(): due again at once, for whichever worker is left
      } else {
        outcome = 'err';
        this.onError(err, runKey);
      }
    } finally {
      this.inflight.delete(jobId);
    }

    const due = await this.scripts.finish(jobId, token, outcome, next, Date.now(), this.retry);
    if (due === 'lost') throw new Error(`lock lost for ${jobId}; another worker owns the tick now`);
    if (due === undefined) return; // the worker completes the job and removeOnComplete deletes it
    // finish() already moved the job to `delayed` and released its lock (what Job.moveToDelayed
    // does, in the same script): DelayedError tells the worker to neither complete nor fail it.
    job.delay = Math.max(0, due - Date.now());
    throw new DelayedError();
  }

  private async shutdown(): Promise<void> {
    if (this.worker !== undefined) {
      const grace = setTimeout(() => {
        this.shuttingDown = true;
        for (const ac of this.inflight.values()) ac.abort(new Error('scheduler closing'));
      }, this.graceMs);
      try {
        await this.worker.close(); // stops fetching, waits for in-flight processors
      } finally {
        clearTimeout(grace);
      }
    }
    await this.queue.close();
    await this.client.quit().catch(() => this.client.disconnect());
  }

  /**
   * Repeat `step` until it reports settled. The not-settled states (a job being created by another
   * caller, or a finished tick whose worker is moving the job) last one Redis round trip normally;
   * the bound only matters when a process died inside one of them.
   */
  private async untilSettled(what: string, step: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + this.busyLimitMs;
    for (let wait = 1; !(await step()); wait = Math.min(wait * 2, 50)) {
      if (Date.now() > deadline) throw new Error(`${what}: run stayed busy for ${this.busyLimitMs} ms`);
      await sleep(wait);
    }
  }
}
