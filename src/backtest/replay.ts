/**
 * One replay: the AnalysisRun driven by `runVirtual` with virtual time 0 at the replay's start,
 * so every reconcile, every measurement and every condition happens at a historical instant.
 * The measurer holds the real providers that can be asked about the past; they query at `req.now`, which the reconcile
 * takes from the virtual clock.
 *
 * Every measurement is also kept as the reconcile judged it: status keeps only the last 10 per
 * metric (Argo's default retention), while a backtest report lists them all.
 */
import type { AnalysisRun, Measurement } from '../api/types.js';
import { isCompleted, type Phase } from '../api/phase.js';
import { parseTime, type Instant } from '../core/time.js';
import type { Measurer, SecretSource } from '../reconcile/ports.js';
import type { JudgedMeasurement } from '../reconcile/reconcile-once.js';
import { runVirtual } from '../testing/virtual-run.js';
import type { Replay } from './plan.js';

export interface ReplayedMeasurement {
  /** The historical instant the query was evaluated at. */
  at: Instant;
  metric: string;
  phase: Measurement['phase'];
  value?: string;
  message?: string;
}

export interface ReplayOutcome extends Replay {
  run: AnalysisRun;
  /** The run's phase when its clock stopped: a completed phase, or Running/Pending if none was reached. */
  verdict: Phase;
  completedAt?: Instant;
  message: string;
  measurements: ReplayedMeasurement[];
}

export interface ReplayDeps {
  measurer: Measurer;
  secrets: SecretSource;
  /** Called after each measurement (progress on long replays). */
  onMeasurement?: (m: ReplayedMeasurement) => void;
}

export async function replayRun(run: AnalysisRun, replay: Replay, deps: ReplayDeps): Promise<ReplayOutcome> {
  // Every observation as the reconcile judged it (status keeps only the last few per metric).
  const measurements: ReplayedMeasurement[] = [];
  const out = await runVirtual({
    run: structuredClone(run),
    measurer: deps.measurer,
    secrets: deps.secrets,
    base: replay.start,
    until: replay.stop - replay.start,
    onJudged: (judged) => {
      const rec = replayed(judged);
      measurements.push(rec);
      deps.onMeasurement?.(rec);
    },
  });
  const status = out.run.status;
  const phase: Phase = status?.phase ?? '';
  const outcome: ReplayOutcome = {
    ...replay,
    run: out.run,
    verdict: isCompleted(phase) ? phase : phase === '' ? 'Pending' : phase,
    message: status?.message ?? '',
    measurements,
  };
  const completedAt = parseTime(status?.completedAt);
  if (completedAt !== undefined) outcome.completedAt = completedAt;
  return outcome;
}

/** The clock does not move within a reconcile: each measurement starts and finishes at `at`. */
function replayed({ at, metric, measurement }: JudgedMeasurement): ReplayedMeasurement {
  const rec: ReplayedMeasurement = { at, metric, phase: measurement.phase };
  if (measurement.value !== undefined) rec.value = measurement.value;
  if (measurement.message !== undefined && measurement.message !== '') rec.message = measurement.message;
  return rec;
}
