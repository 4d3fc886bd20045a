/**
 * The adapter's own Lua scripts: the few decisions that must be atomic with BullMQ's state and that
 * BullMQ 6.7 has no option for (see bullmq-scheduler.ts for why deduplication does not fit).
 *
 * They touch BullMQ's keys in exactly the ways BullMQ's own scripts do (read from node_modules/bullmq
 * 6.7.0 `dist/esm/commands`):
 * - `delayed` is a ZSET scored `dueMs * 4096 + seq` (`includes/getDelayedScore.lua`); moving a job
 *   earlier is BullMQ's `changeDelay-4.lua` (ZADD new score, HSET `delay`) followed by
 *   `addDelayMarkerIfNeeded` (ZADD `marker` <earliest due> "1"), which wakes a worker blocked in
 *   BZPOPMIN on the marker so it re-computes how long to sleep;
 * - `active` is a LIST of job ids, and `<job>:lock` exists while a live worker holds the job.
 *
 * Adapter-owned keys live in the queue's namespace (so `obliterate` removes them too):
 * - `assay-fu` HASH jobId -> what happened while the job was active:
 *     "<ms>"   a follow-up tick was requested for <ms> (earliest request wins),
 *     "c"      cancel() arrived (the active tick's next/retry is dropped), "c<ms>" then a request;
 *   the finishing tick consumes (deletes) its entry;
 * - field `assayFinishing` = <lock token> in the job's own hash: the tick holding that lock has
 *   finished and its worker is about to move the job to delayed or complete it. Stale as soon as the
 *   token no longer holds the lock; deleted with the job (removeOnComplete), so it never leaks.
 *   BullMQ ignores unknown job-hash fields (Job.fromJSON reads only its own);
 * - `assay-fails` HASH jobId -> consecutive handler failures (drives the backoff);
 * - `assay-claim:<jobId>` short-lived key held by the one caller that is creating the run's job.
 */
import type { Redis } from 'ioredis';
import type { RetryPolicy } from './scheduler.js';

/** Results of the schedule script. */
export const ScheduleOutcome = {
  /** No job exists and the caller now holds the creation claim: it must add the job. */
  Create: 0,
  /** Done: the pending tick is at or before `at`, or a follow-up was recorded. */
  Done: 1,
  /** The job is changing state (being created or finishing): try again in a moment. */
  Busy: 2,
} as const;
export type ScheduleOutcome = (typeof ScheduleOutcome)[keyof typeof ScheduleOutcome];

/** Results of the cancel script. */
export const CancelOutcome = {
  Gone: 0,
  MarkedActive: 1,
  Busy: 2,
  /** The job exists and is not active: remove it with BullMQ's removeJob (which refuses locked jobs). */
  Remove: 3,
} as const;
export type CancelOutcome = (typeof CancelOutcome)[keyof typeof CancelOutcome];

const SCHEDULE = `
local jobKey, delayedKey, activeKey, markerKey, fuKey, claimKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local jobId, at, now = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
if redis.call('EXISTS', jobKey) == 0 then
  if redis.call('SET', claimKey, '1', 'PX', ARGV[4], 'NX') then
    redis.call('HDEL', fuKey, jobId) -- a follow-up left by a tick whose job is gone
    return 0
  end
  return 2
end
local score = redis.call('ZSCORE', delayedKey, jobId)
if score then
  if at < math.floor(tonumber(score) / 4096) then
    redis.call('ZADD', delayedKey, at * 4096, jobId)
    redis.call('HSET', jobKey, 'delay', math.max(0, at - now))
    local first = redis.call('ZRANGE', delayedKey, 0, 0, 'WITHSCORES')
    redis.call('ZADD', markerKey, tonumber(first[2]) / 4096, '1')
  end
  return 1
end
if redis.call('LPOS', activeKey, jobId) then
  -- The tick holding the lock has finished and its worker is moving or completing the job: wait
  -- for that. A mark whose token no longer holds the lock is stale (the job moved on, or that
  -- worker died and stall recovery will re-run the tick): fold the request in as a follow-up.
  local fin = redis.call('HGET', jobKey, 'assayFinishing')
  if fin and redis.call('GET', jobKey .. ':lock') == fin then return 2 end
  local st = redis.call('HGET', fuKey, jobId)
  local flag, num = '', nil
  if st then
    if string.sub(st, 1, 1) == 'c' then flag = 'c'; st = string.sub(st, 2) end
    num = tonumber(st)
  end
  if not num or at < num then redis.call('HSET', fuKey, jobId, flag .. ARGV[2]) end
  return 1
end
return 1 -- waiting or prioritized: already due, nothing can be earlier
`;

/**
 * End a tick and, when the run ticks again, move its job back to `delayed`: ONE script, one round
 * trip. The second half is BullMQ 6.7.0's `moveToDelayed-11.lua` as `Job.moveToDelayed` calls it
 * (skipAttempt, no job fields, no fetchNext), with its includes inlined: `removeLock`, LREM from
 * `active`, `getDelayedScore`, HSET `delay`, `getOrSetMaxEvents`, ZADD `delayed`, XADD of the
 * `delayed` event, `addDelayMarkerIfNeeded`. The worker then throws DelayedError, which BullMQ
 * treats as "moved elsewhere": it neither completes nor fails the job and fetches the next one.
 *
 * Returns {2} lock lost, {3, code} BullMQ's state error (-1 missing job, -3 not active), nothing
 * changed; {0} the job should complete (marked finishing), {1, due} moved to delayed at `due`.
 */
const FINISH = `
local fuKey, failsKey, lockKey, jobKey, activeKey, delayedKey, markerKey, stalledKey, metaKey, eventsKey =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10]
local jobId, token, now = ARGV[1], ARGV[7], tonumber(ARGV[4])
-- A worker that lost its lock must not consume follow-ups meant for the worker that re-runs the tick.
if redis.call('GET', lockKey) ~= token then return {2} end
-- moveToDelayed's own checks, made before anything is written so that a refusal changes nothing.
if redis.call('EXISTS', jobKey) == 0 then return {3, -1} end
if not redis.call('LPOS', activeKey, jobId) then return {3, -3} end
local st = redis.call('HGET', fuKey, jobId)
local cancelled, follow = false, nil
if st then
  redis.call('HDEL', fuKey, jobId)
  if string.sub(st, 1, 1) == 'c' then cancelled = true; st = string.sub(st, 2) end
  follow = tonumber(st)
end
local due = nil
if ARGV[2] == 'ok' then
  redis.call('HDEL', failsKey, jobId)
  due = tonumber(ARGV[3])
else
  local n = redis.call('HINCRBY', failsKey, jobId, 1)
  due = now + math.min(tonumber(ARGV[6]), tonumber(ARGV[5]) * 2 ^ math.min(n - 1, 52))
end
if cancelled then
  due = nil
  redis.call('HDEL', failsKey, jobId)
end
if follow and (due == nil or follow < due) then due = follow end
if due == nil then
  -- The worker completes the job next (moveToFinished, removeOnComplete): until then schedule()
  -- and cancel() wait, since what they would record would be deleted with the job.
  redis.call('HSET', jobKey, 'assayFinishing', token)
  return {0}
end
-- The job leaves "active" below, so a finishing mark left by an earlier tick is meaningless; drop it
-- (the worker re-uses its token for the next job it fetches, so a stale mark could look fresh).
redis.call('HDEL', jobKey, 'assayFinishing')
-- removeLock
redis.call('DEL', lockKey)
redis.call('SREM', stalledKey, jobId)
redis.call('LREM', activeKey, -1, jobId)
-- Job.moveToDelayed: delay = max(0, due - now); getDelayedScore
local delay = math.max(0, due - now)
local ts = now
if delay > 0 then ts = now + delay end
local minScore = ts * 0x1000
local maxScore = (ts + 1) * 0x1000 - 1
local score = minScore
local top = redis.call('ZREVRANGEBYSCORE', delayedKey, maxScore, minScore, 'WITHSCORES', 'LIMIT', 0, 1)
local topScore = tonumber(top[2])
if topScore ~= nil then
  if topScore >= maxScore then score = maxScore else score = topScore + 1 end
end
redis.call('HSET', jobKey, 'delay', delay)
-- getOrSetMaxEvents
local maxEvents = redis.call('HGET', metaKey, 'opts.maxLenEvents')
if not maxEvents then
  maxEvents = 10000
  redis.call('HSET', metaKey, 'opts.maxLenEvents', maxEvents)
end
redis.call('ZADD', delayedKey, score, jobId)
redis.call('XADD', eventsKey, 'MAXLEN', '~', maxEvents, '*', 'event', 'delayed', 'jobId', jobId, 'delay', ts)
-- addDelayMarkerIfNeeded
local first = redis.call('ZRANGE', delayedKey, 0, 0, 'WITHSCORES')
local firstScore = tonumber(first[2])
if firstScore ~= nil then redis.call('ZADD', markerKey, firstScore / 0x1000, '1') end
return {1, ts}
`;

const CANCEL = `
local jobKey, activeKey, fuKey, failsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local jobId = ARGV[1]
if redis.call('EXISTS', jobKey) == 0 then
  redis.call('HDEL', fuKey, jobId)
  redis.call('HDEL', failsKey, jobId)
  return 0
end
if redis.call('LPOS', activeKey, jobId) then
  local fin = redis.call('HGET', jobKey, 'assayFinishing')
  if fin and redis.call('GET', jobKey .. ':lock') == fin then return 2 end
  redis.call('HSET', fuKey, jobId, 'c')
  redis.call('HDEL', failsKey, jobId)
  return 1
end
return 3
`;

interface QueueKeys {
  /** `queue.toKey('')`: the prefix of every key of the queue, e.g. `assay:my-queue:`. */
  base: string;
  delayed: string;
  active: string;
  marker: string;
  stalled: string;
  meta: string;
  events: string;
  wait: string;
  paused: string;
  prioritized: string;
}

type Script = (...args: (string | number)[]) => Promise<unknown>;

export class TickScripts {
  private readonly fu: string;
  private readonly fails: string;

  constructor(
    private readonly client: Redis,
    private readonly keys: QueueKeys,
  ) {
    this.fu = keys.base + 'assay-fu';
    this.fails = keys.base + 'assay-fails';
    client.defineCommand('assaySchedule', { numberOfKeys: 6, lua: SCHEDULE });
    client.defineCommand('assayFinish', { numberOfKeys: 10, lua: FINISH });
    client.defineCommand('assayCancel', { numberOfKeys: 4, lua: CANCEL });
  }

  async schedule(jobId: string, at: number, now: number, claimTtlMs: number): Promise<ScheduleOutcome> {
    const k = this.keys;
    const r = await this.script('assaySchedule')(
      k.base + jobId, k.delayed, k.active, k.marker, this.fu, this.claimKey(jobId),
      jobId, at, now, claimTtlMs,
    );
    return Number(r) as ScheduleOutcome;
  }

  async releaseClaim(jobId: string): Promise<void> {
    await this.client.del(this.claimKey(jobId));
  }

  /**
   * Record the end of a tick and, when the run ticks again, move its job back to `delayed` in the
   * same script (see FINISH). Returns the due instant the job now waits for, undefined when the job
   * should complete (and be removed; it is marked finishing), or 'lost' when `token` no longer holds
   * the job's lock. Throws when BullMQ would refuse the move (job missing or not active).
   */
  async finish(
    jobId: string,
    token: string,
    outcome: 'ok' | 'err',
    next: number | undefined,
    now: number,
    retry: RetryPolicy,
  ): Promise<number | undefined | 'lost'> {
    const k = this.keys;
    const jobKey = k.base + jobId;
    const r = (await this.script('assayFinish')(
      this.fu, this.fails, jobKey + ':lock', jobKey, k.active, k.delayed, k.marker, k.stalled, k.meta, k.events,
      jobId, outcome, next === undefined ? '' : Math.ceil(next), now, retry.initialMs, retry.maxMs, token,
    )) as number[];
    if (r[0] === 2) return 'lost';
    if (r[0] === 3) throw new Error(`finish(${jobId}): ${r[1] === -1 ? 'job does not exist' : 'job is not active'}`);
    return r[0] === 1 ? Number(r[1]) : undefined;
  }

  async cancel(jobId: string): Promise<CancelOutcome> {
    const r = await this.script('assayCancel')(this.keys.base + jobId, this.keys.active, this.fu, this.fails, jobId);
    return Number(r) as CancelOutcome;
  }

  async forgetFailures(jobId: string): Promise<void> {
    await this.client.hdel(this.fails, jobId);
  }

  /** jobId -> due for every pending tick, plus the ids of active jobs. One MULTI: a consistent view. */
  async snapshot(now: number): Promise<{ pending: Map<string, number>; active: Set<string> }> {
    const k = this.keys;
    const res = await this.client
      .multi()
      .zrange(k.delayed, 0, '-1', 'WITHSCORES')
      .lrange(k.wait, 0, -1)
      .lrange(k.paused, 0, -1)
      .zrange(k.prioritized, 0, '-1')
      .lrange(k.active, 0, -1)
      .hgetall(this.fu)
      .exec();
    if (res === null) throw new Error('pending(): transaction aborted');
    const val = (i: number): unknown => {
      const [err, v] = res[i] ?? [new Error('missing reply'), undefined];
      if (err) throw err;
      return v;
    };
    const pending = new Map<string, number>();
    const delayed = val(0) as string[];
    for (let i = 0; i + 1 < delayed.length; i += 2) {
      pending.set(delayed[i]!, Math.floor(Number(delayed[i + 1]) / 4096));
    }
    for (const id of [...(val(1) as string[]), ...(val(2) as string[]), ...(val(3) as string[])]) {
      pending.set(id, now); // already due
    }
    const active = new Set(val(4) as string[]);
    for (const [id, st] of Object.entries(val(5) as Record<string, string>)) {
      const due = Number(st.startsWith('c') ? st.slice(1) : st);
      if (active.has(id) && st !== '' && st !== 'c' && Number.isFinite(due)) pending.set(id, due);
    }
    return { pending, active };
  }

  private claimKey(jobId: string): string {
    return this.keys.base + 'assay-claim:' + jobId;
  }

  private script(name: string): Script {
    const fn = (this.client as unknown as Record<string, Script>)[name];
    if (fn === undefined) throw new Error(`script ${name} not defined`);
    return fn.bind(this.client);
  }
}
