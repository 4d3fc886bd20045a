/**
 * The `job` provider block (Argo's `JobMetric`): `metadata` (labels and annotations copied onto
 * the Job) and `spec`, a batch/v1 JobSpec passed to the apiserver as written. Argo's CRD schema
 * requires `spec` and `spec.template`; Argo's Go types require label and annotation values to be
 * strings. Anything else in the JobSpec is the apiserver's to judge when the Job is created, as
 * in Argo, so a bad container list becomes that create call's error message.
 */
import { z } from 'zod';
import type { ProviderEnv } from '../../src/metric/provider.js';
import { describeIssues, dropNulls } from '../shared/config.js';

/** "Required value" is the apiserver's word for a missing required field (field.Required). */
const required = (issue: { input?: unknown }): string | undefined => (issue.input === undefined ? 'Required value' : undefined);

const stringMap = z.record(z.string(), z.string());

const jobSchema = z.object({
  metadata: z.object({ labels: stringMap.optional(), annotations: stringMap.optional() }).optional(),
  // looseObject: every JobSpec field is kept, known to this schema or not.
  spec: z.looseObject({ template: z.record(z.string(), z.unknown(), { error: required }) }, { error: required }),
});

export interface JobConfig {
  /** Labels copied onto the Job (Argo then sets `analysisrun.argoproj.io/uid` over them). */
  labels: Record<string, string>;
  /** Annotations copied onto the Job (Argo then sets the run name, namespace and metric name). */
  annotations: Record<string, string>;
  /** The JobSpec as written in the metric (placeholders already resolved). */
  spec: Record<string, unknown>;
}

export function parseJobConfig(raw: unknown, _env: ProviderEnv): { ok: true; config: JobConfig } | { ok: false; message: string } {
  // Go decodes JSON null as "absent" for every field of the block, the JobSpec included.
  const parsed = jobSchema.safeParse(dropNulls(raw));
  if (!parsed.success) return { ok: false, message: describeIssues('job', parsed.error) };
  const { metadata, spec } = parsed.data;
  return {
    ok: true,
    config: { labels: { ...(metadata?.labels ?? {}) }, annotations: { ...(metadata?.annotations ?? {}) }, spec },
  };
}
