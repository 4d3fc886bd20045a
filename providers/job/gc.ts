/**
 * Garbage collection of measurement Jobs (Argo's `GarbageCollect`, called by the engine when a
 * metric holds more measurements than its retention limit, §6.1): the oldest Jobs of the run's
 * metric beyond `limit` are deleted, so a run that measures for days does not leave one Job per
 * measurement behind. Oldest means earliest `creationTimestamp`; Jobs created within the same
 * second are ordered by their measurement index, the number at the end of the name.
 */
import type { V1Job } from '@kubernetes/client-node';
import type { ProviderErrorCode } from '../../src/metric/provider.js';
import type { JobClient } from './kube.js';
import { METRIC_NAME_ANNOTATION, RUN_UID_LABEL } from './manifest.js';

export type GarbageCollectResult = { ok: true; deleted: string[] } | { ok: false; code: ProviderErrorCode; message: string; deleted: string[] };

export async function collectJobs(
  client: JobClient,
  namespace: string,
  runUid: string,
  metricName: string,
  limit: number,
  signal: AbortSignal,
): Promise<GarbageCollectResult> {
  const listed = await client.listJobs(namespace, `${RUN_UID_LABEL}=${runUid}`, signal);
  if (!listed.ok) return { ok: false, code: listed.failure.code, message: listed.failure.message, deleted: [] };
  // Jobs already being deleted are on their way out and do not count against the limit.
  const jobs = listed.value.items
    .filter((j) => j.metadata?.annotations?.[METRIC_NAME_ANNOTATION] === metricName && !j.metadata?.deletionTimestamp)
    .sort(oldestFirst);
  const deleted: string[] = [];
  for (const job of jobs.slice(0, Math.max(0, jobs.length - Math.max(0, limit)))) {
    const name = job.metadata?.name ?? '';
    const res = await client.deleteJob(job.metadata?.namespace ?? namespace, name, signal);
    if (!res.ok) return { ok: false, code: res.failure.code, message: res.failure.message, deleted };
    deleted.push(name);
  }
  return { ok: true, deleted };
}

function oldestFirst(a: V1Job, b: V1Job): number {
  const t = createdAt(a) - createdAt(b);
  if (t !== 0) return t;
  const i = indexOf(a) - indexOf(b);
  return i !== 0 ? i : (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}

function createdAt(job: V1Job): number {
  // client-node decodes creationTimestamp into a Date; tolerate the raw string too.
  const ts = job.metadata?.creationTimestamp as Date | string | undefined;
  const ms = ts === undefined ? NaN : new Date(ts).getTime();
  return Number.isNaN(ms) ? 0 : ms;
}

function indexOf(job: V1Job): number {
  const m = /\.(\d+)$/.exec(job.metadata?.name ?? '');
  return m ? Number(m[1]) : 0;
}
