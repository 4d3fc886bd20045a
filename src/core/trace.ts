/**
 * The decision trace: why a measurement got its phase and why a metric (and the run) ended as it
 * did. Pure data built by the core while it judges (judge.ts, explain.ts) and rendered by the
 * shells (CLI lines, API, Kubernetes events, notifications, the web page). It never changes a
 * verdict and never goes into Argo's status fields: it lives beside them.
 */
import type { Phase } from '../api/phase.js';

export type ConditionKind = 'successCondition' | 'failureCondition';

/** One condition as the engine evaluated it against the provider's raw value. */
export interface ConditionTrace {
  kind: ConditionKind;
  expression: string;
  outcome: 'true' | 'false' | 'error';
  /** The evaluation error (outcome `error`), as expr words it. */
  error?: string;
}

/** Who decided the measurement's phase. */
export type JudgedBy =
  /** successCondition / failureCondition applied by the engine. */
  | 'conditions'
  /** No condition: every value is Successful (Argo's rule). */
  | 'no-conditions'
  /** A provider that judges itself (job, kayenta). */
  | 'provider'
  /** The provider failed (unreachable, timeout, bad response...). */
  | 'provider-error';

export interface MeasurementTrace {
  metric: string;
  /** The measurement's phase, as written to status. */
  phase: Phase;
  startedAt?: string;
  finishedAt?: string;
  /** The value as shown in status (`[0.82]`). */
  value?: string;
  /** The raw value the conditions saw, as JSON (bounded, secrets redacted). */
  raw?: string;
  /** The resolved request: query, URL, ... (provider metadata, secrets redacted). */
  request?: Record<string, string>;
  judgedBy: JudgedBy;
  conditions: ConditionTrace[];
  /** The measurement's message (provider error, evaluation error). */
  message?: string;
  /** The numeric value when the raw value is one number or a one-element list of numbers (plots, /metrics). */
  numeric?: number;
}

/** Per metric: which counter and limit decided its phase. */
export interface MetricDecision {
  metric: string;
  phase: Phase;
  /** e.g. `failed (2) > failureLimit (1)`, `count (3) reached; failed (0) <= failureLimit (0)`. */
  reason: string;
  counter?: string;
  count?: number;
  limitName?: string;
  limit?: number;
  /** A dry-run metric: its phase never decides the run's verdict. */
  dryRun?: true;
}

/** Longest raw value kept in a trace; longer ones are cut (a trace must stay small). */
export const MAX_RAW_LENGTH = 2000;

/** `result[0] >= 0.95 is false`, `... could not be evaluated: <error>`. */
function conditionText(c: ConditionTrace): string {
  if (c.outcome === 'error') return `${c.kind} ${c.expression} could not be evaluated: ${c.error ?? 'unknown error'}`;
  return `${c.kind} ${c.expression} is ${c.outcome}`;
}

/**
 * The one-line "why" of a measurement:
 * `success-rate = [0.82]: successCondition result[0] >= 0.95 is false`.
 */
export function measurementWhy(t: MeasurementTrace): string {
  const head = `${t.metric} = ${t.value !== undefined && t.value !== '' ? t.value : '-'}`;
  switch (t.judgedBy) {
    case 'conditions': {
      const conditions = t.conditions.map(conditionText).join(', ');
      return `${head}: ${conditions}`;
    }
    case 'no-conditions':
      return `${head}: no successCondition or failureCondition, so ${t.phase}`;
    case 'provider':
      return `${head}: judged ${t.phase} by the provider${t.message ? `: ${t.message}` : ''}`;
    case 'provider-error':
      return `${t.metric}: provider error: ${t.message ?? 'unknown error'}`;
  }
}

/** The verdict's "why": the deciding measurement and the counter that crossed its limit. */
export function decisionWhy(decision: MetricDecision, last: MeasurementTrace | undefined): string {
  return last ? `${measurementWhy(last)}; ${decision.reason}` : `${decision.metric}: ${decision.reason}`;
}

/** The number in a raw value, when it is one (Prometheus vectors of one sample are `[0.82]`). */
export function numericOf(raw: unknown): number | undefined {
  let v = raw;
  if (Array.isArray(v) && v.length === 1) v = v[0];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}
