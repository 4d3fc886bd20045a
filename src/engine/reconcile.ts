/**
 * One reconcile of an AnalysisRun (Argo's reconcileAnalysisRun), as two pure halves around the
 * provider calls that only the shell may make:
 *
 *   plan = planReconcile(run, now)              what is due, or an early exit
 *   (shell: fetch secrets -> resolveTaskMetrics -> call providers -> toMeasurement)
 *   done = finishReconcile(plan, outcomes, now) record, assess, trim, next wake-up
 */
import { capMeasurement, capMetadata } from './value-cap.js';
import type { AnalysisRun, AnalysisRunStatus, Argument, Measurement, Metric, MetricResult } from '../api/types.js';
import { isCompleted, type Phase } from '../api/phase.js';
import {
  argsWithSecrets,
  argsWithoutSecrets,
  redact,
  resolveMetricArgs,
  resolveMetrics,
  secretRefsOf,
  type Resolved,
} from './args.js';
import { assessRunStatus, isTerminating, type AnalysisEvent } from './assess.js';
import { dryRunMetrics, retentionLimit, retentionMetrics } from './rules.js';
import { dueTasks, nextReconcileAt, type MetricTask } from './schedule.js';
import { formatTime, type Instant } from './time.js';
import type { MeasurementTrace } from './trace.js';
import { validateMetrics } from './validate.js';

export interface ReconcileState {
  /** A deep copy of the run; finishReconcile mutates and returns it. */
  run: AnalysisRun;
  /** spec.metrics resolved with secrets replaced by a stand-in (for deciding, never for querying). */
  resolved: Metric[];
  dryRun: Map<string, true>;
  retention: Map<string, { limit: number }>;
  terminating: boolean;
}

export type ReconcilePlan =
  /** Completed runs are frozen: nothing to do (the shell may still apply the TTL). */
  | { kind: 'frozen' }
  /** A spec error ended the run (phase Error, no completedAt): write `run` and stop. */
  | { kind: 'failed'; run: AnalysisRun; events: AnalysisEvent[] }
  | { kind: 'measure'; state: ReconcileState; tasks: MetricTask[] };

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
}

export interface ReconcileResult {
  run: AnalysisRun;
  events: AnalysisEvent[];
  /** When to reconcile next, if anything is scheduled. */
  nextAt?: Instant;
  /** The trace of each measurement completed by this reconcile, secrets redacted. */
  traces: MeasurementTrace[];
}

export function failRun(run: AnalysisRun, message: string): { kind: 'failed'; run: AnalysisRun; events: AnalysisEvent[] } {
  const copy: AnalysisRun = { ...run, status: { ...copyStatus(run.status ?? { phase: '' }), phase: 'Error', message } };
  return {
    kind: 'failed',
    run: copy,
    events: [{ type: 'Warning', reason: 'AnalysisRunError', message: 'Analysis Completed. Result: Error' }],
  };
}

/**
 * A copy of the status that a reconcile may change: the run and its metric results are new
 * objects, measurements are shared (a reconcile replaces measurements, never edits them).
 * structuredClone of the whole status was the engine's largest single cost.
 */
function copyStatus(status: AnalysisRunStatus): AnalysisRunStatus {
  const copy: AnalysisRunStatus = { ...status };
  if (status.metricResults) {
    copy.metricResults = status.metricResults.map((r) => (r.measurements ? { ...r, measurements: [...r.measurements] } : { ...r }));
  }
  return copy;
}

export function planReconcile(orig: AnalysisRun, now: Instant): ReconcilePlan {
  if (isCompleted(orig.status?.phase)) return { kind: 'frozen' };
  // Only status is changed by a reconcile: copy it, share the (read-only) metadata and spec.
  const run: AnalysisRun = { ...orig, ...(orig.status ? { status: copyStatus(orig.status) } : {}) };
  run.status ??= { phase: '' };
  run.status.metricResults ??= [];
  const spec = specPlanOf(run.spec);
  if (!spec.ok) return failRun(orig, spec.message);
  const terminating = isTerminating(run);
  const state: ReconcileState = {
    run,
    resolved: spec.resolved,
    dryRun: spec.dryRun,
    retention: spec.retention,
    terminating,
  };
  return { kind: 'measure', state, tasks: dueTasks(run, spec.resolved, terminating, now) };
}

/** What planReconcile derives from the spec alone: resolved metrics (without secrets) and rules. */
type SpecPlan =
  | { ok: true; resolved: Metric[]; dryRun: Map<string, true>; retention: Map<string, { limit: number }> }
  | { ok: false; message: string };

/**
 * Spec plans by the identity of `spec.metrics`, valid while `args`, `dryRun` and
 * `measurementRetention` are the same objects too. Stores that keep immutable snapshots (the
 * memory store) hand the same spec objects to every reconcile of a run, and resolving,
 * validating and compiling the rules again on every tick was a third of the planning cost. The
 * plan depends on nothing else (secrets are stood in for, `terminate` is read per reconcile),
 * and its parts are only read. Specs must not be edited in place, which no store does.
 */
const specPlans = new WeakMap<readonly Metric[], { args: unknown; dryRun: unknown; retention: unknown; plan: SpecPlan }>();

function specPlanOf(spec: AnalysisRun['spec']): SpecPlan {
  const metrics = spec.metrics;
  if (metrics === undefined || metrics === null) return computeSpecPlan(spec);
  const hit = specPlans.get(metrics);
  if (hit && hit.args === spec.args && hit.dryRun === spec.dryRun && hit.retention === spec.measurementRetention) return hit.plan;
  const plan = computeSpecPlan(spec);
  specPlans.set(metrics, { args: spec.args, dryRun: spec.dryRun, retention: spec.measurementRetention, plan });
  return plan;
}

function computeSpecPlan(spec: AnalysisRun['spec']): SpecPlan {
  const resolved = resolveMetrics(spec.metrics ?? [], argsWithoutSecrets(spec.args ?? []));
  if (!resolved.ok) return { ok: false, message: `Unable to resolve metric arguments: ${resolved.error}` };
  const invalid = validateMetrics(resolved.value);
  if (invalid !== undefined) return { ok: false, message: `Analysis spec invalid: ${invalid}` };
  const dry = dryRunMetrics(spec.dryRun, resolved.value);
  if (!dry.ok) return { ok: false, message: `Analysis spec invalid: ${dry.error}` };
  const retention = retentionMetrics(spec.measurementRetention, resolved.value);
  if (!retention.ok) return { ok: false, message: `Analysis spec invalid: ${retention.error}` };
  return { ok: true, resolved: resolved.value, dryRun: dry.value, retention: retention.value };
}

/**
 * The metrics the providers receive: spec.metrics[i] resolved with real secret values
 * (`secretValues` keyed by arg name). An error ends the run like Argo's resolveArgs failure.
 */
export function resolveTaskMetrics(
  state: ReconcileState,
  tasks: readonly MetricTask[],
  secretValues: ReadonlyMap<string, string>,
): Resolved<Metric[]> {
  // Without secret-backed args, resolving with secrets is resolving without them, which the plan
  // already did for every metric (same metric, same args, same result).
  const specArgs = state.run.spec.args ?? [];
  if (secretValues.size === 0 && (specArgs.length === 0 || secretRefsOf(specArgs).length === 0)) {
    return { ok: true, value: tasks.map((task) => state.resolved[task.index]!) };
  }
  const args: Argument[] = argsWithSecrets(specArgs, secretValues);
  const out: Metric[] = [];
  for (const task of tasks) {
    const r = resolveMetricArgs(state.run.spec.metrics[task.index]!, args);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return { ok: true, value: out };
}

const COUNTERS = ['count', 'successful', 'failed', 'inconclusive', 'error', 'consecutiveError', 'consecutiveSuccess'] as const;

function recordOutcome(state: ReconcileState, outcome: TaskOutcome, secrets: readonly string[], now: Instant): MeasurementTrace | undefined {
  const results = state.run.status!.metricResults!;
  const name = outcome.task.name;
  let result: MetricResult | undefined = results.find((r) => r.name === name);
  if (!result) {
    result = { name, phase: 'Running' };
    if (state.dryRun.has(name)) result.dryRun = true;
    if (outcome.resultMetadata && Object.keys(outcome.resultMetadata).length > 0) {
      result.metadata = capMetadata(redactValues(outcome.resultMetadata, secrets));
    }
    results.push(result);
  }
  const m: Measurement = { ...outcome.measurement };
  if (outcome.terminated && (m.phase === 'Successful' || m.phase === 'Inconclusive')) m.message = 'Metric Terminated';
  if (isCompleted(m.phase)) {
    m.finishedAt ??= formatTime(now);
    const bumpOf = (field: 'successful' | 'failed' | 'inconclusive' | 'error') => (result![field] ?? 0) + 1;
    switch (m.phase) {
      case 'Successful':
        result.successful = bumpOf('successful');
        result.count = (result.count ?? 0) + 1;
        result.consecutiveError = 0;
        result.consecutiveSuccess = (result.consecutiveSuccess ?? 0) + 1;
        break;
      case 'Failed':
      case 'Inconclusive':
        if (m.phase === 'Failed') result.failed = bumpOf('failed');
        else result.inconclusive = bumpOf('inconclusive');
        result.count = (result.count ?? 0) + 1;
        result.consecutiveError = 0;
        result.consecutiveSuccess = 0;
        break;
      case 'Error':
        result.error = bumpOf('error');
        result.consecutiveError = (result.consecutiveError ?? 0) + 1;
        result.consecutiveSuccess = 0;
        break;
    }
  }
  // Argo redacts only the message; assay keeps secrets out of the whole status (a query built from
  // a secret arg would otherwise show in ResolvedPrometheusQuery, a value could echo a token).
  // Argo's MetricResult counters are `omitempty`: a zero is never stored.
  for (const field of COUNTERS) if (result[field] === 0) delete result[field];
  const message = redact(m.message, secrets);
  if (message) m.message = message;
  else delete m.message;
  if (m.value !== undefined && secrets.length > 0) m.value = redact(m.value, secrets)!;
  if (m.metadata && secrets.length > 0) m.metadata = redactValues(m.metadata, secrets);
  // Capped after redaction: a secret cut in half by the cap would no longer match.
  capMeasurement(m);
  const list = (result.measurements ??= []);
  if (outcome.task.incomplete && list.length > 0) list[list.length - 1] = m;
  else list.push(m);
  return isCompleted(m.phase) && outcome.trace ? traceOf(outcome.trace, m, result.metadata, secrets) : undefined;
}

/** The trace as recorded: the final measurement's fields, the metric's request metadata, redacted. */
function traceOf(
  trace: MeasurementTrace,
  m: Measurement,
  resultMetadata: Record<string, string> | undefined,
  secrets: readonly string[],
): MeasurementTrace {
  const out: MeasurementTrace = { ...trace, phase: m.phase, conditions: trace.conditions.map((c) => ({ ...c })) };
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
  state: ReconcileState,
  outcomes: readonly TaskOutcome[],
  secrets: readonly string[],
  now: Instant,
): ReconcileResult {
  const run = state.run;
  const traces: MeasurementTrace[] = [];
  for (const outcome of outcomes) {
    const trace = recordOutcome(state, outcome, secrets, now);
    if (trace) traces.push(trace);
  }
  const status = run.status!;
  const assessed = assessRunStatus(run, state.resolved, state.dryRun, now);
  const events = assessed.events;
  if (assessed.phase !== status.phase) {
    status.phase = assessed.phase as Phase;
    if (assessed.message) status.message = assessed.message;
    else delete status.message;
    if (isCompleted(assessed.phase)) {
      events.push({
        type: assessed.phase === 'Error' || assessed.phase === 'Failed' ? 'Warning' : 'Normal',
        reason: `AnalysisRun${assessed.phase}`,
        message: `Analysis Completed. Result: ${assessed.phase}`,
      });
      status.completedAt ??= formatTime(now);
    }
  }
  for (const result of status.metricResults ?? []) {
    const limit = retentionLimit(state.retention.get(result.name));
    const ms = result.measurements;
    if (ms && ms.length > limit) result.measurements = ms.slice(ms.length - limit);
  }
  if ((status.metricResults ?? []).length === 0) delete status.metricResults;
  const out: ReconcileResult = { run, events, traces };
  if (!isCompleted(status.phase)) {
    const next = nextReconcileAt(run, state.resolved, now);
    if (next !== undefined) out.nextAt = next;
  }
  return out;
}

/**
 * True when reconciling `run` again before its next wake-up (`finishReconcile`'s `nextAt`) would
 * change nothing: no metric is due (every metric has a finished last measurement, or is
 * complete), the run is not terminating, and no secret has to be fetched (Argo fetches secrets on
 * every reconcile, and a fetch can fail). Then `dueTasks` is empty at any instant before `nextAt`
 * (every future due instant is one of `nextReconcileAt`'s candidates), and the reconcile would
 * record nothing, assess the same counters to the same phases, and compute the same `nextAt`.
 * The engine uses this to skip the confirming reconcile it runs after a change (Argo's re-enqueue
 * on its own status write). Metric names with placeholders are not matched against results here,
 * so such runs always get the confirming reconcile.
 */
export function settledUntilNext(run: AnalysisRun): boolean {
  if (isCompleted(run.status?.phase) || isTerminating(run)) return false;
  if (run.spec.args && secretRefsOf(run.spec.args).length > 0) return false;
  const metrics = run.spec.metrics ?? [];
  if (metrics.length === 0) return false;
  const results = run.status?.metricResults ?? [];
  for (const metric of metrics) {
    if (typeof metric.name !== 'string' || metric.name.includes('{{')) return false;
    const result = results.find((r) => r.name === metric.name);
    if (!result) return false;
    if (isCompleted(result.phase)) continue;
    const ms = result.measurements;
    const last = ms && ms.length > 0 ? ms[ms.length - 1] : undefined;
    if (!last || !last.finishedAt) return false;
  }
  return true;
}
