/**
 * One reconcile of an AnalysisRun (Argo's reconcileAnalysisRun), as two pure halves around the
 * provider calls that only the shell may make:
 *
 *   plan = planReconcile(run, now)              what is due, or an early exit
 *   (shell: fetch secrets -> resolveTaskMetrics -> call providers -> toMeasurement)
 *   done = finishReconcile(plan, outcomes, now) record, assess, trim, next wake-up
 */
import { capMeasurement, capMetadata } from './value-cap.js';
import type { AnalysisRun, Argument, Measurement, Metric } from '../api/types.js';
import { isCompleted } from '../api/phase.js';
import { argsWithSecrets, redact, resolveMetricArgs, type Resolved } from './args.js';
import { assessRunStatus, type AnalysisEvent } from './assess.js';
import { jsonEqual } from './equal.js';
import { decodeLast, decodeRun, encodeRun } from './run-codec.js';
import { isTerminating, resultNamed, type ResultState, type RunState } from './run-state.js';
import { dueTasks, nextReconcileAt, type MetricTask } from './schedule.js';
import { formatTime, parseTime, storedInstant, type Instant } from './time.js';
import type { MeasurementTrace } from './trace.js';
import { retentionLimit } from './rules.js';

export type ReconcilePlan =
  /** Completed runs are frozen: nothing to do (the shell may still apply the TTL). */
  | { kind: 'frozen' }
  /** A spec error ends the run: the shell records it with failRun (phase Error, no completedAt). */
  | { kind: 'failed'; message: string }
  | { kind: 'measure'; terminating: boolean; tasks: MetricTask[] };

export interface TaskOutcome {
  task: MetricTask;
  /** The measurement produced by run/resume/terminate (see judge.toMeasurement). */
  measurement: Measurement;
  /** Provider metadata stored when the metric's result is first created (e.g. ResolvedPrometheusQuery). */
  resultMetadata?: Record<string, string>;
  /** True when this outcome came from terminating an in-flight measurement. */
  terminated?: boolean;
  /** How the measurement was judged (judge.judgeObservation); absent when nothing new was observed. */
  trace?: MeasurementTrace;
  /** The instants `measurement` stores as finishedAt and resumeAt, when the shell knows them. */
  finishedAt?: Instant;
  resumeAt?: Instant;
}

export interface ReconcileResult {
  events: AnalysisEvent[];
  /** When to reconcile next, if anything is scheduled. */
  nextAt?: Instant;
  /** The trace of each measurement completed by this reconcile, secrets redacted. */
  traces: MeasurementTrace[];
  /** Whether the reconcile changed the state (then its status must be written). */
  changed: boolean;
}

const RUN_ERROR_EVENT: AnalysisEvent = { type: 'Warning', reason: 'AnalysisRunError', message: 'Analysis Completed. Result: Error' };

/** End the run with phase Error and `message` (a spec or argument error; no completedAt). */
export function failRun(state: RunState, message: string): { events: AnalysisEvent[]; changed: boolean } {
  const changed = state.phase !== 'Error' || state.message !== message;
  state.phase = 'Error';
  state.message = message;
  return { events: [{ ...RUN_ERROR_EVENT }], changed };
}

/** failRun on a stored run, for the shell (a quarantined run): the run to write and its events. */
export function failStoredRun(run: AnalysisRun, message: string): { run: AnalysisRun; events: AnalysisEvent[] } {
  const state = decodeRun(run, { ok: false, message });
  const { events } = failRun(state, message);
  return { run: encodeRun(state), events };
}

export function planReconcile(state: RunState, now: Instant): ReconcilePlan {
  if (isCompleted(state.phase)) return { kind: 'frozen' };
  if (!state.plan.ok) return { kind: 'failed', message: state.plan.message };
  const terminating = isTerminating(state);
  return { kind: 'measure', terminating, tasks: dueTasks(state, state.plan.metrics, terminating, now) };
}

/**
 * The metrics the providers receive: spec.metrics[i] resolved with real secret values
 * (`secretValues` keyed by arg name). An error ends the run like Argo's resolveArgs failure.
 */
export function resolveTaskMetrics(
  state: RunState,
  tasks: readonly MetricTask[],
  secretValues: ReadonlyMap<string, string>,
): Resolved<Metric[]> {
  const plan = state.plan;
  if (!plan.ok) return { ok: false, error: plan.message };
  // Without secret-backed args, resolving with secrets is resolving without them, which the plan
  // already did for every metric (same metric, same args, same result).
  if (secretValues.size === 0 && plan.secretRefs.length === 0) {
    return { ok: true, value: tasks.map((task) => plan.metrics[task.index]!.metric) };
  }
  const spec = state.source.spec;
  const args: Argument[] = argsWithSecrets(spec.args ?? [], secretValues);
  const out: Metric[] = [];
  for (const task of tasks) {
    const r = resolveMetricArgs(spec.metrics[task.index]!, args);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return { ok: true, value: out };
}

const EMPTY: readonly Measurement[] = [];

function newResult(state: RunState, outcome: TaskOutcome, secrets: readonly string[]): ResultState {
  const name = outcome.task.name;
  const result: ResultState = {
    name,
    phase: 'Running',
    count: 0,
    successful: 0,
    failed: 0,
    inconclusive: 0,
    error: 0,
    consecutiveError: 0,
    consecutiveSuccess: 0,
    measurements: EMPTY,
    recorded: true,
  };
  if (state.plan.ok && state.plan.metrics[outcome.task.index]?.dryRun) result.dryRun = true;
  if (outcome.resultMetadata && Object.keys(outcome.resultMetadata).length > 0) {
    result.metadata = capMetadata(redactValues(outcome.resultMetadata, secrets));
  }
  state.results.push(result);
  return result;
}

/** Record one outcome into its metric's result; returns its trace and whether anything changed. */
function recordOutcome(
  state: RunState,
  outcome: TaskOutcome,
  secrets: readonly string[],
  now: Instant,
): { trace: MeasurementTrace | undefined; changed: boolean } {
  let result = resultNamed(state, outcome.task.name);
  let changed = false;
  if (!result) {
    result = newResult(state, outcome, secrets);
    changed = true;
  }
  // Argo's MetricResult counters are `omitempty`: a result that records drops its zero counters.
  if (!result.recorded && hasZeroCounter(result)) changed = true;
  result.recorded = true;
  const m: Measurement = { ...outcome.measurement };
  if (outcome.terminated && (m.phase === 'Successful' || m.phase === 'Inconclusive')) m.message = 'Metric Terminated';
  if (isCompleted(m.phase)) {
    m.finishedAt ??= formatTime(now);
    switch (m.phase) {
      case 'Successful':
        result.successful++;
        result.count++;
        result.consecutiveError = 0;
        result.consecutiveSuccess++;
        break;
      case 'Failed':
      case 'Inconclusive':
        if (m.phase === 'Failed') result.failed++;
        else result.inconclusive++;
        result.count++;
        result.consecutiveError = 0;
        result.consecutiveSuccess = 0;
        break;
      case 'Error':
        result.error++;
        result.consecutiveError++;
        result.consecutiveSuccess = 0;
        break;
    }
  }
  // Argo redacts only the message; assay keeps secrets out of the whole status (a query built from
  // a secret arg would otherwise show in ResolvedPrometheusQuery, a value could echo a token).
  const message = redact(m.message, secrets);
  if (message) m.message = message;
  else delete m.message;
  if (m.value !== undefined && secrets.length > 0) m.value = redact(m.value, secrets)!;
  if (m.metadata && secrets.length > 0) m.metadata = redactValues(m.metadata, secrets);
  // Capped after redaction: a secret cut in half by the cap would no longer match.
  capMeasurement(m);
  const list = result.measurements;
  const replaces = outcome.task.incomplete !== undefined && list.length > 0;
  if (!replaces || !jsonEqual(m, list[list.length - 1])) changed = true;
  // The new list, trimmed to the metric's retention (finishReconcile trims the others).
  const kept = list.length - (replaces ? 1 : 0);
  const limit = state.plan.ok ? (state.plan.metrics[outcome.task.index]?.retention ?? retentionLimit(undefined)) : retentionLimit(undefined);
  const from = Math.max(0, kept + 1 - limit);
  const next: Measurement[] = [];
  for (let i = from; i < kept; i++) next.push(list[i]!);
  next.push(m);
  result.measurements = next;
  result.last = decodeLast(m, finishedAtOf(outcome, m, now), outcome.resumeAt);
  const trace = isCompleted(m.phase) && outcome.trace ? traceOf(outcome.trace, m, result.metadata, secrets) : undefined;
  return { trace, changed };
}

/** The instant `m.finishedAt` stores, without reading the text back when it is known. */
function finishedAtOf(outcome: TaskOutcome, m: Measurement, now: Instant): Instant | undefined {
  if (m.finishedAt === undefined) return undefined;
  if (outcome.measurement.finishedAt === undefined) return storedInstant(now);
  return outcome.finishedAt ?? parseTime(m.finishedAt);
}

function hasZeroCounter(r: ResultState): boolean {
  const w = r.wire;
  return w !== undefined && (w.count === 0 || w.successful === 0 || w.failed === 0 || w.inconclusive === 0 || w.error === 0 || w.consecutiveError === 0 || w.consecutiveSuccess === 0);
}

/** The trace as recorded: the final measurement's fields, the metric's request metadata, redacted. */
function traceOf(
  trace: MeasurementTrace,
  m: Measurement,
  resultMetadata: Record<string, string> | undefined,
  secrets: readonly string[],
): MeasurementTrace {
  // Conditions are redacted in place below: copy them only when there is something to redact.
  const conditions = secrets.length > 0 ? trace.conditions.map((c) => ({ ...c })) : trace.conditions;
  const out: MeasurementTrace = { ...trace, phase: m.phase, conditions };
  if (m.startedAt) out.startedAt = m.startedAt;
  if (m.finishedAt) out.finishedAt = m.finishedAt;
  if (m.value !== undefined) out.value = m.value;
  if (m.message) out.message = m.message;
  else delete out.message;
  const request = { ...(resultMetadata ?? {}), ...(trace.request ?? {}) };
  if (Object.keys(request).length > 0) out.request = redactValues(request, secrets);
  if (secrets.length > 0) {
    if (out.raw !== undefined) out.raw = redact(out.raw, secrets)!;
    for (const c of out.conditions) {
      c.expression = redact(c.expression, secrets)!;
      if (c.error !== undefined) c.error = redact(c.error, secrets)!;
    }
  }
  return out;
}

function redactValues(map: Record<string, string>, secrets: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map)) out[k] = redact(v, secrets) ?? '';
  return out;
}

/** Record the outcomes, assess, trim history and compute the next wake-up. */
export function finishReconcile(
  state: RunState,
  outcomes: readonly TaskOutcome[],
  secrets: readonly string[],
  now: Instant,
): ReconcileResult {
  const traces: MeasurementTrace[] = [];
  // An empty stored metricResults list is dropped (omitempty) by the first full reconcile.
  let changed = state.emptyResults;
  state.emptyResults = false;
  for (const outcome of outcomes) {
    const recorded = recordOutcome(state, outcome, secrets, now);
    if (recorded.trace) traces.push(recorded.trace);
    if (recorded.changed) changed = true;
  }
  const assessed = assessRunStatus(state, now);
  if (assessed.changed) changed = true;
  const events = assessed.events;
  if (assessed.phase !== state.phase) {
    changed = true;
    state.phase = assessed.phase;
    if (assessed.message) state.message = assessed.message;
    else delete state.message;
    if (isCompleted(assessed.phase)) {
      events.push({
        type: assessed.phase === 'Error' || assessed.phase === 'Failed' ? 'Warning' : 'Normal',
        reason: `AnalysisRun${assessed.phase}`,
        message: `Analysis Completed. Result: ${assessed.phase}`,
      });
      state.completedAt ??= storedInstant(now);
    }
  }
  const metrics = state.plan.ok ? state.plan.metrics : [];
  for (const result of state.results) {
    const limit = metrics.find((m) => m.name === result.name)?.retention ?? retentionLimit(undefined);
    const ms = result.measurements;
    if (ms.length > limit) {
      result.measurements = ms.slice(ms.length - limit);
      changed = true;
    }
  }
  const out: ReconcileResult = { events, traces, changed };
  if (!isCompleted(state.phase)) {
    const next = nextReconcileAt(state, metrics, now);
    if (next !== undefined) out.nextAt = next;
  }
  return out;
}

/**
 * True when reconciling the run again before its next wake-up (`finishReconcile`'s `nextAt`) would
 * change nothing: no metric is due (every metric has a finished last measurement, or is
 * complete), the run is not terminating, and no secret has to be fetched (Argo fetches secrets on
 * every reconcile, and a fetch can fail). Then `dueTasks` is empty at any instant before `nextAt`
 * (every future due instant is one of `nextReconcileAt`'s candidates), and the reconcile would
 * record nothing, assess the same counters to the same phases, and compute the same `nextAt`.
 * The engine uses this to skip the confirming reconcile it runs after a change (Argo's re-enqueue
 * on its own status write). Metric names with placeholders are not matched against results here,
 * so such runs always get the confirming reconcile.
 */
export function settledUntilNext(state: RunState): boolean {
  const plan = state.plan;
  if (!plan.ok || isCompleted(state.phase) || isTerminating(state)) return false;
  if (plan.secretRefs.length > 0 || plan.placeholderNames || plan.metrics.length === 0) return false;
  for (const metric of plan.metrics) {
    const result = resultNamed(state, metric.name);
    if (!result) return false;
    if (isCompleted(result.phase)) continue;
    if (!result.last?.finished) return false;
  }
  return true;
}
