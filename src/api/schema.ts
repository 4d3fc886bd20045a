/**
 * Public surface of the zod schemas for the argoproj.io/v1alpha1 analysis kinds.
 *
 * One source of truth: these schemas validate manifests at the boundary (`load.ts`) AND generate the
 * CRDs (`crd.ts`, `scripts/gen-crds.mjs`). Parsing never transforms or defaults anything, so a
 * parsed object equals its input and manifests round-trip.
 *
 * The type assertions at the bottom are compile-time only: they fail `tsc` if a schema's output stops
 * being assignable to the interfaces in `types.ts` (or, for the plain data shapes, if `types.ts` grows
 * a field the schema does not know).
 */
import type { z } from 'zod';
import type * as T from './types.js';
import * as R from './schema/resources.js';
import * as P from './schema/providers.js';

export {
  PHASES,
  phaseSchema,
  objectMetaSchema,
  argumentSchema,
  dryRunSchema,
  measurementRetentionSchema,
  analysisTemplateRefSchema,
  ttlStrategySchema,
  metricSchema,
  analysisTemplateSpecSchema,
  analysisRunSpecSchema,
  measurementSchema,
  metricResultSchema,
  runSummarySchema,
  analysisRunStatusSchema,
  analysisTemplateSchema,
  clusterAnalysisTemplateSchema,
  analysisRunSchema,
} from './schema/resources.js';

export {
  PROVIDER_SCHEMAS,
  metricProviderSchema,
  prometheusMetricSchema,
  kayentaMetricSchema,
  webMetricSchema,
  datadogMetricSchema,
  wavefrontMetricSchema,
  newRelicMetricSchema,
  jobMetricSchema,
  cloudWatchMetricSchema,
  graphiteMetricSchema,
  influxdbMetricSchema,
  skyWalkingMetricSchema,
  pluginMetricSchema,
  webMetricHeaderSchema,
  authenticationSchema,
} from './schema/providers.js';

export type {
  PrometheusMetric,
  KayentaMetric,
  WebMetric,
  DatadogMetric,
  WavefrontMetric,
  NewRelicMetric,
  JobMetric,
  CloudWatchMetric,
  GraphiteMetric,
  InfluxdbMetric,
  SkyWalkingMetric,
  PluginMetric,
} from './schema/providers.js';

export { formatPath, describeValue, toProblems } from './schema/issues.js';
export type { SchemaProblem } from './schema/issues.js';

/** The schema of each analysis kind, keyed by `kind`. */
export const RESOURCE_SCHEMAS = {
  AnalysisTemplate: R.analysisTemplateSchema,
  ClusterAnalysisTemplate: R.clusterAnalysisTemplateSchema,
  AnalysisRun: R.analysisRunSchema,
} as const;
export type AnalysisKind = keyof typeof RESOURCE_SCHEMAS;
export const ANALYSIS_KINDS = Object.keys(RESOURCE_SCHEMAS) as AnalysisKind[];

// ---- compile-time checks: schema output <-> types.ts ---------------------------------------------

type Assert<Cond extends true> = Cond;
/** True when A is assignable to B (non-distributive). */
type Extends<A, B> = [A] extends [B] ? true : false;
type Both<A, B> = [Extends<A, B>, Extends<B, A>] extends [true, true] ? true : false;

type SchemaTypeChecks = [
  // Whole resources: what the loader hands out must be usable as the engine's types.
  Assert<Extends<z.output<typeof R.analysisTemplateSchema>, T.AnalysisTemplate>>,
  Assert<Extends<z.output<typeof R.clusterAnalysisTemplateSchema>, T.AnalysisTemplate>>,
  Assert<Extends<z.output<typeof R.analysisRunSchema>, T.AnalysisRun>>,
  Assert<Extends<z.output<typeof R.objectMetaSchema>, T.ObjectMeta>>,
  Assert<Extends<z.output<typeof P.metricProviderSchema>, T.MetricProvider>>,
  // Plain data shapes: identical in both directions, so neither side can drift silently.
  Assert<Both<z.output<typeof R.argumentSchema>, T.Argument>>,
  Assert<Both<z.output<typeof R.dryRunSchema>, T.DryRun>>,
  Assert<Both<z.output<typeof R.measurementRetentionSchema>, T.MeasurementRetention>>,
  Assert<Both<z.output<typeof R.analysisTemplateRefSchema>, T.AnalysisTemplateRef>>,
  Assert<Both<z.output<typeof R.ttlStrategySchema>, T.TTLStrategy>>,
  Assert<Both<Omit<z.output<typeof R.metricSchema>, 'provider'>, Omit<T.Metric, 'provider'>>>,
  Assert<Both<z.output<typeof R.measurementSchema>, T.Measurement>>,
  Assert<Both<z.output<typeof R.metricResultSchema>, T.MetricResult>>,
  Assert<Both<z.output<typeof R.runSummarySchema>, T.RunSummary>>,
  Assert<Both<Omit<z.output<typeof R.analysisRunStatusSchema>, 'metricResults'>, Omit<T.AnalysisRunStatus, 'metricResults'>>>,
  // Every provider key of types.ts has a schema, and no more.
  Assert<Both<keyof typeof P.PROVIDER_SCHEMAS, T.ProviderKey>>,
];
