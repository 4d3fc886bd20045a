/**
 * Spec plans (engine/spec-plan.ts) kept per spec, so that a run reconciled many times is planned
 * once per spec change rather than once per tick. Keyed by the identity of the spec's parts:
 * stores that keep their runs in memory (the memory store, the Kubernetes informer cache) hand
 * the same spec objects to every tick until the spec changes, and `terminate` (the one field a
 * store changes in place of a new spec) is not part of a plan. Specs are never edited in place.
 * Held by whoever settles runs (the engine, a virtual run), never module-wide.
 */
import type { AnalysisRunSpec, Metric } from '../api/types.js';
import type { SpecPlan } from '../engine/run-state.js';
import { planSpec } from '../engine/spec-plan.js';

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
