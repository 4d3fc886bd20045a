/**
 * The imperative shell of one reconcile: plan (pure) -> fetch secrets -> measure in parallel
 * -> finish (pure). It touches the outside world only through the ports it is given.
 */
import type { AnalysisRun, Measurement } from '../api/types.js';
import { secretRefsOf } from '../engine/args.js';
import type { AnalysisEvent } from '../engine/assess.js';
import { judgeObservation } from '../engine/judge.js';
import type { MeasurementTrace } from '../engine/trace.js';
import {
  failRun,
  finishReconcile,
  planReconcile,
  resolveTaskMetrics,
  type TaskOutcome,
} from '../engine/reconcile.js';
import { parseTime, type Clock, type Instant } from '../engine/time.js';
import type { Measurer, SecretSource } from './ports.js';

export interface ReconcileDeps {
  clock: Clock;
  measurer: Measurer;
  secrets: SecretSource;
}

/** One observation as judged, before it is recorded (redacted, capped, trimmed) into status. */
export interface JudgedMeasurement {
  /** The instant the provider was asked at. */
  at: Instant;
  metric: string;
  measurement: Measurement;
}

export type ReconcileOutcome =
  | { kind: 'frozen' }
  | {
      kind: 'updated';
      run: AnalysisRun;
      events: AnalysisEvent[];
      nextAt?: Instant;
      secrets: string[];
      traces: MeasurementTrace[];
      /** Every observation judged by this reconcile, in the order the providers answered. */
      judged: JudgedMeasurement[];
    };

export async function reconcileOnce(run: AnalysisRun, deps: ReconcileDeps): Promise<ReconcileOutcome> {
  const started = deps.clock.now();
  const plan = planReconcile(run, started);
  if (plan.kind === 'frozen') return plan;
  if (plan.kind === 'failed') return { kind: 'updated', run: plan.run, events: plan.events, secrets: [], traces: [], judged: [] };
  const { state, tasks } = plan;
  const namespace = run.metadata.namespace ?? 'default';

  // Argo fetches every secret-backed arg on every reconcile, even with nothing due.
  const secretValues = new Map<string, string>();
  for (const ref of secretRefsOf(run.spec.args ?? [])) {
    const got = await deps.secrets.get(namespace, ref.name, ref.key);
    if (!got.ok) {
      const failed = failRun(run, `Unable to resolve metric arguments: ${got.error}`);
      return { kind: 'updated', run: failed.run, events: failed.events, secrets: [], traces: [], judged: [] };
    }
    secretValues.set(ref.arg, got.value);
  }
  const secrets = [...new Set(secretValues.values())];
  const metrics = resolveTaskMetrics(state, tasks, secretValues);
  if (!metrics.ok) {
    const failed = failRun(run, `Unable to resolve metric arguments: ${metrics.error}`);
    return { kind: 'updated', run: failed.run, events: failed.events, secrets, traces: [], judged: [] };
  }

  const runRef = {
    namespace,
    name: run.metadata.name ?? '',
    uid: run.metadata.uid ?? '',
    ...(parseTime(run.status?.startedAt) !== undefined ? { startedAt: parseTime(run.status?.startedAt)! } : {}),
  };
  const judgedAll: JudgedMeasurement[] = [];
  const outcomes: TaskOutcome[] = await Promise.all(
    tasks.map(async (task, i): Promise<TaskOutcome> => {
      const metric = metrics.value[i]!;
      const result = run.status?.metricResults?.find((r) => r.name === task.name);
      const index = (result?.count ?? 0) + (result?.error ?? 0) + 1;
      const mode = task.incomplete ? (state.terminating ? 'terminate' : 'resume') : 'measure';
      const at = deps.clock.now();
      const response = await deps.measurer.measure({
        metric,
        mode,
        ...(task.incomplete ? { prior: task.incomplete } : {}),
        index,
        run: runRef,
        now: at,
      });
      const judged =
        response.kind === 'kept' ? undefined : judgeObservation(metric, response.observation, at, deps.clock.now(), task.incomplete);
      if (judged) judgedAll.push({ at, metric: metric.name, measurement: judged.measurement });
      const outcome: TaskOutcome = {
        task,
        measurement: judged ? judged.measurement : task.incomplete!,
        terminated: mode === 'terminate',
        ...(judged ? { trace: judged.trace } : {}),
      };
      if (response.resultMetadata) outcome.resultMetadata = response.resultMetadata;
      return outcome;
    }),
  );
  const done = finishReconcile(state, outcomes, secrets, deps.clock.now());
  return {
    kind: 'updated',
    run: done.run,
    events: done.events,
    secrets,
    traces: done.traces,
    judged: judgedAll,
    ...(done.nextAt !== undefined ? { nextAt: done.nextAt } : {}),
  };
}
