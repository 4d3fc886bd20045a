/**
 * The contract every metric provider implements. A provider OBSERVES; the engine JUDGES.
 *
 * - `measure` queries the backend once and returns an Observation. It never applies
 *   successCondition/failureCondition (the engine does, in one place) unless the provider is one
 *   that judges itself (job, kayenta), which returns `judged`.
 * - Expected failures (unreachable backend, timeout, non-2xx, malformed body, bad config) are
 *   returned as `{kind: 'error'}` with a stable code. A thrown exception is a bug; the engine turns
 *   it into an Error measurement with code `Internal`.
 * - `ctx.signal` aborts on timeout and shutdown: pass it to every request.
 * - Providers never read `process.env`: start-up configuration arrives in `ctx.env`.
 * - Secret values may appear in the config (resolved `secretKeyRef` args); the engine redacts them
 *   from messages, so a provider may quote its config in errors, but should not log it.
 */
export type Instant = number; // epoch milliseconds

/** Stable failure codes, usable in metrics and by callers that branch on the kind of failure. */
export type ProviderErrorCode =
  | 'Config' // the provider block is invalid (Argo: provider construction failed)
  | 'Unreachable' // connection refused / DNS / TLS
  | 'Timeout' // the request outlived its timeout
  | 'Unauthorized' // 401/403 from the backend
  | 'BadResponse' // non-2xx, malformed body, unsupported result type
  | 'BadQuery' // the backend rejected the query (e.g. PromQL parse error)
  | 'NoData' // the provider defines "no data" as an error (e.g. graphite, wavefront)
  | 'Aborted' // shut down before finishing
  | 'Internal'; // a bug: an exception escaped the provider

export type Observation =
  /** A raw result; the engine evaluates the conditions against `value`. */
  | { kind: 'value'; value: unknown; display: string; metadata?: Record<string, string> }
  /** A provider that judges itself (job, kayenta) reports the phase directly. */
  | {
      kind: 'judged';
      phase: 'Successful' | 'Failed' | 'Inconclusive' | 'Error';
      display?: string;
      message?: string;
      metadata?: Record<string, string>;
    }
  /** Still in flight (asynchronous providers): the engine calls `resume` at or after `resumeAt`. */
  | { kind: 'inProgress'; resumeAt: Instant; display?: string; metadata?: Record<string, string> }
  /** An expected failure: becomes an Error measurement with `message`. */
  | { kind: 'error'; code: ProviderErrorCode; message: string; metadata?: Record<string, string> };

/** Start-up configuration that Argo reads from the environment, parsed once and passed in. */
export interface ProviderEnv {
  /** ARGO_ROLLOUTS_PROMETHEUS_ADDRESS: used when a prometheus metric has no `address`. */
  prometheusAddress?: string;
  /** ARGO_ROLLOUTS_ANALYSIS_JOB_NAMESPACE: where job metrics create their Jobs. */
  jobNamespace?: string;
  /**
   * The namespace Argo's controller runs in: where provider secrets (`datadog`, `newrelic`,
   * `influxdb`, `wavefront-api-tokens`) are looked up unless a provider allows the run's namespace.
   * From POD_NAMESPACE / ARGO_ROLLOUTS_NAMESPACE, default `argo-rollouts`.
   */
  controllerNamespace?: string;
  /**
   * Environment variables that Argo's providers read themselves (e.g. DD_API_KEY, DD_APP_KEY,
   * DD_ADDRESS), captured once at start-up. Providers read these, never `process.env`.
   */
  vars?: Readonly<Record<string, string | undefined>>;
}

/**
 * Secrets a provider reads by Argo's names and keys (Kubernetes Secrets in the controller, Secret
 * manifests from `--secrets FILE` elsewhere). Every value a provider obtains through this port is
 * redacted from the observation (message, value, metadata) before the engine sees it.
 */
export interface ProviderSecrets {
  /**
   * Errors read as Kubernetes words them: `secrets "name" not found`. `sensitive: false` marks a
   * key that configures rather than authenticates (a region, an account id, an endpoint URL): its
   * value is not redacted, so that e.g. a region `us` is not masked out of every message.
   */
  get(namespace: string, name: string, key: string, opts?: { sensitive?: boolean }): Promise<{ ok: true; value: string } | { ok: false; error: string }>;
}

/** The measurement in flight, as stored in status, for `resume`/`terminate`. */
export interface PriorMeasurement {
  startedAt?: Instant;
  resumeAt?: Instant;
  value?: string;
  metadata?: Record<string, string>;
}

export interface MeasureContext {
  /** Aborts on the provider's timeout or engine shutdown. */
  signal: AbortSignal;
  /** The evaluation time: "now" for live runs, a historical instant for backtests. */
  now: Instant;
  env: ProviderEnv;
  /** Provider credentials by Argo's secret names; values read here are redacted from the result. */
  secrets: ProviderSecrets;
  /**
   * Take an observation through another provider block (e.g. `{prometheus: {...}}`) at this
   * context's `now`: how assay's own `plugin` measurement sources (assay/compare, assay/guard)
   * sample the built-in providers. `role` names the sample (`baseline`, `canary`, ...) so that
   * `assay test` can script it. Absent where nested sampling is not allowed.
   */
  observe?(role: string, provider: unknown): Promise<Observation>;
  run: { namespace: string; name: string; uid: string; startedAt?: Instant };
  metric: {
    name: string;
    interval?: string;
    /** 1-based index of this measurement among all measurements of the metric (count + error + 1). */
    index: number;
  };
}

export interface MetricProvider<C = unknown> {
  /** The key under `metric.provider` (e.g. `prometheus`). */
  readonly key: string;
  /** Argo's provider type name (e.g. `Prometheus`), used as the `type` label of metrics. */
  readonly type: string;
  /**
   * Whether the provider can be asked about the past: `measure` answers as of `ctx.now` when that
   * is a historical instant (a backtest), not as of the wall clock. Providers whose backend only
   * knows "now" (kayenta, job, web, a NRQL query with its own SINCE) leave it unset, and a
   * backtest refuses their metrics instead of replaying today's answer as yesterday's.
   */
  readonly historical?: boolean;
  /**
   * Validate and normalise the provider block (placeholders already resolved). Returns Argo's
   * construction error message on failure; it becomes the measurement's Error message. Must be
   * pure: the engine parses a metric's block once per spec and reuses the config (and its
   * `metadata`) for every measurement.
   */
  parseConfig(raw: unknown, env: ProviderEnv): { ok: true; config: C } | { ok: false; message: string };
  /** Take one measurement. Must not throw for expected failures. */
  measure(config: C, ctx: MeasureContext): Promise<Observation>;
  /** Poll a measurement that `measure` returned as `inProgress`. Only asynchronous providers. */
  resume?(config: C, prior: PriorMeasurement, ctx: MeasureContext): Promise<Observation>;
  /** Stop a measurement in flight (run terminating). Only asynchronous providers. */
  terminate?(config: C, prior: PriorMeasurement, ctx: MeasureContext): Promise<Observation>;
  /** Argo's GetMetadata: stored once on the MetricResult (e.g. ResolvedPrometheusQuery). */
  metadata?(config: C): Record<string, string> | undefined;
  /**
   * Argo's GarbageCollect: called when a metric has taken more measurements than its retention
   * limit, to delete external leftovers beyond it (the job provider deletes the oldest Jobs).
   * Idempotent; failures are reported, never thrown into the engine.
   */
  garbageCollect?(
    run: { namespace: string; name: string; uid: string },
    metricName: string,
    limit: number,
    opts: { signal?: AbortSignal; env?: ProviderEnv },
  ): Promise<unknown>;
  /** Release pooled resources (connections, token caches). */
  close?(): Promise<void>;
}
