/**
 * One replay: the AnalysisRun driven by `runVirtual` with virtual time 0 at the replay's start,
 * so every reconcile, every measurement and every condition happens at a historical instant.
 * The measurer holds the real providers that can be asked about the past; they query at `req.now`, which the reconcile
 * takes from the virtual clock.
 *
 * Every measurement is also recorded as it is taken: status keeps only the last 10 per metric
 * (Argo's default retention), while a backtest report lists them all.
 */
import type { AnalysisRun, Measurement } from '../api/types.js';
import { isCompleted, type Phase } from '../api/phase.js';
import { toMeasurement } from '../engine/judge.js';
import { parseTime, type Instant } from '../engine/time.js';
import type { MeasureRequest, MeasureResponse, Measurer, SecretSource } from '../reconcile/ports.js';
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

/** A Measurer that passes through and notes what each measurement judged to. */
class RecordingMeasurer implements Measurer {
  readonly taken: ReplayedMeasurement[] = [];
  constructor(
    private readonly inner: Measurer,
    private readonly onMeasurement?: (m: ReplayedMeasurement) => void,
  ) {}

  async measure(req: MeasureRequest): Promise<MeasureResponse> {
    const response = await this.inner.measure(req);
    if (response.observation !== 'unchanged') {
      // The same judging the reconcile applies; the clock does not move within a reconcile, so
      // the measurement starts and finishes at req.now, as it does in status.
      const m = toMeasurement(req.metric, response.observation, req.now, req.now, req.prior);
      const rec: ReplayedMeasurement = { at: req.now, metric: req.metric.name, phase: m.phase };
      if (m.value !== undefined) rec.value = m.value;
      if (m.message !== undefined && m.message !== '') rec.message = m.message;
      this.taken.push(rec);
      this.onMeasurement?.(rec);
    }
    return response;
  }
}

export async function replayRun(run: AnalysisRun, replay: Replay, deps: ReplayDeps): Promise<ReplayOutcome> {
  const recorder = new RecordingMeasurer(deps.measurer, deps.onMeasurement);
  const out = await runVirtual({
    run: structuredClone(run),
    measurer: recorder,
    secrets: deps.secrets,
    base: replay.start,
    until: replay.stop - replay.start,
  });
  const status = out.run.status;
  const phase: Phase = status?.phase ?? '';
  const outcome: ReplayOutcome = {
    ...replay,
    run: out.run,
    verdict: isCompleted(phase) ? phase : phase === '' ? 'Pending' : phase,
    message: status?.message ?? '',
    measurements: recorder.taken,
  };
  const completedAt = parseTime(status?.completedAt);
  if (completedAt !== undefined) outcome.completedAt = completedAt;
  return outcome;
}
