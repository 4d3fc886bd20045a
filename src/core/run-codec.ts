/**
 * AnalysisRun <-> RunState at the store boundary. Decoding reads each instant once; encoding
 * writes Argo's status exactly as a reconcile that edited the stored status in place would:
 * fields the stored status already has keep their place, new fields follow in the order Argo's
 * reconcile adds them, zero counters of a metric that recorded a measurement are omitted
 * (omitempty), and an instant that did not change keeps its stored text.
 */
import type { AnalysisRun, AnalysisRunSpec, AnalysisRunStatus, Measurement, Metric, MetricResult } from '../api/types.js';
import { parseGoDuration } from '../go/duration.js';
import { argsWithoutSecrets, resolveMetrics, secretRefsOf } from './args.js';
import { limitsOf } from './metric-spec.js';
import { dryRunMetrics, retentionLimit, retentionMetrics } from './rules.js';
import type { LastMeasurement, MetricPlan, ResultState, RunState, SpecPlan } from './run-state.js';
import { formatTime, parseTime, type Instant } from './time.js';
import { validateMetrics } from './validate.js';

// ---- the spec: planned once per spec ------------------------------------------------------------
// What Argo's reconcile derives from the spec alone on every pass (resolve the metrics without
// secrets, validate them, match the dryRun and measurementRetention rules), done once per spec
// and kept in the RunState. Limits and durations are decoded here, so the core never reads
// int-or-string or Go durations again.

/** The parts of a spec a plan depends on (`terminate` and `ttlStrategy` are read where used). */
export type PlannedSpec = Pick<AnalysisRunSpec, 'metrics' | 'args' | 'dryRun' | 'measurementRetention'>;

export function planSpec(spec: PlannedSpec): SpecPlan {
  const metrics = spec.metrics ?? [];
  const resolved = resolveMetrics(metrics, argsWithoutSecrets(spec.args ?? []));
  if (!resolved.ok) return { ok: false, message: `Unable to resolve metric arguments: ${resolved.error}` };
  const invalid = validateMetrics(resolved.value);
  if (invalid !== undefined) return { ok: false, message: `Analysis spec invalid: ${invalid}` };
  const dry = dryRunMetrics(spec.dryRun, resolved.value);
  if (!dry.ok) return { ok: false, message: `Analysis spec invalid: ${dry.error}` };
  const retention = retentionMetrics(spec.measurementRetention, resolved.value);
  if (!retention.ok) return { ok: false, message: `Analysis spec invalid: ${retention.error}` };
  return {
    ok: true,
    metrics: resolved.value.map((metric, index) => planMetric(metric, index, dry.value.has(metric.name), retentionLimit(retention.value.get(metric.name)))),
    secretRefs: secretRefsOf(spec.args ?? []),
    placeholderNames: metrics.some((m) => typeof m.name !== 'string' || m.name.includes('{{')),
  };
}

/** One resolved metric, planned. Durations a valid spec carries always parse. */
export function planMetric(metric: Metric, index: number, dryRun = false, retention = retentionLimit(undefined)): MetricPlan {
  const plan: { -readonly [K in keyof MetricPlan]: MetricPlan[K] } = { metric, index, name: metric.name, limits: limitsOf(metric), dryRun, retention };
  if (metric.interval) {
    const d = parseGoDuration(metric.interval);
    if (d.ok) plan.intervalMs = d.ms;
  }
  if (metric.initialDelay) {
    const d = parseGoDuration(metric.initialDelay);
    if (d.ok) plan.initialDelayMs = d.ms;
  }
  return plan;
}

// ---- the status: decoded per settle, encoded per change -------------------------------------------

/** The run's state for the core. `plan` is the plan of `run.spec` (spec-plan.ts). */
export function decodeRun(run: AnalysisRun, plan: SpecPlan): RunState {
  const status = run.status;
  const state: RunState = {
    source: run,
    plan,
    phase: status?.phase ?? '',
    results: (status?.metricResults ?? []).map(decodeResult),
    emptyResults: status?.metricResults?.length === 0,
    stored: {},
  };
  if (status === undefined) return state;
  if (status.message !== undefined) state.message = status.message;
  const startedAt = parseTime(status.startedAt);
  if (startedAt !== undefined) state.startedAt = state.stored.startedAt = startedAt;
  const completedAt = parseTime(status.completedAt);
  if (completedAt !== undefined) state.completedAt = state.stored.completedAt = completedAt;
  if (status.runSummary) state.runSummary = status.runSummary;
  if (status.dryRunSummary) state.dryRunSummary = status.dryRunSummary;
  return state;
}

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

/** Status fields in the order a reconcile adds them to a status that lacks them. */
const STATUS_FIELDS = ['phase', 'metricResults', 'startedAt', 'runSummary', 'dryRunSummary', 'message', 'completedAt'] as const;

/**
 * MetricResult fields in the order a reconcile adds them: a first measurement adds its own
 * counter, then count and the streaks, then the measurement list; assessment adds the message.
 */
const RESULT_FIELDS = [
  'name',
  'phase',
  'dryRun',
  'metadata',
  'successful',
  'failed',
  'inconclusive',
  'error',
  'count',
  'consecutiveError',
  'consecutiveSuccess',
  'measurements',
  'message',
] as const;

type Counter = 'count' | 'successful' | 'failed' | 'inconclusive' | 'error' | 'consecutiveError' | 'consecutiveSuccess';

/** The status to write for `state`. */
function encodeStatus(state: RunState): AnalysisRunStatus {
  const prior = state.source.status;
  let metricResults: MetricResult[] | undefined;
  if (state.results.length > 0) metricResults = state.results.map(encodeResult);
  else if (state.emptyResults) metricResults = [];
  const values = [
    state.phase,
    metricResults,
    encodeTime(state.startedAt, prior?.startedAt, state.stored.startedAt),
    state.runSummary,
    state.dryRunSummary,
    state.message,
    encodeTime(state.completedAt, prior?.completedAt, state.stored.completedAt),
  ];
  return patch(prior, STATUS_FIELDS, values) as unknown as AnalysisRunStatus;
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
  const counter = (field: Counter) => (r.recorded ? (r[field] === 0 ? undefined : r[field]) : wire?.[field]);
  const values = [
    r.name,
    r.phase,
    r.dryRun,
    r.metadata,
    counter('successful'),
    counter('failed'),
    counter('inconclusive'),
    counter('error'),
    counter('count'),
    counter('consecutiveError'),
    counter('consecutiveSuccess'),
    r.measurements.length > 0 || wire?.measurements !== undefined ? r.measurements : undefined,
    r.message,
  ];
  return patch(r.messageDropped ? withoutMessage(wire) : wire, RESULT_FIELDS, values) as unknown as MetricResult;
}

function withoutMessage(wire: MetricResult | undefined): MetricResult | undefined {
  if (wire === undefined) return undefined;
  const { message: _dropped, ...rest } = wire;
  return rest;
}

/**
 * `values` of `fields` (in the order a reconcile adds them) over `prior`: a field `prior` has
 * keeps its place, a new one is appended, an undefined one is left out; fields this codec does
 * not know keep their place and value.
 */
function patch(prior: object | undefined, fields: readonly string[], values: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (prior !== undefined) {
    for (const key in prior) {
      const i = fields.indexOf(key);
      if (i < 0) out[key] = (prior as Record<string, unknown>)[key];
      else if (values[i] !== undefined) out[key] = values[i];
    }
  }
  for (let i = 0; i < fields.length; i++) if (values[i] !== undefined && !(fields[i]! in out)) out[fields[i]!] = values[i];
  return out;
}

/** An instant as stored: its stored text while it is the instant read, else RFC 3339. */
function encodeTime(at: Instant | undefined, text: string | undefined, read: Instant | undefined): string | undefined {
  if (at === undefined || (text !== undefined && at === read)) return text;
  return formatTime(at);
}
