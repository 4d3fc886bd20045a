/**
 * The BullMQ job that stands for "tick this run": its id and payload.
 *
 * One job per run, with an id derived from the run key, for the run's whole life: the job is moved
 * back to `delayed` after each tick instead of being replaced (see bullmq-scheduler.ts). A single
 * job per run is what makes "at most one active tick per run" hold across processes: BullMQ only
 * ever hands one job id to one worker at a time (the job lock).
 *
 * The payload carries ONLY the run key; everything else is read from the run store at tick time,
 * so Redis never holds specs or secrets and losing it loses nothing but timing.
 */
export const TICK_JOB_NAME = 'tick';

export interface TickJobData {
  runKey: string;
}

const ID_PREFIX = 'run-';

/**
 * BullMQ rejects custom ids that contain ':' (its key separator) or that look like integers (its
 * auto-generated ids). Percent-encoding removes every ':' and keeps the id readable and reversible;
 * the `run-` prefix rules out integers and keeps our ids apart from the adapter's own keys.
 */
export function jobIdForRun(runKey: string): string {
  return ID_PREFIX + encodeURIComponent(runKey);
}

/** The run key of one of our job ids; undefined for ids this adapter did not make. */
export function runKeyFromJobId(jobId: string): string | undefined {
  if (!jobId.startsWith(ID_PREFIX)) return undefined;
  try {
    return decodeURIComponent(jobId.slice(ID_PREFIX.length));
  } catch {
    return undefined;
  }
}

export function isTickJobData(data: unknown): data is TickJobData {
  return typeof data === 'object' && data !== null && typeof (data as TickJobData).runKey === 'string';
}
