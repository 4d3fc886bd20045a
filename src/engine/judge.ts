/**
 * Judging: a provider's Observation plus the metric's conditions become a Measurement
 * (Argo's EvaluateResult / formatEvalError). The only place conditions are applied.
 */
import type { Measurement, Metric } from '../api/types.js';
import type { Observation } from '../metric/provider.js';
import { evalCondition } from '../conditions/index.js';
import { goQuote } from '../go/format.js';
import { formatTime, type Instant } from './time.js';

export type JudgedPhase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

/** Argo treats nil, nil pointers/slices and empty slices as "no data". */
export function isNilOrEmpty(result: unknown): boolean {
  return result === null || result === undefined || (Array.isArray(result) && result.length === 0);
}

function formatEvalError(kind: string, condition: string, result: unknown, error: string): string {
  if (isNilOrEmpty(result)) {
    return `could not evaluate ${kind} ${goQuote(condition)}: metric result is nil or empty: no data returned from the metric provider`;
  }
  return `could not evaluate ${kind} ${goQuote(condition)}: ${error}`;
}

/** Argo's EvaluateResult. */
export function evaluateResult(result: unknown, metric: Metric, now: Instant): { phase: JudgedPhase; message?: string } {
  const success = metric.successCondition ?? '';
  const failure = metric.failureCondition ?? '';
  let s = false;
  let f = false;
  if (success !== '') {
    const r = evalCondition(success, result, now);
    if (!r.ok) return { phase: 'Error', message: formatEvalError('successCondition', success, result, r.error) };
    s = r.value;
  }
  if (failure !== '') {
    const r = evalCondition(failure, result, now);
    if (!r.ok) return { phase: 'Error', message: formatEvalError('failureCondition', failure, result, r.error) };
    f = r.value;
  }
  if (success === '' && failure === '') return { phase: 'Successful' };
  if (success !== '' && failure === '') f = !s;
  else if (success === '' && failure !== '') s = !f;
  if (f) return { phase: 'Failed' };
  if (!s) return { phase: 'Inconclusive' };
  return { phase: 'Successful' };
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
  const m: Measurement = { phase: 'Running', startedAt: prior?.startedAt ?? formatTime(startedAt) };
  // Most measurements have no metadata: allocate the merged object only when there is some.
  if (prior?.metadata !== undefined || obs.metadata !== undefined) {
    const metadata = { ...(prior?.metadata ?? {}), ...(obs.metadata ?? {}) };
    if (Object.keys(metadata).length > 0) m.metadata = metadata;
  }
  switch (obs.kind) {
    case 'value': {
      const judged = evaluateResult(obs.value, metric, finishedAt);
      m.phase = judged.phase;
      // On an evaluation error Argo keeps no value, only the message.
      if (judged.phase === 'Error') m.message = judged.message ?? '';
      else m.value = obs.display;
      break;
    }
    case 'judged':
      m.phase = obs.phase;
      if (obs.display !== undefined && obs.display !== '') m.value = obs.display;
      if (obs.message) m.message = obs.message;
      break;
    case 'inProgress':
      m.phase = 'Running';
      m.resumeAt = formatTime(obs.resumeAt);
      if (obs.display) m.value = obs.display;
      else if (prior?.value) m.value = prior.value;
      return m;
    case 'error':
      m.phase = 'Error';
      m.message = obs.message;
      break;
  }
  m.finishedAt = formatTime(finishedAt);
  return m;
}
