/**
 * Settling a run at one instant: reconcile, and reconcile again while the status keeps
 * changing. Argo's own status write re-enqueues the run at once, so a metric that just failed
 * terminates its siblings in the same instant; assay does the same in memory, without a round
 * trip through the store and the scheduler. The live engine, `assay test` and `assay backtest`
 * all settle runs through this one loop. The run is decoded once and reconciled as a RunState;
 * its status is encoded once per reconcile that changed it (one, on almost every tick).
 */
import type { AnalysisRun, AnalysisRunSpec, Metric } from '../api/types.js';
import { isCompleted } from '../api/phase.js';
import type { AnalysisEvent } from '../core/assess.js';
import { settledUntilNext } from '../core/reconcile.js';
import { decodeRun, encodeRun, planSpec } from '../core/run-codec.js';
import type { SpecPlan } from '../core/run-state.js';
import type { Instant } from '../core/time.js';
import type { MeasurementTrace } from '../core/trace.js';
import { reconcileOnce, type JudgedMeasurement, type ReconcileDeps } from './reconcile-once.js';

export interface SettleDeps extends ReconcileDeps {
  plans: SpecPlans;
}

export interface Settled {
  /** The run after the last reconcile (the input run itself when nothing changed). */
  run: AnalysisRun;
  /** True when some reconcile changed the status: it must be written. */
  changed: boolean;
  /**
   * False when the loop stopped at its limit while the status was still changing (a run that
   * keeps changing at one instant is a bug in the engine).
   */
  stable: boolean;
  /** When to reconcile next, as the last reconcile computed it. */
  nextAt?: Instant;
  events: AnalysisEvent[];
  /** The decision trace of each measurement recorded, secrets redacted. */
  traces: MeasurementTrace[];
  /** Every observation judged, in order, as judged (before redaction, capping and trimming). */
  judged: JudgedMeasurement[];
  reconciles: number;
}

/** Reconcile `run` until its status stops changing, at most `maxReconciles` times. */
export async function settle(run: AnalysisRun, deps: SettleDeps, maxReconciles: number): Promise<Settled> {
  let state = decodeRun(run, deps.plans.of(run.spec));
  /** The encoding of `state`, when it is current. */
  let encoded: AnalysisRun | undefined;
  const out: Settled = { run, changed: false, stable: true, events: [], traces: [], judged: [], reconciles: 0 };
  for (;;) {
    if (out.reconciles >= maxReconciles) {
      out.stable = false;
      break;
    }
    const step = await reconcileOnce(state, deps);
    out.reconciles++;
    if (step.kind === 'frozen') break;
    out.events.push(...step.events);
    out.traces.push(...step.traces);
    out.judged.push(...step.judged);
    if (step.nextAt === undefined) delete out.nextAt;
    else out.nextAt = step.nextAt;
    if (!step.changed) break;
    out.changed = true;
    encoded = undefined;
    // A completed run is frozen: the next reconcile would change nothing.
    if (isCompleted(state.phase)) break;
    // The confirming reconcile would find nothing due before nextAt and change nothing (see
    // settledUntilNext): skip it. It used to be half of every tick's CPU.
    if ((out.nextAt === undefined || out.nextAt > deps.clock.now()) && settledUntilNext(state)) break;
    // Another reconcile follows at this instant. Fields it adds to status come after the ones
    // this one added, as they do in Argo, whose status is written in between: encode now.
    encoded = encodeRun(state);
    state = decodeRun(encoded, state.plan);
  }
  if (out.changed) out.run = encoded ?? encodeRun(state);
  return out;
}

/**
 * Spec plans kept per spec, so that a run reconciled many times is planned once per spec change
 * rather than once per tick. Keyed by the identity of the spec's parts: stores that keep their
 * runs in memory hand the same spec objects to every tick until the spec changes, and
 * `terminate` (the one field a store changes in place of a new spec) is not part of a plan. Specs
 * are never edited in place. Held by whoever settles runs (the engine, a virtual run).
 */
interface Planned {
  args: unknown;
  dryRun: unknown;
  retention: unknown;
  plan: SpecPlan;
}

export class SpecPlans {
  private readonly byMetrics = new WeakMap<readonly Metric[], Planned>();

  of(spec: AnalysisRunSpec): SpecPlan {
    const metrics = spec.metrics;
    // A spec without a metrics list is invalid and fails at once: nothing worth keeping.
    if (typeof metrics !== 'object' || metrics === null) return planSpec(spec);
    const hit = this.byMetrics.get(metrics);
    if (hit && hit.args === spec.args && hit.dryRun === spec.dryRun && hit.retention === spec.measurementRetention) return hit.plan;
    const plan = planSpec(spec);
    this.byMetrics.set(metrics, { args: spec.args, dryRun: spec.dryRun, retention: spec.measurementRetention, plan });
    return plan;
  }
}
