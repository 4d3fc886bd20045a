/**
 * What the API server checks on every document before any controller sees it: the kind exists in
 * the apiVersion (`kind: AnalysisTemplates` or `argoproj.io/v1` would get "no matches for kind"),
 * and `metadata` is valid (a name or generateName, DNS-1123 names, label and annotation syntax).
 * Only argoproj.io documents, and documents that look like they were meant to be, are judged:
 * Services, Deployments and other groups' kinds are not lint's business.
 */
import { lintStringMap } from './job-spec.js';
import { dns1123Label, dns1123Subdomain } from './k8s-names.js';
import { closest, isRecord, type LintDoc, type Problems } from './problem.js';

const ROLLOUTS_KINDS = ['AnalysisTemplate', 'ClusterAnalysisTemplate', 'AnalysisRun', 'Rollout', 'Experiment'];
const ANALYSIS_KINDS = new Set(['AnalysisTemplate', 'ClusterAnalysisTemplate', 'AnalysisRun']);

/** Every kind served in the argoproj.io group by Argo Rollouts, CD, Workflows and Events (and their operators). */
const ARGOPROJ_KINDS = new Set([
  ...ROLLOUTS_KINDS,
  'Application', 'ApplicationSet', 'AppProject', 'ArgoCD', 'ArgoCDExport', 'RolloutManager', 'RolloutPlugin', 'NotificationsConfiguration',
  'Workflow', 'WorkflowTemplate', 'ClusterWorkflowTemplate', 'CronWorkflow', 'WorkflowEventBinding', 'WorkflowTaskSet',
  'WorkflowTaskResult', 'WorkflowArtifactGCTask', 'EventSource', 'Sensor', 'EventBus',
  'List', 'AnalysisTemplateList', 'ClusterAnalysisTemplateList', 'AnalysisRunList', 'RolloutList', 'ExperimentList',
]);

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');

/** Kind and apiVersion: true when the document is an Argo Rollouts resource lint should go on checking. */
export function lintKind(doc: LintDoc, p: Problems): boolean {
  const { kind } = doc;
  const apiVersion = doc.apiVersion ?? '';
  const group = groupOf(apiVersion);
  const near = (ROLLOUTS_KINDS.includes(kind) ? kind : undefined) ?? closest(kind, ROLLOUTS_KINDS) ?? ROLLOUTS_KINDS.find((k) => kind.toLowerCase() === `${k.toLowerCase()}s`);
  const hint = near !== undefined && near !== kind ? ` (did you mean kind: ${near}?)` : '';
  if (group === 'argoproj.io') {
    if (!ARGOPROJ_KINDS.has(kind)) {
      p.error(['kind'], `no matches for kind "${kind}" in version "${apiVersion}": the argoproj.io group has no such kind${hint}`);
      return false;
    }
    if (ROLLOUTS_KINDS.includes(kind) && apiVersion !== 'argoproj.io/v1alpha1') {
      // The loader's schema already reports this for the analysis kinds.
      if (!ANALYSIS_KINDS.has(kind)) p.error(['apiVersion'], `no matches for kind "${kind}" in version "${apiVersion}": Argo Rollouts serves argoproj.io/v1alpha1`);
      return false;
    }
    return ROLLOUTS_KINDS.includes(kind);
  }
  // A Rollouts kind (or a near miss of one) under a built-in group or no group at all was meant
  // for Argo; another CRD group may legitimately reuse a name.
  if (near !== undefined && !group.includes('.')) {
    p.error(
      doc.apiVersion === undefined ? [] : ['apiVersion'],
      `no matches for kind "${kind}" in version "${apiVersion}": Argo Rollouts kinds are apiVersion: argoproj.io/v1alpha1${hint}`,
    );
  }
  return false;
}

/** ObjectMeta as the API server validates it for a namespaced or cluster-scoped custom resource. */
export function lintMetadata(doc: LintDoc, p: Problems): void {
  const meta = doc.object.metadata;
  if (!isRecord(meta)) {
    if (meta === undefined) p.error(['metadata'], 'metadata.name: Required value: name or generateName is required');
    return;
  }
  const name = meta.name;
  const generateName = meta.generateName;
  if ((name === undefined || name === '') && (generateName === undefined || generateName === '')) {
    p.error(['metadata'], 'metadata.name: Required value: name or generateName is required');
  } else if (typeof name === 'string' && name !== '') {
    for (const m of dns1123Subdomain(name)) p.error(['metadata', 'name'], `Invalid value: "${name}": ${m}`);
  } else if (typeof generateName === 'string' && name === undefined) {
    const base = generateName.replace(/-$/, '') || 'x';
    for (const m of dns1123Subdomain(base)) p.error(['metadata', 'generateName'], `Invalid value: "${generateName}": ${m}`);
    if (doc.kind !== 'AnalysisRun' && doc.kind !== 'Experiment') {
      p.warn(['metadata', 'generateName'], `a ${doc.kind} with only generateName gets a random name: nothing can reference it, and kubectl apply refuses it`);
    }
  }
  const ns = meta.namespace;
  if (typeof ns === 'string' && ns !== '') {
    for (const m of dns1123Label(ns)) p.error(['metadata', 'namespace'], `Invalid value: "${ns}": ${m}`);
  }
  if (doc.kind === 'ClusterAnalysisTemplate' && typeof ns === 'string' && ns !== '') {
    p.warn(['metadata', 'namespace'], 'a ClusterAnalysisTemplate is cluster-scoped: its namespace is ignored');
  }
  // The analysis kinds' label and annotation *types* are checked by the loader's schema.
  const typed = ANALYSIS_KINDS.has(doc.kind);
  for (const kind of ['labels', 'annotations'] as const) {
    const map = meta[kind];
    if (typed && isRecord(map)) {
      const strings = Object.fromEntries(Object.entries(map).filter(([, v]) => typeof v === 'string'));
      lintStringMap(strings, kind, ['metadata', kind], p);
    } else lintStringMap(map, kind, ['metadata', kind], p);
  }
}
