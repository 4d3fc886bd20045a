/**
 * What a reconcile needs from the outside world, as small ports. The live engine implements
 * them with real providers and secrets; `assay test` with scripted answers on a virtual clock.
 */
import type { Measurement, Metric } from '../api/types.js';
import type { Observation } from '../metric/provider.js';
import type { Instant } from '../core/time.js';

export type MeasureMode = 'measure' | 'resume' | 'terminate';

export interface MeasureRequest {
  /** The metric with placeholders resolved, secrets included. */
  metric: Metric;
  mode: MeasureMode;
  /** The in-flight measurement, for resume/terminate. */
  prior?: Measurement;
  /** 1-based index of this measurement among all of the metric's measurements. */
  index: number;
  run: { namespace: string; name: string; uid: string; startedAt?: Instant };
  now: Instant;
}

/**
 * What a measurement request produced: a real observation, or, for resume/terminate, that the
 * provider has no such step (Argo's Resume/Terminate on synchronous providers return the
 * measurement untouched), so the in-flight measurement stands as it is.
 */
export type MeasureResponse = ObservedResponse | KeptResponse;

export interface ObservedResponse {
  kind: 'observed';
  observation: Observation;
  /** Provider metadata for a newly created MetricResult; undefined when the provider could not be built. */
  resultMetadata?: Record<string, string>;
}

export interface KeptResponse {
  kind: 'kept';
  resultMetadata?: Record<string, string>;
}

export interface Measurer {
  /** Never throws: failures are Observations of kind `error`. */
  measure(req: MeasureRequest): Promise<MeasureResponse>;
  /** Let the metric's provider delete what it keeps outside status beyond `limit` (Argo's GarbageCollect). */
  garbageCollect?(run: { namespace: string; name: string; uid: string }, metric: Metric, limit: number): Promise<void>;
}

export type SecretResult = { ok: true; value: string } | { ok: false; error: string };

export interface SecretSource {
  /** Errors read as Kubernetes would word them: `secrets "name" not found`. */
  get(namespace: string, name: string, key: string): Promise<SecretResult>;
}
