/**
 * Drives one AnalysisRun on a virtual clock: reconcile at 0, then at every instant the engine
 * asks to be woken (and at terminateAt), repeating a reconcile at the same instant while it
 * keeps changing the run, as Argo's own status write re-enqueues the run.
 */
import type { AnalysisRun } from '../api/types.js';
import { isCompleted } from '../api/phase.js';
import { reconcileOnce } from '../reconcile/reconcile-once.js';
import type { Measurer, SecretSource } from '../reconcile/ports.js';
import type { Instant } from '../engine/time.js';
import { jsonEqual } from '../engine/equal.js';
import type { MeasurementTrace } from '../engine/trace.js';

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
}

export interface VirtualRunOutput {
  run: AnalysisRun;
  /** Virtual ms of the last reconcile. */
  stoppedAt: number;
  reconciles: number;
  /** The decision trace of every measurement completed, in order. */
  traces: MeasurementTrace[];
}

export async function runVirtual(input: VirtualRunInput): Promise<VirtualRunOutput> {
  let run = input.run;
  let t = 0;
  let terminated = false;
  let reconciles = 0;
  const traces: MeasurementTrace[] = [];
  const clock = { now: () => input.base + t };
  for (;;) {
    if (input.terminateAt !== undefined && !terminated && t >= input.terminateAt) {
      run = { ...run, spec: { ...run.spec, terminate: true } };
      terminated = true;
    }
    let nextAt: Instant | undefined;
    for (let i = 0; ; i++) {
      if (i >= MAX_SAME_INSTANT) {
        throw new Error(`the run kept changing at virtual time ${t} ms after ${MAX_SAME_INSTANT} reconciles`);
      }
      const out = await reconcileOnce(run, { clock, measurer: input.measurer, secrets: input.secrets });
      reconciles++;
      if (out.kind === 'frozen') break;
      traces.push(...out.traces);
      const changed = !jsonEqual(out.run, run);
      run = out.run;
      nextAt = out.nextAt;
      if (!changed) break;
    }
    if (isCompleted(run.status?.phase)) break;
    const candidates: number[] = [];
    if (nextAt !== undefined) candidates.push(Math.max(nextAt - input.base, t + 1));
    if (input.terminateAt !== undefined && !terminated) candidates.push(Math.max(input.terminateAt, t));
    if (candidates.length === 0) break;
    const next = Math.min(...candidates);
    if (next > input.until) break;
    t = next;
  }
  return { run, stoppedAt: t, reconciles, traces };
}
