/**
 * Runs as read back from a store or the cluster: checked against the AnalysisRun schema, the
 * same check a manifest passes when it is loaded (src/api/load.ts), never just cast to the type.
 * Unknown fields are tolerated as they are at load (a newer Argo may write more); anything else
 * makes the run unreadable, with the field and what is wrong with it, and the engine skips it
 * (CorruptRunError) instead of evaluating a shape it does not understand into a crash.
 */
import type { z } from 'zod';
import { analysisRunSchema, analysisRunStatusSchema, formatPath, toProblems } from '../api/schema.js';
import type { AnalysisRun, AnalysisRunStatus } from '../api/types.js';

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
