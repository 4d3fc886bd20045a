/**
 * The run store port: where AnalysisRuns and their status live. Status is the source of truth:
 * a scheduler only remembers when to look next, so losing it costs a resync, never a verdict.
 * Adapters: memory (tests, `assay run`), a directory of files (standalone), Kubernetes
 * (controller). All pass test/contract/run-store.contract.ts.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { analysisRunSchema, analysisRunStatusSchema, formatPath, toProblems } from '../api/schema.js';
import type { AnalysisRun, AnalysisRunStatus } from '../api/types.js';
import { formatTime } from '../core/time.js';

/** `namespace/name`. */
export type RunKey = string;

export function runKey(run: Pick<AnalysisRun, 'metadata'>): RunKey {
  return `${run.metadata.namespace ?? 'default'}/${run.metadata.name ?? ''}`;
}

export function splitRunKey(key: RunKey): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: 'default', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/**
 * A copy of a run being created, with what the API server would fill in: the namespace
 * (`default`), a uid and the creation timestamp, unless the run already has them.
 */
export function stampNewRun(run: AnalysisRun, now: number): AnalysisRun {
  const stored = structuredClone(run);
  stored.metadata.namespace ??= 'default';
  stored.metadata.uid ??= randomUUID();
  stored.metadata.creationTimestamp ??= formatTime(now);
  return stored;
}

export type StoreChange =
  /** `own`: the change is this handle's own status write coming back (e.g. through a watch). */
  | { type: 'upsert'; key: RunKey; run: AnalysisRun; own?: boolean }
  | { type: 'delete'; key: RunKey };

export class RunExistsError extends Error {
  readonly code = 'AlreadyExists';
  constructor(key: RunKey) {
    super(`analysisrun "${key}" already exists`);
  }
}

/**
 * A stored run that cannot be read (a corrupt, truncated or half-written file). It names the run
 * and the file; lists skip such runs, and the engine stops ticking them instead of retrying.
 */
export class CorruptRunError extends Error {
  readonly code = 'Corrupt';
  constructor(readonly key: RunKey, readonly file: string, readonly reason: string) {
    super(`stored run ${key} is unreadable (${file}: ${reason}); it is skipped until the entry is fixed or removed`);
  }
}

export interface RunStore {
  /** The run, or undefined when it does not exist. */
  get(key: RunKey): Promise<AnalysisRun | undefined>;
  /** Create a run (uid and creationTimestamp assigned when missing). Throws RunExistsError. */
  create(run: AnalysisRun): Promise<AnalysisRun>;
  /**
   * Replace the status only, leaving spec and metadata as they are (Argo writes status with a
   * merge patch on the main resource). Returns 'gone' when the run no longer exists, or when its
   * uid differs from `uid` (a new run with the same name), and 'conflict' when someone else changed
   * the status since this handle read it: the caller must reconcile again from a fresh read.
   */
  writeStatus(key: RunKey, uid: string | undefined, status: AnalysisRunStatus): Promise<'ok' | 'gone' | 'conflict'>;
  /** Set spec.terminate (what a Rollout does to stop a run). */
  terminate(key: RunKey): Promise<'ok' | 'gone'>;
  delete(key: RunKey): Promise<boolean>;
  list(): Promise<AnalysisRun[]>;
  /** Changes made through any handle to this store, including other processes where the adapter can see them. */
  watch(listener: (change: StoreChange) => void): () => void;
  close?(): Promise<void>;
  /**
   * Crash-loop guard (optional): record that a tick of `key` starts, returning how many ticks of
   * it have started without finishing, this one included. A count above 1 means earlier
   * processes died while evaluating the run. `endTick` clears the record.
   */
  beginTick?(key: RunKey): Promise<number>;
  endTick?(key: RunKey): Promise<void>;
}

/**
 * Runs as read back from a store or the cluster: checked against the AnalysisRun schema, the
 * same check a manifest passes when it is loaded (src/api/load.ts), never just cast to the type.
 * Unknown fields are tolerated as they are at load (a newer Argo may write more); anything else
 * makes the run unreadable, with the field and what is wrong with it, and the engine skips it
 * (CorruptRunError) instead of evaluating a shape it does not understand into a crash.
 */
export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/** Shown per unreadable run: enough to find the fields, short enough for a log line. */
const MAX_PROBLEMS_SHOWN = 3;

function check<T>(schema: z.ZodType, doc: unknown): Checked<T> {
  const parsed = schema.safeParse(doc, { reportInput: true });
  if (parsed.success) return { ok: true, value: doc as T };
  const problems = toProblems(parsed.error.issues).filter((p) => !(p.atKey && p.reason === 'unknown field'));
  // The document itself is the typed value (no defaults, no stripping): it keeps its key order.
  if (problems.length === 0) return { ok: true, value: doc as T };
  const shown = problems.slice(0, MAX_PROBLEMS_SHOWN).map((p) => `${formatPath(p.path) || '(the document)'}: ${p.reason}`);
  const more = problems.length > MAX_PROBLEMS_SHOWN ? `; and ${problems.length - MAX_PROBLEMS_SHOWN} more` : '';
  return { ok: false, message: `not a valid AnalysisRun: ${shown.join('; ')}${more}` };
}

/** A whole stored run (manifest and status). */
export function checkStoredRun(doc: unknown): Checked<AnalysisRun> {
  return check<AnalysisRun>(analysisRunSchema, doc);
}

/** A status stored apart from its manifest (the file store's `.status.json`). */
export function checkStoredStatus(doc: unknown): Checked<AnalysisRunStatus> {
  const checked = check<AnalysisRunStatus>(analysisRunStatusSchema, doc);
  return checked.ok ? checked : { ok: false, message: checked.message.replace('not a valid AnalysisRun', 'not a valid AnalysisRun status') };
}
