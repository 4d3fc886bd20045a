/**
 * ttlStrategy (Argo's isAnalysisRunTtlExceeded): when a completed run may be deleted.
 */
import type { AnalysisRun } from '../api/types.js';
import { isCompleted } from '../api/phase.js';
import { parseTime, type Instant } from './time.js';

/**
 * The first instant at which the run is past its TTL, or undefined when no TTL applies
 * (not completed, no ttlStrategy, no completedAt — spec-error runs have none — or deleting).
 * Argo deletes when int32(seconds since completion) > ttl, i.e. one whole second after the TTL.
 */
export function ttlDeleteAt(run: AnalysisRun): Instant | undefined {
  const status = run.status;
  const ttl = run.spec.ttlStrategy;
  if (!status || !ttl || !isCompleted(status.phase) || run.metadata.deletionTimestamp) return undefined;
  const completedAt = parseTime(status.completedAt);
  if (completedAt === undefined) return undefined;
  let seconds: number | undefined;
  if (status.phase === 'Successful' && ttl.secondsAfterSuccess !== undefined) seconds = ttl.secondsAfterSuccess;
  else if (status.phase === 'Failed' && ttl.secondsAfterFailure !== undefined) seconds = ttl.secondsAfterFailure;
  else seconds = ttl.secondsAfterCompletion;
  if (seconds === undefined) return undefined;
  return completedAt + (seconds + 1) * 1000;
}
