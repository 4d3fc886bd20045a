/**
 * AnalysisRun <-> RunState at the store boundary. Decoding reads each instant once; encoding
 * writes Argo's status exactly as a reconcile that edited the stored status in place would:
 * fields the stored status already has keep their place, new fields follow in the order Argo's
 * reconcile adds them, zero counters of a metric that recorded a measurement are omitted
 * (omitempty), and an instant that did not change keeps its stored text.
 */
import type { AnalysisRun, AnalysisRunStatus, Measurement, MetricResult } from '../api/types.js';
import type { LastMeasurement, ResultState, RunState, SpecPlan } from './run-state.js';
import { formatTime, parseTime, type Instant } from './time.js';

/** The run's state for the core. `plan` is the plan of `run.spec` (spec-plan.ts). */
export function decodeRun(run: AnalysisRun, plan: SpecPlan): RunState {
  const status = run.status;
  const state: RunState = {
    source: run,
    plan,
    phase: status?.phase ?? '',
    results: (status?.metricResults ?? []).map(decodeResult),
    emptyResults: status?.metricResults?.length === 0,
  };
  if (status === undefined) return state;
  if (status.message !== undefined) state.message = status.message;
  const startedAt = parseTime(status.startedAt);
  if (startedAt !== undefined) state.startedAt = startedAt;
  const completedAt = parseTime(status.completedAt);
  if (completedAt !== undefined) state.completedAt = completedAt;
  if (status.runSummary) state.runSummary = status.runSummary;
  if (status.dryRunSummary) state.dryRunSummary = status.dryRunSummary;
  return state;
}

/** Wire results by state: the stored form of each result, for field order and untouched fields. */
const EMPTY: readonly Measurement[] = [];

function decodeResult(wire: MetricResult): ResultState {
  const measurements = wire.measurements ?? EMPTY;
  const r: ResultState = {
    name: wire.name,
    phase: wire.phase,
    count: wire.count ?? 0,
    successful: wire.successful ?? 0,
    failed: wire.failed ?? 0,
    inconclusive: wire.inconclusive ?? 0,
    error: wire.error ?? 0,
    consecutiveError: wire.consecutiveError ?? 0,
    consecutiveSuccess: wire.consecutiveSuccess ?? 0,
    measurements,
    wire,
    recorded: false,
  };
  if (wire.message !== undefined) r.message = wire.message;
  if (wire.dryRun !== undefined) r.dryRun = wire.dryRun;
  if (wire.metadata !== undefined) r.metadata = wire.metadata;
  if (measurements.length > 0) r.last = decodeLast(measurements[measurements.length - 1]!);
  return r;
}

export function decodeLast(wire: Measurement, finishedAt = parseTime(wire.finishedAt), resumeAt = parseTime(wire.resumeAt)): LastMeasurement {
  return {
    wire,
    finished: Boolean(wire.finishedAt),
    ...(finishedAt !== undefined ? { finishedAt } : {}),
    ...(resumeAt !== undefined ? { resumeAt } : {}),
  };
}

/** The status to write for `state`. */
export function encodeStatus(state: RunState): AnalysisRunStatus {
  const prior = state.source.status;
  let metricResults: MetricResult[] | undefined;
  if (state.results.length > 0) metricResults = state.results.map(encodeResult);
  else if (state.emptyResults) metricResults = [];
  return patch(prior, [
    ['phase', state.phase],
    ['metricResults', metricResults],
    ['startedAt', encodeTime(state.startedAt, prior?.startedAt)],
    ['runSummary', state.runSummary],
    ['dryRunSummary', state.dryRunSummary],
    ['message', state.message],
    ['completedAt', encodeTime(state.completedAt, prior?.completedAt)],
  ]) as unknown as AnalysisRunStatus;
}

/** The run with `state`'s status: metadata and spec are the stored ones. */
export function encodeRun(state: RunState): AnalysisRun {
  return { ...state.source, status: encodeStatus(state) };
}

function encodeResult(r: ResultState): MetricResult {
  const wire = r.wire;
  if (wire && !r.recorded && wire.phase === r.phase && wire.message === r.message && (wire.measurements ?? EMPTY) === r.measurements) return wire;
  // A result that recorded a measurement drops its zero counters (Argo's omitempty); one that
  // did not keeps them as stored.
  const counter = (field: 'count' | 'successful' | 'failed' | 'inconclusive' | 'error' | 'consecutiveError' | 'consecutiveSuccess') =>
    r.recorded ? (r[field] === 0 ? undefined : r[field]) : wire?.[field];
  return patch(r.messageDropped ? withoutMessage(wire) : wire, [
    ['name', r.name],
    ['phase', r.phase],
    ['dryRun', r.dryRun],
    ['metadata', r.metadata],
    // The order a first measurement adds them: its own counter, then count and the streaks.
    ['successful', counter('successful')],
    ['failed', counter('failed')],
    ['inconclusive', counter('inconclusive')],
    ['error', counter('error')],
    ['count', counter('count')],
    ['consecutiveError', counter('consecutiveError')],
    ['consecutiveSuccess', counter('consecutiveSuccess')],
    ['measurements', r.measurements.length > 0 || wire?.measurements !== undefined ? r.measurements : undefined],
    ['message', r.message],
  ]) as unknown as MetricResult;
}

function withoutMessage(wire: MetricResult | undefined): MetricResult | undefined {
  if (wire === undefined) return undefined;
  const { message: _dropped, ...rest } = wire;
  return rest;
}

/**
 * `fields` (in the order a reconcile adds them) over `prior`: a field `prior` has keeps its place,
 * a new one is appended, an undefined one is left out; fields this codec does not know keep
 * their place and value.
 */
function patch(prior: object | undefined, fields: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (prior !== undefined) {
    const known = new Map(fields);
    for (const [key, value] of Object.entries(prior)) {
      if (!known.has(key)) out[key] = value;
      else if (known.get(key) !== undefined) out[key] = known.get(key);
    }
  }
  for (const [key, value] of fields) if (value !== undefined && !(key in out)) out[key] = value;
  return out;
}

/** An instant as stored: its stored text while it is the same instant, else RFC 3339. */
function encodeTime(at: Instant | undefined, stored: string | undefined): string | undefined {
  if (at === undefined) return stored;
  if (stored !== undefined && parseTime(stored) === at) return stored;
  return formatTime(at);
}
