/**
 * Judging: a provider's Observation plus the metric's conditions become a Measurement
 * (Argo's EvaluateResult / formatEvalError). The only place conditions are applied.
 */
import type { Measurement, Metric } from '../api/types.js';
import type { Observation } from '../metric/provider.js';
import { evalCondition } from '../conditions/index.js';
import { goQuote } from '../go/format.js';
import { formatTime, storedInstant, type Instant } from './time.js';
import { MAX_RAW_LENGTH, numericOf, type ConditionTrace, type MeasurementTrace } from './trace.js';

export type JudgedPhase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

/** Argo treats nil, nil pointers/slices and empty slices as "no data". */
function isNilOrEmpty(result: unknown): boolean {
  return result === null || result === undefined || (Array.isArray(result) && result.length === 0);
}

function formatEvalError(kind: string, condition: string, result: unknown, error: string): string {
  if (isNilOrEmpty(result)) {
    return `could not evaluate ${kind} ${goQuote(condition)}: metric result is nil or empty: no data returned from the metric provider`;
  }
  return `could not evaluate ${kind} ${goQuote(condition)}: ${error}`;
}

/**
 * Argo's EvaluateResult, also returning each condition evaluated with its outcome (the trace).
 * Like Argo, a successCondition that cannot be evaluated stops before the failureCondition.
 */
function evaluateResultTraced(
  result: unknown,
  metric: Metric,
  now: Instant,
): { phase: JudgedPhase; message?: string; conditions: ConditionTrace[] } {
  const success = metric.successCondition ?? '';
  const failure = metric.failureCondition ?? '';
  const conditions: ConditionTrace[] = [];
  let s = false;
  let f = false;
  if (success !== '') {
    const r = evalCondition(success, result, now);
    if (!r.ok) {
      conditions.push({ kind: 'successCondition', expression: success, outcome: 'error', error: r.error });
      return { phase: 'Error', message: formatEvalError('successCondition', success, result, r.error), conditions };
    }
    conditions.push({ kind: 'successCondition', expression: success, outcome: r.value ? 'true' : 'false' });
    s = r.value;
  }
  if (failure !== '') {
    const r = evalCondition(failure, result, now);
    if (!r.ok) {
      conditions.push({ kind: 'failureCondition', expression: failure, outcome: 'error', error: r.error });
      return { phase: 'Error', message: formatEvalError('failureCondition', failure, result, r.error), conditions };
    }
    conditions.push({ kind: 'failureCondition', expression: failure, outcome: r.value ? 'true' : 'false' });
    f = r.value;
  }
  if (success === '' && failure === '') return { phase: 'Successful', conditions };
  if (success !== '' && failure === '') f = !s;
  else if (success === '' && failure !== '') s = !f;
  if (f) return { phase: 'Failed', conditions };
  if (!s) return { phase: 'Inconclusive', conditions };
  return { phase: 'Successful', conditions };
}

function rawJson(value: unknown): string | undefined {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    return undefined;
  }
  if (text === undefined) return undefined;
  return text.length > MAX_RAW_LENGTH ? `${text.slice(0, MAX_RAW_LENGTH)}...` : text;
}

/**
 * Build the Measurement for an observation taken between `startedAt` and `finishedAt`.
 * `prior` is the in-flight measurement being resumed, whose startedAt is kept.
 */
export function toMeasurement(
  metric: Metric,
  obs: Observation,
  startedAt: Instant,
  finishedAt: Instant,
  prior?: Measurement,
): Measurement {
  return judgeObservation(metric, obs, startedAt, finishedAt, prior).measurement;
}

export interface Judged {
  measurement: Measurement;
  trace: MeasurementTrace;
  /** The instants the measurement stores as finishedAt / resumeAt, as they read back. */
  finishedAt?: Instant;
  resumeAt?: Instant;
}

/**
 * toMeasurement plus its trace: the raw value, the conditions with their outcomes and who
 * decided. The trace's secrets are redacted later, with the measurement's (reconcile.ts).
 */
export function judgeObservation(
  metric: Metric,
  obs: Observation,
  startedAt: Instant,
  finishedAt: Instant,
  prior?: Measurement,
): Judged {
  const trace: MeasurementTrace = { metric: metric.name, phase: 'Running', judgedBy: 'provider', conditions: [] };
  const m: Measurement = { phase: 'Running', startedAt: prior?.startedAt ?? formatTime(startedAt) };
  // Most measurements have no metadata: allocate the merged object only when there is some.
  if (prior?.metadata !== undefined || obs.metadata !== undefined) {
    const metadata = { ...(prior?.metadata ?? {}), ...(obs.metadata ?? {}) };
    if (Object.keys(metadata).length > 0) m.metadata = metadata;
  }
  switch (obs.kind) {
    case 'value': {
      const judged = evaluateResultTraced(obs.value, metric, finishedAt);
      m.phase = judged.phase;
      trace.conditions = judged.conditions;
      trace.judgedBy = judged.conditions.length > 0 ? 'conditions' : 'no-conditions';
      const raw = rawJson(obs.value);
      if (raw !== undefined) trace.raw = raw;
      const numeric = numericOf(obs.value);
      if (numeric !== undefined) trace.numeric = numeric;
      trace.value = obs.display;
      // On an evaluation error Argo keeps no value, only the message.
      if (judged.phase === 'Error') m.message = judged.message ?? '';
      else m.value = obs.display;
      break;
    }
    case 'judged':
      m.phase = obs.phase;
      if (obs.display !== undefined && obs.display !== '') m.value = obs.display;
      if (obs.message) m.message = obs.message;
      if (obs.display !== undefined && obs.display !== '') {
        trace.value = obs.display;
        const numeric = numericOf(obs.display.replace(/^\[(.*)\]$/, '$1'));
        if (numeric !== undefined) trace.numeric = numeric;
      }
      break;
    case 'inProgress':
      m.phase = 'Running';
      m.resumeAt = formatTime(obs.resumeAt);
      if (obs.display) m.value = obs.display;
      else if (prior?.value) m.value = prior.value;
      return { measurement: m, trace: finishTrace(trace, m), resumeAt: storedInstant(obs.resumeAt) };
    case 'error':
      m.phase = 'Error';
      m.message = obs.message;
      trace.judgedBy = 'provider-error';
      break;
  }
  m.finishedAt = formatTime(finishedAt);
  return { measurement: m, trace: finishTrace(trace, m), finishedAt: storedInstant(finishedAt) };
}

function finishTrace(trace: MeasurementTrace, m: Measurement): MeasurementTrace {
  trace.phase = m.phase;
  if (m.startedAt) trace.startedAt = m.startedAt;
  if (m.finishedAt) trace.finishedAt = m.finishedAt;
  if (m.message) trace.message = m.message;
  if (m.metadata && Object.keys(m.metadata).length > 0) trace.request = { ...m.metadata };
  return trace;
}
