/**
 * TypeScript shapes of the argoproj.io/v1alpha1 analysis kinds, as they are stored (YAML/JSON).
 * Field names and optionality follow Argo's Go types (pkg/apis/rollouts/v1alpha1/analysis_types.go).
 * Times are RFC 3339 strings, exactly as they appear in the resource; the engine converts them.
 * Provider configurations are described by the zod schemas in `schema.ts`; here they are opaque
 * records because only the owning provider interprets them.
 */
import type { Phase } from './phase.js';

/** Kubernetes IntOrString: a number, or a string read with Go's `Atoi` (a failed parse is 0). */
export type IntOrString = number | string;

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  /** `null` is what `kubectl create --dry-run -o yaml` writes for an unset timestamp. */
  creationTimestamp?: string | null;
  deletionTimestamp?: string | null;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  [extra: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

interface SecretKeyRef {
  name: string;
  key: string;
}

interface FieldRef {
  fieldPath: string;
}

export interface ValueFrom {
  secretKeyRef?: SecretKeyRef;
  fieldRef?: FieldRef;
}

export interface Argument {
  name: string;
  value?: string;
  valueFrom?: ValueFrom;
}

/** One provider key under `metric.provider`; `plugin` is a map of plugin name to raw config. */
export interface MetricProvider {
  prometheus?: Record<string, unknown>;
  kayenta?: Record<string, unknown>;
  web?: Record<string, unknown>;
  datadog?: Record<string, unknown>;
  wavefront?: Record<string, unknown>;
  newRelic?: Record<string, unknown>;
  job?: Record<string, unknown>;
  cloudWatch?: Record<string, unknown>;
  graphite?: Record<string, unknown>;
  influxdb?: Record<string, unknown>;
  skywalking?: Record<string, unknown>;
  plugin?: Record<string, unknown>;
}

/** Provider keys in Argo's struct order (the order of `Type()` selection and JSON output). */
export const PROVIDER_KEYS = [
  'prometheus',
  'kayenta',
  'web',
  'datadog',
  'wavefront',
  'newRelic',
  'job',
  'cloudWatch',
  'graphite',
  'influxdb',
  'skywalking',
  'plugin',
] as const;
export type ProviderKey = (typeof PROVIDER_KEYS)[number];

export interface Metric {
  name: string;
  interval?: string;
  initialDelay?: string;
  count?: IntOrString;
  successCondition?: string;
  failureCondition?: string;
  failureLimit?: IntOrString;
  inconclusiveLimit?: IntOrString;
  consecutiveErrorLimit?: IntOrString;
  provider: MetricProvider;
  consecutiveSuccessLimit?: IntOrString;
}

export interface DryRun {
  metricName: string;
}

export interface MeasurementRetention {
  metricName: string;
  limit: number;
}

export interface AnalysisTemplateRef {
  templateName: string;
  clusterScope?: boolean;
}

export interface AnalysisTemplateSpec {
  metrics?: Metric[];
  args?: Argument[];
  dryRun?: DryRun[];
  measurementRetention?: MeasurementRetention[];
  templates?: AnalysisTemplateRef[];
}

type TemplateKind = 'AnalysisTemplate' | 'ClusterAnalysisTemplate';

export interface AnalysisTemplate {
  apiVersion: string;
  kind: TemplateKind;
  metadata: ObjectMeta;
  spec: AnalysisTemplateSpec;
}

export interface TTLStrategy {
  secondsAfterCompletion?: number;
  secondsAfterFailure?: number;
  secondsAfterSuccess?: number;
}

export interface AnalysisRunSpec {
  metrics: Metric[];
  args?: Argument[];
  terminate?: boolean;
  dryRun?: DryRun[];
  measurementRetention?: MeasurementRetention[];
  ttlStrategy?: TTLStrategy;
}

export interface Measurement {
  phase: Phase;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  value?: string;
  metadata?: Record<string, string>;
  resumeAt?: string;
}

export interface MetricResult {
  name: string;
  phase: Phase;
  measurements?: Measurement[];
  message?: string;
  count?: number;
  successful?: number;
  failed?: number;
  inconclusive?: number;
  error?: number;
  consecutiveError?: number;
  consecutiveSuccess?: number;
  dryRun?: boolean;
  metadata?: Record<string, string>;
}

export interface RunSummary {
  count?: number;
  successful?: number;
  failed?: number;
  inconclusive?: number;
  error?: number;
}

export interface AnalysisRunStatus {
  phase: Phase;
  message?: string;
  metricResults?: MetricResult[];
  startedAt?: string;
  completedAt?: string;
  runSummary?: RunSummary;
  dryRunSummary?: RunSummary;
}

export interface AnalysisRun {
  apiVersion: string;
  kind: 'AnalysisRun';
  metadata: ObjectMeta;
  spec: AnalysisRunSpec;
  status?: AnalysisRunStatus;
}

export const API_VERSION = 'argoproj.io/v1alpha1';
