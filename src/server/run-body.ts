/**
 * `POST /api/v1/runs`: the two accepted bodies, validated at the boundary, turned into the
 * AnalysisRun to create.
 *
 *   {"templates": [{"templateName": "success-rate"}], "args": [{"name": "service", "value": "api"}],
 *    "namespace": "default", "name": "checkout-1", "dryRun": [...], "measurementRetention": [...]}
 *   {"analysisRun": {<a full AnalysisRun manifest>}}
 *
 * Validation errors become 400s naming the field (`args[0].value`); a template that cannot be
 * resolved is a 422 with Argo's own message (`analysistemplate.argoproj.io "x" not found`).
 */
import { z } from 'zod';
import { validateResource } from '../api/load.js';
import { formatPath, toProblems } from '../api/schema.js';
import type { AnalysisRun } from '../api/types.js';
import type { TemplateLookup } from '../core/templates.js';
import { analysisRunFromTemplates, generateRunName } from '../runtime/new-run.js';
import { ApiError } from './http.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Kubernetes' naming rules. They also keep names safe as file names in the file store. Custom
 * messages start with "expected", so the shared issue wording adds what was sent instead.
 */
export const namespaceSchema = z.string().refine((v) => v.length <= 63 && DNS_LABEL.test(v), {
  message: 'expected a namespace: a DNS label (lowercase letters, digits and "-", at most 63 characters)',
});
export const nameSchema = z.string().refine((v) => v.length <= 253 && DNS_SUBDOMAIN.test(v), {
  message: 'expected a DNS subdomain name (lowercase letters, digits, "-" and ".", at most 253 characters)',
});

const templatesBody = z
  .object({
    templates: z
      .array(z.object({ templateName: z.string().min(1), clusterScope: z.boolean().optional() }).strict())
      .min(1),
    args: z.array(z.object({ name: z.string().min(1), value: z.string() }).strict()).optional(),
    namespace: namespaceSchema.optional(),
    name: nameSchema.optional(),
    dryRun: z.array(z.object({ metricName: z.string().min(1) }).strict()).optional(),
    measurementRetention: z.array(z.object({ metricName: z.string().min(1), limit: z.number().int() }).strict()).optional(),
  })
  .strict();

interface NewRun {
  run: AnalysisRun;
  /** Unknown fields in a manifest: accepted (Argo's CRD prunes them) but reported back. */
  warnings: string[];
}

/** The field's path as the client wrote it, prefixed by where it sits in the body. */
function fieldOf(prefix: string, path: readonly PropertyKey[]): string {
  const p = formatPath(path);
  if (prefix === '') return p;
  return p === '' ? prefix : p.startsWith('[') ? `${prefix}${p}` : `${prefix}.${p}`;
}

/** The shared issue wording speaks YAML; the API speaks JSON. */
const jsonWording = (reason: string): string =>
  reason.replace(' (quote the value in YAML to keep it a string)', ' (send it as a JSON string)');

function invalid(prefix: string, problems: ReturnType<typeof toProblems>): ApiError {
  const first = problems[0]!;
  const field = fieldOf(prefix, first.path);
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  return new ApiError(400, `${field || 'body'}: ${jsonWording(first.reason)}${more}`, field || undefined, {
    problems: problems.map((p) => ({ field: fieldOf(prefix, p.path), message: jsonWording(p.reason) })),
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validate a POST body and build the run it asks for. Throws ApiError (400/422). */
export function newRunFromBody(body: unknown, lookup: TemplateLookup, hasTemplates: boolean): NewRun {
  if (!isRecord(body)) throw new ApiError(400, 'request body must be a JSON object with "templates" or "analysisRun"');
  if ('analysisRun' in body) {
    const others = Object.keys(body).filter((k) => k !== 'analysisRun');
    if (others.length > 0) {
      throw new ApiError(400, `${others[0]}: not allowed with "analysisRun" (the manifest carries everything)`, others[0]);
    }
    return fromManifest(body.analysisRun);
  }
  if (!('templates' in body)) {
    throw new ApiError(400, 'templates: missing required field (or send {"analysisRun": <manifest>})', 'templates');
  }
  const parsed = templatesBody.safeParse(body, { reportInput: true });
  if (!parsed.success) throw invalid('', toProblems(parsed.error.issues));
  const req = parsed.data;
  const namespace = req.namespace ?? 'default';
  const name = req.name ?? generateRunName(`${req.templates[0]!.templateName.toLowerCase().slice(0, 40).replace(/[^a-z0-9-]/g, '-')}-`);
  const built = analysisRunFromTemplates(
    {
      namespace,
      name,
      templates: req.templates.map((t) => ({ templateName: t.templateName, ...(t.clusterScope ? { clusterScope: true } : {}) })),
      ...(req.args ? { args: req.args } : {}),
      ...(req.dryRun ? { dryRun: req.dryRun } : {}),
      ...(req.measurementRetention ? { measurementRetention: req.measurementRetention } : {}),
    },
    lookup,
  );
  if (!built.ok) {
    const hint = hasTemplates ? {} : { hint: 'no templates are loaded: start `assay serve` with --templates DIR' };
    throw new ApiError(422, built.error, undefined, hint);
  }
  return { run: built.value, warnings: [] };
}

function fromManifest(manifest: unknown): NewRun {
  if (!isRecord(manifest)) throw new ApiError(400, 'analysisRun: expected an AnalysisRun manifest (a JSON object)', 'analysisRun');
  if (manifest.kind !== 'AnalysisRun') {
    throw new ApiError(400, `analysisRun.kind: expected "AnalysisRun", got ${JSON.stringify(manifest.kind ?? null)}`, 'analysisRun.kind');
  }
  const result = validateResource('AnalysisRun', manifest);
  const warnings: string[] = [];
  if (!result.ok) {
    const unknownOnly = result.problems.every((p) => p.atKey && p.reason === 'unknown field');
    if (!unknownOnly) throw invalid('analysisRun', result.problems);
    for (const p of result.problems) warnings.push(`${fieldOf('analysisRun', p.path)}: unknown field (ignored, as Argo's CRD prunes it)`);
  }
  const run = structuredClone(manifest) as unknown as AnalysisRun;
  // A new run starts from nothing; a status in the manifest (e.g. copied from `kubectl get -o json`)
  // would make the engine believe measurements were taken.
  delete run.status;
  const meta = run.metadata ?? {};
  const namespace = namespaceSchema.optional().safeParse(meta.namespace, { reportInput: true });
  if (!namespace.success) throw invalid('analysisRun.metadata.namespace', toProblems(namespace.error.issues));
  let name = meta.name;
  if (name === undefined && meta.generateName) name = generateRunName(meta.generateName);
  if (name === undefined) {
    throw new ApiError(400, 'analysisRun.metadata.name: missing required field (or set metadata.generateName)', 'analysisRun.metadata.name');
  }
  const named = nameSchema.safeParse(name, { reportInput: true });
  if (!named.success) throw invalid('analysisRun.metadata.name', toProblems(named.error.issues));
  // Identity fields belong to the store, not the client.
  const { uid: _uid, resourceVersion: _rv, creationTimestamp: _ct, generateName: _gn, ...rest } = meta;
  run.metadata = { ...rest, name, namespace: namespace.data ?? 'default' };
  return { run, warnings };
}
