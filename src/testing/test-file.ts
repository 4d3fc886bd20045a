/**
 * The AnalysisTest document (`apiVersion: assay/v1alpha1, kind: AnalysisTest`), validated
 * strictly: an unknown field is an error, so that a typo can never make a test pass silently.
 */
import { z } from 'zod';

const phase = z.enum(['Successful', 'Failed', 'Inconclusive', 'Error']);
const anyPhase = z.enum(['Pending', 'Running', 'Successful', 'Failed', 'Inconclusive', 'Error']);
const duration = z.string().min(1);
const looseObject = z.record(z.string(), z.unknown());

const scriptedEntry = z
  .strictObject({
    value: z.unknown().optional(),
    error: z.string().optional(),
    phase: phase.optional(),
    message: z.string().optional(),
    duration: duration.optional(),
    /**
     * For assay's plugin sources (assay/compare, assay/guard): what each wrapped provider answers,
     * by role (`baseline`, `canary`, `provider`, `traffic`, `baseline.events`, ...): a value, or
     * `{error: message}`. The plugin's real computation then runs on these samples.
     */
    sources: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((e, ctx) => {
    const kinds = ['value' in e ? 'value' : '', e.error !== undefined ? 'error' : '', e.phase ? 'phase' : '', e.sources ? 'sources' : ''].filter(Boolean);
    if (kinds.length !== 1 && !(kinds.length === 2 && kinds.includes('phase') && kinds.includes('value'))) {
      ctx.addIssue({
        code: 'custom',
        message: 'each measurement is exactly one of `value`, `error`, `phase` or `sources` (a `phase` entry may add `value` and `message`)',
      });
    }
    if (e.message !== undefined && !e.phase) {
      ctx.addIssue({ code: 'custom', message: '`message` is only allowed with `phase`' });
    }
  });
export type ScriptedEntry = z.infer<typeof scriptedEntry>;

const summary = z.strictObject({
  count: z.number().int().optional(),
  successful: z.number().int().optional(),
  failed: z.number().int().optional(),
  inconclusive: z.number().int().optional(),
  error: z.number().int().optional(),
});

const metricExpect = z.strictObject({
  phase: anyPhase.optional(),
  message: z.string().optional(),
  count: z.number().int().optional(),
  successful: z.number().int().optional(),
  failed: z.number().int().optional(),
  inconclusive: z.number().int().optional(),
  error: z.number().int().optional(),
  consecutiveError: z.number().int().optional(),
  consecutiveSuccess: z.number().int().optional(),
  dryRun: z.boolean().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
});
const templateSource = z.union([
  z.strictObject({ file: z.string().min(1) }),
  z.strictObject({ inline: looseObject }),
]);

const runRequest = z.strictObject({
  namespace: z.string().min(1).optional(),
  templates: z.array(z.strictObject({ templateName: z.string().min(1), clusterScope: z.boolean().optional() })).min(1),
  args: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        value: z.string().optional(),
        valueFrom: looseObject.optional(),
      }),
    )
    .optional(),
  dryRun: z.array(z.strictObject({ metricName: z.string() })).optional(),
  measurementRetention: z.array(z.strictObject({ metricName: z.string(), limit: z.number().int() })).optional(),
  terminateAt: duration.optional(),
});

export const analysisTestSchema = z.strictObject({
  apiVersion: z.literal('assay/v1alpha1'),
  kind: z.literal('AnalysisTest'),
  metadata: z.looseObject({ name: z.string().min(1) }),
  spec: z
    .strictObject({
      templates: z.array(templateSource).optional(),
      run: runRequest.optional(),
      analysisRun: looseObject.optional(),
      terminateAt: duration.optional(),
      secrets: z
        .array(
          z.strictObject({
            name: z.string().min(1),
            namespace: z.string().optional(),
            data: z.record(z.string(), z.string()),
          }),
        )
        .optional(),
      measurements: z.record(z.string(), z.array(scriptedEntry).min(1)).optional(),
      until: duration.optional(),
      expect: z.strictObject({
        phase: anyPhase,
        message: z.string().optional(),
        completedAt: z.union([duration, z.null()]).optional(),
        runSummary: summary.optional(),
        dryRunSummary: summary.optional(),
        metrics: z.record(z.string(), metricExpect).optional(),
        measurements: z.record(z.string(), z.array(anyPhase)).optional(),
        values: z.record(z.string(), z.array(z.string())).optional(),
      }),
    })
    .superRefine((spec, ctx) => {
      if (!spec.run === !spec.analysisRun) {
        ctx.addIssue({ code: 'custom', message: 'exactly one of `run` or `analysisRun` is required', path: [] });
      }
    }),
});
export type AnalysisTest = z.infer<typeof analysisTestSchema>;
