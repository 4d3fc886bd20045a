/**
 * Drives one AnalysisRun on a virtual clock: reconcile at 0, then at every instant the engine
 * asks to be woken (and at terminateAt), repeating a reconcile at the same instant while it
 * keeps changing the run, as Argo's own status write re-enqueues the run.
 */
import type { AnalysisRun } from '../api/types.js';
import { isCompleted } from '../api/phase.js';
import type { JudgedMeasurement } from '../reconcile/reconcile-once.js';
import type { Measurer, SecretSource } from '../reconcile/ports.js';
import { settle } from '../reconcile/settle.js';
import { SpecPlans } from '../reconcile/settle.js';
import type { Clock, Instant } from '../core/time.js';
import type { MeasurementTrace } from '../core/trace.js';

/** Reconciles at one instant before assay concludes the engine is looping. */
const MAX_SAME_INSTANT = 100;

export interface VirtualRunInput {
  run: AnalysisRun;
  measurer: Measurer;
  secrets: SecretSource;
  /** Epoch ms of virtual time 0. */
  base: Instant;
  /** Virtual ms at which spec.terminate becomes true. */
  terminateAt?: number;
  /** Virtual ms after which the clock stops. */
  until: number;
  /** Called for each observation judged, as each instant settles (progress on long runs). */
  onJudged?: (m: JudgedMeasurement) => void;
}

export interface VirtualRunOutput {
  run: AnalysisRun;
  /** Virtual ms of the last reconcile. */
  stoppedAt: number;
  reconciles: number;
  /** The decision trace of every measurement completed, in order. */
  traces: MeasurementTrace[];
  /** Every observation judged, in order (status keeps only the last few per metric). */
  judged: JudgedMeasurement[];
}

export async function runVirtual(input: VirtualRunInput): Promise<VirtualRunOutput> {
  let run = input.run;
  let t = 0;
  let terminated = false;
  let reconciles = 0;
  const traces: MeasurementTrace[] = [];
  const judged: JudgedMeasurement[] = [];
  const clock: Clock = { now: () => input.base + t };
  const deps = { clock, measurer: input.measurer, secrets: input.secrets, plans: new SpecPlans() };
  for (;;) {
    if (input.terminateAt !== undefined && !terminated && t >= input.terminateAt) {
      run = { ...run, spec: { ...run.spec, terminate: true } };
      terminated = true;
    }
    const settled = await settle(run, deps, MAX_SAME_INSTANT);
    reconciles += settled.reconciles;
    if (!settled.stable) throw new Error(`the run kept changing at virtual time ${t} ms after ${MAX_SAME_INSTANT} reconciles`);
    traces.push(...settled.traces);
    judged.push(...settled.judged);
    if (input.onJudged) for (const m of settled.judged) input.onJudged(m);
    run = settled.run;
    const nextAt = settled.nextAt;
    if (isCompleted(run.status?.phase)) break;
    const candidates: number[] = [];
    if (nextAt !== undefined) candidates.push(Math.max(nextAt - input.base, t + 1));
    if (input.terminateAt !== undefined && !terminated) candidates.push(Math.max(input.terminateAt, t));
    if (candidates.length === 0) break;
    const next = Math.min(...candidates);
    if (next > input.until) break;
    t = next;
  }
  return { run, stoppedAt: t, reconciles, traces, judged };
}
