/**
 * Fans run changes out to Server-Sent Event streams.
 *
 * Status comes from the run store's watch, not from the engine, because in a split deployment
 * (`--role api` + `--role worker`) the API process never runs a tick: it sees the worker's writes
 * through the shared store. Spec-only changes (terminate) are not status changes and are skipped.
 *
 * Argo's events (`MetricSuccessful`, `AnalysisRunFailed`, ...) come from the engine where ticks
 * run in this process. An API-only process derives the same events from status transitions
 * (a metric or the run reaching a completed phase), which is exactly when the engine emits them.
 */
import { isCompleted } from '../api/phase.js';
import type { AnalysisRun, AnalysisRunStatus } from '../api/types.js';
import type { AnalysisEvent } from '../core/assess.js';
import type { RunKey, RunStore, StoreChange } from '../store/run-store.js';

interface StatusMessage {
  key: RunKey;
  phase: string;
  message: string;
  status: AnalysisRunStatus | null;
}

interface EventMessage extends AnalysisEvent {
  key: RunKey;
  time: string;
}

export type HubMessage =
  | { type: 'status'; key: RunKey; data: StatusMessage }
  | { type: 'event'; key: RunKey; data: EventMessage }
  | { type: 'deleted'; key: RunKey; data: { key: RunKey } };

export function statusMessage(key: RunKey, run: Pick<AnalysisRun, 'status'>): StatusMessage {
  return { key, phase: run.status?.phase ?? '', message: run.status?.message ?? '', status: run.status ?? null };
}

interface EventHubOptions {
  /** Derive Argo events from status transitions (API-only processes, where the engine runs no ticks). */
  deriveEvents: boolean;
}

export class EventHub {
  private readonly subscribers = new Set<(m: HubMessage) => void>();
  /** Last status seen per run, to drop spec-only changes and to derive events. */
  private readonly last = new Map<RunKey, { json: string; status: AnalysisRunStatus | undefined }>();
  private unwatch: (() => void) | undefined;

  constructor(private readonly store: RunStore, private readonly opts: EventHubOptions) {}

  start(): void {
    this.unwatch ??= this.store.watch((change) => this.onChange(change));
  }

  close(): void {
    this.unwatch?.();
    this.unwatch = undefined;
    this.subscribers.clear();
    this.last.clear();
  }

  subscribe(fn: (m: HubMessage) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  /** Events from the engine (processes that execute ticks). */
  publishEvents(key: RunKey, events: readonly AnalysisEvent[]): void {
    const time = new Date().toISOString();
    for (const e of events) this.emit({ type: 'event', key, data: { key, ...e, time } });
  }

  private onChange(change: StoreChange): void {
    if (change.type === 'delete') {
      this.last.delete(change.key);
      this.emit({ type: 'deleted', key: change.key, data: { key: change.key } });
      return;
    }
    const status = change.run.status;
    const json = JSON.stringify(status ?? null);
    const prev = this.last.get(change.key);
    if (prev?.json === json) return;
    this.last.set(change.key, { json, status });
    this.emit({ type: 'status', key: change.key, data: statusMessage(change.key, change.run) });
    // Only with a known previous status: a run first seen mid-flight (a restart) must not replay events.
    if (this.opts.deriveEvents && prev) this.publishEvents(change.key, derivedEvents(prev.status, status));
  }

  private emit(m: HubMessage): void {
    for (const fn of this.subscribers) fn(m);
  }
}

/** The events the engine emits for the transition `before` -> `after` (assess.ts, reconcile.ts). */
function derivedEvents(before: AnalysisRunStatus | undefined, after: AnalysisRunStatus | undefined): AnalysisEvent[] {
  const events: AnalysisEvent[] = [];
  const warning = (phase: string): 'Warning' | 'Normal' => (phase === 'Error' || phase === 'Failed' ? 'Warning' : 'Normal');
  for (const result of after?.metricResults ?? []) {
    const was = before?.metricResults?.find((r) => r.name === result.name)?.phase;
    if (was !== result.phase && isCompleted(result.phase)) {
      events.push({
        type: warning(result.phase),
        reason: `Metric${result.phase}`,
        message: `Metric '${result.name}' Completed. Result: ${result.phase}`,
      });
    }
  }
  const phase = after?.phase;
  if (phase !== undefined && phase !== before?.phase && isCompleted(phase)) {
    events.push({ type: warning(phase), reason: `AnalysisRun${phase}`, message: `Analysis Completed. Result: ${phase}` });
  }
  return events;
}
