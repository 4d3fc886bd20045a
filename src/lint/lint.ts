/**
 * `assay lint`: the mistakes Argo or the Kubernetes API server only report once a run is already
 * gating a release (or never report), found from the manifests alone. Pure: takes the loaded
 * documents, returns problems with field paths. The modules, by concern:
 *   manifest.ts       kinds, apiVersions, metadata (what the API server checks on every object)
 *   analysis-spec.ts  one template or run: Argo's template and run validation (semantics §1–§2)
 *   metric-rules.ts   Argo's ValidateMetric on partly known `{{args.x}}` values
 *   provider-config.ts, job-spec.ts  provider blocks Argo cannot build, Jobs the API server refuses
 *   references.ts, rollout-usages.ts Rollouts and Experiments against the templates they use
 *   unknown-fields.ts pruned fields: warnings, unless a near miss of a real field
 *   yaml-source.ts    line:column, and YAML that kubectl cannot convert
 */
import type { LoadedResource, LoadError } from '../api/load.js';
import type { AnalysisTemplateSpec } from '../api/types.js';
import { lintAnalysisSpec } from './analysis-spec.js';
import { lintKind, lintMetadata } from './manifest.js';
import { isRecord, Problems, type LintDoc, type LocatedProblem, type Severity } from './problem.js';
import { lintReferences, type Catalog } from './references.js';
import { judgeUnknownField } from './unknown-fields.js';

export type { LintDoc, LintProblem, LocatedProblem, Severity } from './problem.js';

export function toLintDoc(r: LoadedResource): LintDoc {
  const object = r.object as unknown as Record<string, unknown>;
  const doc: LintDoc = {
    file: r.file,
    documentIndex: r.documentIndex,
    apiVersion: typeof object.apiVersion === 'string' ? object.apiVersion : undefined,
    kind: r.kind === 'other' ? r.resourceKind : r.kind,
    name: r.name,
    namespace: r.namespace,
    object,
  };
  if (r.itemIndex !== undefined) doc.itemIndex = r.itemIndex;
  return doc;
}

const specOf = (doc: LintDoc) => (isRecord(doc.object.spec) ? doc.object.spec : {}) as AnalysisTemplateSpec;

/** Every check on every document; cross-references see all documents at once. */
export function lintDocuments(
  docs: readonly LintDoc[],
  unloadable: readonly LoadError[] = [],
): { problems: LocatedProblem[]; checked: number } {
  const catalog: Catalog = { templates: [], clusterTemplates: [], unloadable: new Set() };
  for (const e of unloadable) if (e.kind && e.name) catalog.unloadable.add(`${e.kind}/${e.name}`);
  const checkedDocs: LintDoc[] = [];
  const problems: LocatedProblem[] = [];
  const perDoc = new Map<LintDoc, Problems>();
  for (const doc of docs) {
    const p = new Problems();
    perDoc.set(doc, p);
    if (!lintKind(doc, p)) continue;
    checkedDocs.push(doc);
    lintMetadata(doc, p);
    if (doc.kind === 'AnalysisTemplate') catalog.templates.push({ doc, spec: specOf(doc) });
    if (doc.kind === 'ClusterAnalysisTemplate') catalog.clusterTemplates.push({ doc, spec: specOf(doc) });
  }
  warnRedefined([...catalog.templates, ...catalog.clusterTemplates].map((t) => t.doc), perDoc);
  checkSecretKeys(docs, checkedDocs, perDoc);
  for (const doc of checkedDocs) {
    const p = perDoc.get(doc)!;
    if (doc.kind === 'AnalysisTemplate' || doc.kind === 'ClusterAnalysisTemplate' || doc.kind === 'AnalysisRun') {
      lintAnalysisSpec(doc.kind, specOf(doc), p);
    }
    if (doc.kind !== 'AnalysisRun') lintReferences(doc, catalog, p);
  }
  for (const doc of docs) for (const x of perDoc.get(doc)!.list) problems.push({ ...x, doc });
  return { problems, checked: checkedDocs.length };
}

/**
 * A `secretKeyRef` arg whose Secret is among the linted files must name one of its keys; Argo
 * reads the key at every reconcile and fails the run without it. Secrets kept elsewhere are not judged.
 */
function checkSecretKeys(all: readonly LintDoc[], checked: readonly LintDoc[], perDoc: Map<LintDoc, Problems>): void {
  const secrets = all.filter((d) => d.kind === 'Secret' && d.apiVersion === 'v1');
  if (secrets.length === 0) return;
  for (const doc of checked) {
    if (doc.kind === 'Rollout' || doc.kind === 'Experiment') continue;
    (specOf(doc).args ?? []).forEach((arg, i) => {
      const ref = arg.valueFrom?.secretKeyRef;
      if (!ref) return;
      const secret = secrets.find((s) => s.name === ref.name && (!s.namespace || !doc.namespace || s.namespace === doc.namespace));
      if (!secret) return;
      const keys = new Set([secret.object.data, secret.object.stringData].flatMap((m) => (isRecord(m) ? Object.keys(m) : [])));
      if (!keys.has(ref.key)) {
        perDoc.get(doc)!.error(['spec', 'args', i, 'valueFrom', 'secretKeyRef', 'key'], `key '${ref.key}' does not exist in secret '${ref.name}' (${secret.file} has: ${[...keys].join(', ') || 'no keys'})`);
      }
    });
  }
}

/** The same template defined twice: applying both keeps only the last one. */
function warnRedefined(templates: LintDoc[], perDoc: Map<LintDoc, Problems>): void {
  const first = new Map<string, LintDoc>();
  for (const doc of templates) {
    const key = `${doc.kind}/${doc.kind === 'ClusterAnalysisTemplate' ? '' : (doc.namespace ?? '')}/${doc.name}`;
    const prev = first.get(key);
    if (!prev) first.set(key, doc);
    else {
      perDoc.get(doc)!.warn(['metadata', 'name'], `${doc.kind} ${doc.name} is also defined in ${prev.file} (document ${prev.documentIndex + 1}): applying both keeps only the last one`);
    }
  }
}

/** A loader problem as lint judges it: unknown fields are pruned by Argo's CRD (see unknown-fields.ts). */
export function judgeLoadProblem(e: LoadError): { severity: Severity; message: string } {
  if (e.reason !== 'unknown field' || e.path === undefined) return { severity: 'error', message: e.message };
  const judged = judgeUnknownField(e.kind ?? '', e.path);
  return { severity: judged.severity, message: e.message.replace(`${e.path}: unknown field`, `${e.path}: ${judged.message}`) };
}
