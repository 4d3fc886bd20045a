/**
 * The imperative shell of one reconcile: plan (pure) -> fetch secrets -> measure in parallel
 * -> finish (pure). It touches the outside world only through the ports it is given.
 */
import type { Measurement } from '../api/types.js';
import type { AnalysisEvent } from '../core/assess.js';
import { judgeObservation } from '../core/judge.js';
import type { MeasurementTrace } from '../core/trace.js';
import { failRun, finishReconcile, planReconcile, resolveTaskMetrics, type TaskOutcome } from '../core/reconcile.js';
import { resultNamed, type RunState } from '../core/run-state.js';
import type { Clock, Instant } from '../core/time.js';
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
      /** Whether the state changed (then its status must be written). */
      changed: boolean;
      events: AnalysisEvent[];
      nextAt?: Instant;
      secrets: string[];
      traces: MeasurementTrace[];
      /** Every observation judged by this reconcile, in the order the providers answered. */
      judged: JudgedMeasurement[];
    };

function failed(state: RunState, message: string, secrets: string[]): ReconcileOutcome {
  const { events, changed } = failRun(state, message);
  return { kind: 'updated', changed, events, secrets, traces: [], judged: [] };
}

/** One reconcile of `state`, which it updates in place. */
export async function reconcileOnce(state: RunState, deps: ReconcileDeps): Promise<ReconcileOutcome> {
  const plan = planReconcile(state, deps.clock.now());
  if (plan.kind === 'frozen') return plan;
  if (plan.kind === 'failed') return failed(state, plan.message, []);
  const { tasks, terminating } = plan;
  const run = state.source;
  const namespace = run.metadata.namespace ?? 'default';

  // Argo fetches every secret-backed arg on every reconcile, even with nothing due.
  const secretValues = new Map<string, string>();
  for (const ref of state.plan.ok ? state.plan.secretRefs : []) {
    const got = await deps.secrets.get(namespace, ref.name, ref.key);
    if (!got.ok) return failed(state, `Unable to resolve metric arguments: ${got.error}`, []);
    secretValues.set(ref.arg, got.value);
  }
  const secrets = [...new Set(secretValues.values())];
  const metrics = resolveTaskMetrics(state, tasks, secretValues);
  if (!metrics.ok) return failed(state, `Unable to resolve metric arguments: ${metrics.error}`, secrets);

  const runRef = {
    namespace,
    name: run.metadata.name ?? '',
    uid: run.metadata.uid ?? '',
    ...(state.startedAt !== undefined ? { startedAt: state.startedAt } : {}),
  };
  const judgedAll: JudgedMeasurement[] = [];
  const outcomes: TaskOutcome[] = await Promise.all(
    tasks.map(async (task, i): Promise<TaskOutcome> => {
      const metric = metrics.value[i]!;
      const result = resultNamed(state, task.name);
      const index = (result?.count ?? 0) + (result?.error ?? 0) + 1;
      const mode = task.incomplete ? (terminating ? 'terminate' : 'resume') : 'measure';
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
      };
      if (judged) {
        outcome.trace = judged.trace;
        if (judged.finishedAt !== undefined) outcome.finishedAt = judged.finishedAt;
        if (judged.resumeAt !== undefined) outcome.resumeAt = judged.resumeAt;
      }
      if (response.resultMetadata) outcome.resultMetadata = response.resultMetadata;
      return outcome;
    }),
  );
  const done = finishReconcile(state, outcomes, secrets, deps.clock.now());
  return {
    kind: 'updated',
    changed: done.changed,
    events: done.events,
    secrets,
    traces: done.traces,
    judged: judgedAll,
    ...(done.nextAt !== undefined ? { nextAt: done.nextAt } : {}),
  };
}
