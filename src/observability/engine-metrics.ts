/**
 * The metrics the engine itself produces while it runs: Argo's reconcile histogram and error
 * counter (same names, labels and buckets as the Argo controller, §12 of the semantics notes), and
 * assay's own measurement duration, scheduling lateness and provider error counters.
 *
 * These only move in a process that executes ticks (`--role all` or `worker`); an API-only
 * process exports them empty.
 */
import type { MetricProvider } from '../metric/provider.js';
import type { Engine } from '../runtime/engine.js';
import type { Counter, Histogram, MetricsRegistry } from './metrics-registry.js';
import { splitRunKey, type RunKey } from '../store/run-store.js';

/** Argo's `analysis_run_reconcile` buckets. */
const RECONCILE_BUCKETS = [0.01, 0.15, 0.25, 0.5, 1] as const;
/** Provider calls range from a local HTTP hop to a slow query near its timeout. */
const MEASUREMENT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;
/** How long after its due instant a tick started: timers, queue polling, a busy worker pool. */
const LATENESS_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

export class EngineMetrics {
  readonly reconcile: Histogram;
  readonly reconcileError: Counter;
  readonly measurementDuration: Histogram;
  readonly lateness: Histogram;
  readonly providerErrors: Counter;

  constructor(registry: MetricsRegistry) {
    this.reconcile = registry.histogram(
      'analysis_run_reconcile',
      'Analysis Run reconciliation performance.',
      ['namespace', 'name'],
      RECONCILE_BUCKETS,
    );
    this.reconcileError = registry.counter('analysis_run_reconcile_error', 'Error occurring during the analysis run', [
      'namespace',
      'name',
    ]);
    this.measurementDuration = registry.histogram(
      'assay_measurement_duration_seconds',
      'Wall time of one provider call (measure, resume or terminate), by provider type.',
      ['provider'],
      MEASUREMENT_BUCKETS,
    );
    this.lateness = registry.histogram(
      'assay_scheduling_lateness_seconds',
      'How long after its due time a tick started.',
      [],
      LATENESS_BUCKETS,
    );
    this.providerErrors = registry.counter(
      'assay_provider_errors_total',
      'Provider calls that ended in an Error measurement, by provider type and failure code.',
      ['provider', 'code'],
    );
  }

  /** Feed reconcile timings and clean-up from the engine's listener hooks. */
  attach(engine: Engine): () => void {
    return engine.listen({
      onTick: (key, info) => {
        const { namespace, name } = splitRunKey(key);
        this.reconcile.observe([namespace, name], info.durationMs / 1000);
        this.lateness.observe([], info.lateMs / 1000);
      },
      onDeleted: (key) => this.forget(key),
    });
  }

  /** A tick handler threw (the scheduler retries it): Argo counts these as reconcile errors. */
  tickFailed(key: RunKey): void {
    const { namespace, name } = splitRunKey(key);
    this.reconcileError.inc([namespace, name]);
  }

  providerError(provider: string, code: string): void {
    this.providerErrors.inc([provider, code]);
  }

  /** A run is gone: drop its per-run series so they do not accumulate forever. */
  forget(key: RunKey): void {
    const { namespace, name } = splitRunKey(key);
    this.reconcile.remove([namespace, name]);
    this.reconcileError.remove([namespace, name]);
  }

  /**
   * Wrap providers so every call is timed. The measurer gives no timing hook, so the composition
   * root hands the measurer wrapped providers: every call is timed without touching the engine.
   */
  timed(providers: readonly MetricProvider<unknown>[]): MetricProvider<unknown>[] {
    return providers.map((p) => timedProvider(p, (seconds) => this.measurementDuration.observe([p.type], seconds)));
  }
}

function timedProvider(p: MetricProvider<unknown>, observe: (seconds: number) => void): MetricProvider<unknown> {
  const time = async <T>(call: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await call();
    } finally {
      observe((performance.now() - started) / 1000);
    }
  };
  const wrapped: MetricProvider<unknown> = {
    key: p.key,
    type: p.type,
    parseConfig: (raw, env) => p.parseConfig(raw, env),
    measure: (config, ctx) => time(() => p.measure(config, ctx)),
  };
  const { resume, terminate, metadata, close } = p;
  if (resume) wrapped.resume = (config, prior, ctx) => time(() => resume.call(p, config, prior, ctx));
  if (terminate) wrapped.terminate = (config, prior, ctx) => time(() => terminate.call(p, config, prior, ctx));
  if (metadata) wrapped.metadata = (config) => metadata.call(p, config);
  if (close) wrapped.close = () => close.call(p);
  return wrapped;
}
