/**
 * zod schemas of the argoproj.io/v1alpha1 analysis kinds: AnalysisTemplate, ClusterAnalysisTemplate
 * and AnalysisRun (spec and status). Field names, nesting and required-ness follow Argo's Go types
 * and CRDs; see `src/api/types.ts` for the TypeScript shapes the engine consumes (a compile-time check
 * in `../schema.ts` keeps the two in step).
 *
 * What is deliberately NOT validated here, because Argo's CRD does not validate it either and Argo
 * reports it at reconcile time instead: exactly one provider per metric, unique metric names,
 * duration syntax, limit ranges, `count >= failureLimit + ...`, regexps in dryRun/measurementRetention.
 */
import { z } from 'zod';
import { API_VERSION } from '../types.js';
import { metricProviderSchema } from './providers.js';
import { duration, int32, intOrString, stringMap, timestamp } from './primitives.js';

/** Every phase Argo writes, including `''` (a run never reconciled; Go marshals the empty phase). */
export const PHASES = ['', 'Pending', 'Running', 'Successful', 'Failed', 'Error', 'Inconclusive'] as const;
export const phaseSchema = z.enum(PHASES);

const ownerReferenceSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  uid: z.string(),
  controller: z.boolean().optional(),
  blockOwnerDeletion: z.boolean().optional(),
});

/**
 * ObjectMeta is loose: manifests kept in Git (or fetched with kubectl) carry fields such as
 * `managedFields` or `selfLink` that the engine never reads; they must load unchanged. The fields
 * the engine does read are typed. Timestamps accept `null` because `kubectl create --dry-run -o yaml`
 * writes `creationTimestamp: null`. The CRD keeps `metadata` as a bare object (the API server owns it).
 */
export const objectMetaSchema = z.looseObject({
  name: z.string().optional(),
  generateName: z.string().optional(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.int().optional(),
  creationTimestamp: timestamp().nullable().optional(),
  deletionTimestamp: timestamp().nullable().optional(),
  labels: stringMap().optional(),
  annotations: stringMap().optional(),
  ownerReferences: z.array(ownerReferenceSchema).optional(),
  finalizers: z.array(z.string()).optional(),
});

export const argumentSchema = z.strictObject({
  name: z.string(),
  value: z.string().optional(),
  valueFrom: z
    .strictObject({
      /** Resolved from the run's namespace at reconcile time. */
      secretKeyRef: z.strictObject({ name: z.string(), key: z.string() }).optional(),
      /** A Rollout-side reference; never resolved on an AnalysisRun arg (Argo semantics). */
      fieldRef: z.strictObject({ fieldPath: z.string() }).optional(),
    })
    .optional(),
});

/** `metricName` is an unanchored Go regexp (`.*` matches all). */
export const dryRunSchema = z.strictObject({ metricName: z.string() });

/** Keep the last `limit` measurements of the metrics matching `metricName` (a Go regexp). */
export const measurementRetentionSchema = z.strictObject({ metricName: z.string(), limit: int32() });

/**
 * A nested template reference. Argo's CRD does not mark `templateName` required, but a reference
 * without a name can never resolve, so it is required here (the only place stricter than Argo).
 */
export const analysisTemplateRefSchema = z.strictObject({
  templateName: z.string(),
  clusterScope: z.boolean().optional(),
});

export const ttlStrategySchema = z.strictObject({
  secondsAfterCompletion: int32().optional(),
  secondsAfterFailure: int32().optional(),
  secondsAfterSuccess: int32().optional(),
});

/** Fields in Argo's JSON order (it shows in one of Argo's error messages). */
export const metricSchema = z.strictObject({
  name: z.string(),
  interval: duration().optional(),
  initialDelay: duration().optional(),
  count: intOrString().optional(),
  successCondition: z.string().optional(),
  failureCondition: z.string().optional(),
  failureLimit: intOrString().optional(),
  inconclusiveLimit: intOrString().optional(),
  consecutiveErrorLimit: intOrString().optional(),
  provider: metricProviderSchema,
  consecutiveSuccessLimit: intOrString().optional(),
});

export const analysisTemplateSpecSchema = z.strictObject({
  /** Optional since templates may only compose other templates (`templates`). */
  metrics: z.array(metricSchema).optional(),
  args: z.array(argumentSchema).optional(),
  dryRun: z.array(dryRunSchema).optional(),
  measurementRetention: z.array(measurementRetentionSchema).optional(),
  templates: z.array(analysisTemplateRefSchema).optional(),
});

export const analysisRunSpecSchema = z.strictObject({
  metrics: z.array(metricSchema),
  args: z.array(argumentSchema).optional(),
  terminate: z.boolean().optional(),
  dryRun: z.array(dryRunSchema).optional(),
  measurementRetention: z.array(measurementRetentionSchema).optional(),
  ttlStrategy: ttlStrategySchema.optional(),
});

export const measurementSchema = z.strictObject({
  phase: phaseSchema,
  message: z.string().optional(),
  startedAt: timestamp().optional(),
  finishedAt: timestamp().optional(),
  value: z.string().optional(),
  metadata: stringMap().optional(),
  resumeAt: timestamp().optional(),
});

export const metricResultSchema = z.strictObject({
  name: z.string(),
  phase: phaseSchema,
  measurements: z.array(measurementSchema).optional(),
  message: z.string().optional(),
  count: int32().optional(),
  successful: int32().optional(),
  failed: int32().optional(),
  inconclusive: int32().optional(),
  error: int32().optional(),
  consecutiveError: int32().optional(),
  consecutiveSuccess: int32().optional(),
  dryRun: z.boolean().optional(),
  metadata: stringMap().optional(),
});

export const runSummarySchema = z.strictObject({
  count: int32().optional(),
  successful: int32().optional(),
  failed: int32().optional(),
  inconclusive: int32().optional(),
  error: int32().optional(),
});

/** `phase` is required whenever `status` is present, as in Argo's CRD. */
export const analysisRunStatusSchema = z.strictObject({
  phase: phaseSchema,
  message: z.string().optional(),
  metricResults: z.array(metricResultSchema).optional(),
  startedAt: timestamp().optional(),
  completedAt: timestamp().optional(),
  runSummary: runSummarySchema.optional(),
  dryRunSummary: runSummarySchema.optional(),
});

/**
 * `metadata` is required although Argo's CRD does not list it: the API server always sets it, and a
 * manifest without one has no name to be referenced by.
 */
export const analysisTemplateSchema = z
  .strictObject({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal('AnalysisTemplate'),
    metadata: objectMetaSchema,
    spec: analysisTemplateSpecSchema,
  })
  .describe('A namespaced, reusable set of metrics that AnalysisRuns are created from.');

export const clusterAnalysisTemplateSchema = z
  .strictObject({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal('ClusterAnalysisTemplate'),
    metadata: objectMetaSchema,
    spec: analysisTemplateSpecSchema,
  })
  .describe('A cluster-scoped AnalysisTemplate, usable from every namespace.');

export const analysisRunSchema = z
  .strictObject({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal('AnalysisRun'),
    metadata: objectMetaSchema,
    spec: analysisRunSpecSchema,
    status: analysisRunStatusSchema.optional(),
  })
  .describe('One execution of an analysis: the metrics to measure and, in status, their results.');
