/**
 * RunState: an AnalysisRun as the pure core works on it. The Kubernetes text form keeps times as
 * RFC 3339 strings and limits as int-or-string; the core reads instants as epoch ms, durations
 * in ms and limits as numbers, decoded once (run-codec.ts decodes, spec-plan.ts plans the spec)
 * and encoded back to Argo's status once per write.
 *
 * Measurements are immutable once recorded, so they stay in their encoded (wire) form; only the
 * last one of each metric is read by the core, and its instants are decoded with it.
 */
import type { AnalysisRun, Measurement, Metric, MetricResult, RunSummary } from '../api/types.js';
import type { Phase } from '../api/phase.js';
import type { MetricLimits } from './metric-spec.js';
import type { Instant } from './time.js';

/** One metric of the spec, planned: resolved (secrets stood in for), limits and durations decoded. */
export interface MetricPlan {
  /** spec.metrics[index] resolved with secret args stood in for: for deciding, never for querying. */
  readonly metric: Metric;
  readonly index: number;
  readonly name: string;
  readonly limits: MetricLimits;
  /** `interval` in ms, when set (a valid plan has parsed it). */
  readonly intervalMs?: number;
  /** `initialDelay` in ms, when set. */
  readonly initialDelayMs?: number;
  readonly dryRun: boolean;
  /** Measurements kept in status (measurementRetention, default 10). */
  readonly retention: number;
}

export interface SecretRef {
  arg: string;
  name: string;
  key: string;
}

/** What the spec alone decides: the planned metrics, or the spec error that ends the run. */
export type SpecPlan =
  | {
      ok: true;
      metrics: readonly MetricPlan[];
      /** The secrets the args reference: fetched on every reconcile, as Argo does. */
      secretRefs: readonly SecretRef[];
      /** Some raw metric name holds a placeholder (results are matched by resolved name). */
      placeholderNames: boolean;
    }
  | { ok: false; message: string };

/** The last measurement of a metric, with its instants decoded. */
export interface LastMeasurement {
  readonly wire: Measurement;
  /** Whether `finishedAt` is set at all (Argo checks the field, not the phase). */
  readonly finished: boolean;
  readonly finishedAt?: Instant;
  readonly resumeAt?: Instant;
}

/** A metricResults entry: counters as numbers (0 = omitted), measurements in wire form. */
export interface ResultState {
  name: string;
  phase: Phase;
  message?: string;
  dryRun?: boolean;
  metadata?: Record<string, string>;
  count: number;
  successful: number;
  failed: number;
  inconclusive: number;
  error: number;
  consecutiveError: number;
  consecutiveSuccess: number;
  /** Oldest first; never edited in place (a reconcile replaces the array). */
  measurements: readonly Measurement[];
  last?: LastMeasurement;
  /** The result as stored, if it was: its field order and the fields assay does not read. */
  wire?: MetricResult;
  /** A measurement was recorded since it was read (its zero counters are then omitted). */
  recorded: boolean;
  /** The message was removed since it was read: set again, it goes last, as a new field does. */
  messageDropped?: boolean;
}

export interface RunState {
  /** The run as read: metadata and spec are shared and read-only; its status is the prior encoding. */
  readonly source: AnalysisRun;
  readonly plan: SpecPlan;
  phase: Phase;
  message?: string;
  startedAt?: Instant;
  completedAt?: Instant;
  /** Creation order, as Argo appends them. */
  results: ResultState[];
  runSummary?: RunSummary;
  dryRunSummary?: RunSummary;
  /** The stored status had an empty `metricResults` list, which a spec error keeps. */
  emptyResults: boolean;
  /** The instants as read from the stored status (an unchanged instant keeps its stored text). */
  readonly stored: { startedAt?: Instant; completedAt?: Instant };
}

export function resultNamed(state: RunState, name: string): ResultState | undefined {
  for (const r of state.results) if (r.name === name) return r;
  return undefined;
}

/** Argo's IsTerminating: terminate requested, or a non-dry-run metric already failed. */
export function isTerminating(state: RunState): boolean {
  if (state.source.spec.terminate) return true;
  for (const r of state.results) {
    if (r.dryRun) continue;
    if (r.phase === 'Failed' || r.phase === 'Error' || r.phase === 'Inconclusive') return true;
  }
  return false;
}
