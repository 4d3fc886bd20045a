/**
 * Building a new AnalysisRun from template references, as a Rollout does: shared by `assay run`
 * (templates from files) and `assay serve` (templates from a GitOps checkout). The resolution
 * itself is Argo's (core/templates.ts); this adds the lookup over a loaded set and the manifest
 * around the spec.
 */
import { randomInt } from 'node:crypto';
import type { AnalysisRun, AnalysisTemplate, AnalysisTemplateRef, Argument, DryRun, MeasurementRetention } from '../api/types.js';
import { API_VERSION } from '../api/types.js';
import type { Resolved } from '../core/args.js';
import { analysisRunSpecFromTemplates, type TemplateLookup } from '../core/templates.js';

export { templateLookup, type LookupOptions } from '../core/templates.js';

interface NewRunRequest {
  namespace: string;
  name: string;
  templates: readonly AnalysisTemplateRef[];
  args?: readonly Argument[];
  dryRun?: readonly DryRun[];
  measurementRetention?: readonly MeasurementRetention[];
}

/** The AnalysisRun a Rollout would create, or Argo's resolution error (`analysistemplate.argoproj.io "x" not found`, ...). */
export function analysisRunFromTemplates(req: NewRunRequest, lookup: TemplateLookup): Resolved<AnalysisRun> {
  const spec = analysisRunSpecFromTemplates(
    {
      namespace: req.namespace,
      templates: req.templates,
      ...(req.args ? { args: req.args } : {}),
      ...(req.dryRun ? { dryRun: req.dryRun } : {}),
      ...(req.measurementRetention ? { measurementRetention: req.measurementRetention } : {}),
    },
    lookup,
  );
  if (!spec.ok) return spec;
  return {
    ok: true,
    value: { apiVersion: API_VERSION, kind: 'AnalysisRun', metadata: { name: req.name, namespace: req.namespace }, spec: spec.value },
  };
}

/** Kubernetes' generateName alphabet (no vowels, no look-alikes), so generated names never spell words. */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** `prefix` plus five random characters, as the API server completes `metadata.generateName`. */
export function generateRunName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += NAME_ALPHABET[randomInt(NAME_ALPHABET.length)];
  return `${prefix}${suffix}`;
}
