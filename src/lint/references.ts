/**
 * A Rollout's or Experiment's analyses against the templates in the linted files, as Argo's
 * controller checks them (rollout/controller.go getReferencedAnalysisTemplates, and
 * validation_references.go ValidateAnalysisTemplatesWithType): references that do not resolve,
 * template merges that fail (FlattenTemplates / MergeArgs), args a template requires and the
 * Rollout does not pass, and metrics that run indefinitely where Argo refuses them
 * (pre/post-promotion and inline step analysis; background and experiment analyses may).
 * Checks that skipped a value coming from an arg are repeated here with the values passed.
 */
import { formatPath } from '../api/schema/issues.js';
import type { AnalysisTemplateSpec, Argument, Metric } from '../api/types.js';
import { lintMetric, ownArgValues } from './analysis-spec.js';
import { substitute, termination } from './metric-rules.js';
import { goRegexpMatch, goRegexpValid } from '../core/rules.js';
import { closest, Problems, type LintDoc } from './problem.js';
import { collectUsages, type TemplateRef, type Usage } from './rollout-usages.js';

interface TemplateEntry {
  doc: LintDoc;
  spec: AnalysisTemplateSpec;
}

export interface Catalog {
  templates: TemplateEntry[];
  clusterTemplates: TemplateEntry[];
  /** `Kind/name` of templates that failed to load: they exist, their errors are reported already. */
  unloadable: Set<string>;
}

const kindName = (cluster: boolean) => (cluster ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate');

/**
 * The template a reference resolves to. When the linted files define the name more than once, the
 * one in the referring file wins, else the last one (what `kubectl apply` of all of them leaves).
 */
function find(catalog: Catalog, ref: TemplateRef, namespace: string | undefined, file: string): TemplateEntry | undefined {
  const list = ref.clusterScope ? catalog.clusterTemplates : catalog.templates;
  const matches = list.filter(
    (t) => t.doc.name === ref.templateName && (ref.clusterScope || !namespace || !t.doc.namespace || t.doc.namespace === namespace),
  );
  return matches.find((t) => t.doc.file === file) ?? matches[matches.length - 1];
}

/**
 * An unresolved reference is an error when the linted files could have resolved it; it is only a
 * warning when there is nothing to check against (no other template at all) or, for a template
 * composing others, when no near name explains it (platform teams often install those separately).
 */
function notFound(catalog: Catalog, ref: TemplateRef, doc: LintDoc, composition: boolean, p: Problems): void {
  const namespace = doc.namespace;
  const kind = kindName(ref.clusterScope);
  const list = ref.clusterScope ? catalog.clusterTemplates : catalog.templates;
  const base = `${kind} '${ref.templateName}' not found`;
  const other = (ref.clusterScope ? catalog.templates : catalog.clusterTemplates).find((t) => t.doc.name === ref.templateName);
  const elsewhere = list.find((t) => t.doc.name === ref.templateName);
  const near = closest(ref.templateName!, list.map((t) => t.doc.name ?? ''));
  let hint = '';
  if (other) hint = ` (there is a ${kindName(!ref.clusterScope)} of that name: ${ref.clusterScope ? 'remove' : 'set'} clusterScope: true)`;
  else if (elsewhere) hint = ` (it is in namespace ${elsewhere.doc.namespace}; templates resolve in the Rollout's namespace ${namespace})`;
  else if (near) hint = ` (did you mean '${near}'?)`;
  const others = [...catalog.templates, ...catalog.clusterTemplates].filter((t) => t.doc !== doc).length + catalog.unloadable.size;
  if (others === 0 || (composition && hint === '')) {
    p.warn([...ref.at, 'templateName'], `${base} among the linted files: lint them together with the templates they use to check the reference`);
  } else p.error([...ref.at, 'templateName'], `${base}${hint}`);
}

/** Argo's getAnalysisTemplatesFromRefs: recursive, first of each name kept; undefined when a ref fails. */
function resolve(usage: Usage, catalog: Catalog, doc: LintDoc, p: Problems) {
  const namespace = doc.namespace;
  const templates: TemplateEntry[] = [];
  const clusterTemplates: TemplateEntry[] = [];
  let ok = true;
  const visit = (refs: TemplateRef[], depth: number, chain: TemplateEntry[] = usage.type === 'TemplateComposition' ? [{ doc, spec: doc.object.spec as AnalysisTemplateSpec }] : []) => {
    for (const ref of refs) {
      if (!ref.templateName) {
        p.error([...ref.at, 'templateName'], 'Required value: a template reference needs templateName');
        ok = false;
        continue;
      }
      const t = find(catalog, ref, namespace, doc.file);
      if (!t && catalog.unloadable.has(`${kindName(ref.clusterScope)}/${ref.templateName}`)) {
        ok = false;
        continue;
      }
      if (!t) {
        if (depth === 0) notFound(catalog, ref, doc, usage.type === 'TemplateComposition', p);
        else p.error(usage.at, `${kindName(ref.clusterScope)} '${ref.templateName}' not found (referenced from a nested spec.templates)`);
        ok = false;
        continue;
      }
      if (chain.some((c) => c.doc === t.doc)) {
        const names = [...chain, t].map((c) => c.doc.name).join(' -> ');
        p.error(usage.at, `templates reference each other in a cycle (${names}): Argo's controller follows spec.templates without end`);
        ok = false;
        continue;
      }
      const list = ref.clusterScope ? clusterTemplates : templates;
      if (list.includes(t)) continue; // FilterUniqueTemplates
      list.push(t);
      const nested = (t.spec.templates ?? []).map((r, i) => ({ templateName: r.templateName, clusterScope: r.clusterScope === true, at: ['spec', 'templates', i] }));
      if (depth < 20) visit(nested, depth + 1, [...chain, t]);
    }
  };
  visit(usage.refs, 0);
  return ok ? [...templates, ...clusterTemplates] : undefined;
}

/** FlattenTemplates and MergeArgs; returns the merged arg values, or undefined after an error. */
function merge(usage: Usage, all: TemplateEntry[], names: string, p: Problems): Map<string, string | undefined> | undefined {
  const at = [...usage.at, ...(usage.type === 'ExperimentAnalysis' ? [] : ['templates'])];
  const fail = (message: string) => {
    p.error(at, `Invalid value: "templateNames: [${names}]": ${message}`);
    return undefined;
  };
  const metricNames = new Set<string>();
  for (const t of all) {
    for (const m of t.spec.metrics ?? []) {
      if (metricNames.has(m.name)) return fail(`two metrics have the same name '${m.name}'`);
      metricNames.add(m.name);
    }
  }
  for (const [field, label] of [['dryRun', 'Dry-Run'], ['measurementRetention', 'Measurement Retention']] as const) {
    const seen = new Set<string>();
    // The Rollout's rules come first (Argo: rolloutAnalysis.dryRun ++ template.dryRun); each must be a
    // Go regexp that matches a metric of the merged templates, or the run ends in Error.
    const own = (usage.rules ?? []).filter((r) => r.field === field);
    for (const [i, r] of own.entries()) {
      const bad = goRegexpValid(r.metricName);
      if (bad !== undefined) p.error(r.at, `invalid Go regexp "${r.metricName}": ${bad}`);
      else if (![...metricNames].some((m) => goRegexpMatch(r.metricName, m))) p.error(r.at, `${field}[${i}]: Rule didn't match any metric name(s) (templates: ${names})`);
      if (seen.has(r.metricName)) return fail(`two ${label} metric rules have the same name '${r.metricName}'`);
      seen.add(r.metricName);
    }
    for (const t of all) {
      for (const r of t.spec[field] ?? []) {
        if (seen.has(r.metricName)) return fail(`two ${label} metric rules have the same name '${r.metricName}'`);
        seen.add(r.metricName);
      }
    }
  }
  const args: Argument[] = [];
  for (const t of all) {
    for (const a of t.spec.args ?? []) {
      const i = args.findIndex((x) => x.name === a.name);
      if (i < 0) args.push({ ...a });
      else if (args[i]!.value !== undefined && a.value !== undefined && args[i]!.value !== a.value) {
        return fail(`Argument \`${a.name}\` specified multiple times with different values: '${args[i]!.value}', '${a.value}'`);
      } else if (args[i]!.value === undefined) args[i] = { ...a };
    }
  }
  const values = ownArgValues(args);
  if (usage.type === 'TemplateComposition') return values;
  for (const passed of usage.args) {
    if (!args.some((a) => a.name === passed.name)) {
      p.warn(passed.at, `arg "${passed.name}" is declared by none of the templates (${names}): Argo drops it`);
    } else if (passed.supplied) values.set(passed.name, passed.value);
  }
  for (const a of args) {
    const passed = usage.args.find((x) => x.name === a.name && x.supplied);
    if (a.value === undefined && a.valueFrom?.fieldRef && !a.valueFrom.secretKeyRef && !passed) {
      p.error(at, `Unable to resolve metric arguments: argument "${a.name}" was not supplied (the template reads it with valueFrom.fieldRef, which Argo never resolves on a run: pass it in ${[...usage.at, 'args'].join('.')})`);
      return undefined;
    }
    if (a.value === undefined && !a.valueFrom && !passed) {
      const where = usage.type === 'BackgroundAnalysis' ? 'missing analysis arguments in rollout spec: ' : '';
      return fail(`${where}args.${a.name} was not resolved (the template declares "${a.name}" without a value: pass it in ${[...usage.at, 'args'].join('.')})`);
    }
  }
  return values;
}

/** The metric problems that only show with the args this usage passes. */
function withPassedValues(t: TemplateEntry, values: Map<string, string | undefined>, usage: Usage, p: Problems): void {
  const alone = new Problems();
  const passed = new Problems();
  const own = ownArgValues(t.spec.args);
  (t.spec.metrics ?? []).forEach((m, i) => {
    lintMetric(m, own, ['spec', 'metrics', i], alone);
    lintMetric(m, values, ['spec', 'metrics', i], passed);
  });
  const seen = new Set(alone.list.map((x) => x.message));
  for (const x of passed.list) {
    if (x.severity === 'error' && !seen.has(x.message)) {
      p.error(usage.at, `${kindName(t.doc.kind === 'ClusterAnalysisTemplate')} ${t.doc.name}, ${formatPath(x.path)}, with the args passed here: ${x.message}`);
    }
  }
}

function indefinite(t: TemplateEntry, metric: Metric, values: Map<string, string | undefined>, usage: Usage, p: Problems): void {
  const state = termination(substitute(metric, values));
  const at = [...usage.at, 'templates'];
  if (state.kind === 'indefinite') {
    p.error(at, `AnalysisTemplate ${t.doc.name} has metric ${metric.name} which runs indefinitely. Invalid value for count: ${state.countText}`);
  } else if (state.kind === 'unknown') {
    p.warn(at, `metric ${metric.name} of ${t.doc.name} takes ${state.fields.join(' and ')} from args whose value is not known here: Argo refuses a ${usage.type} metric that runs indefinitely (interval without count)`);
  }
}

export function lintReferences(doc: LintDoc, catalog: Catalog, p: Problems): void {
  for (const usage of collectUsages(doc, p)) {
    const resolved = resolve(usage, catalog, doc, p);
    if (!resolved || resolved.length === 0) continue;
    const self = usage.type === 'TemplateComposition' ? [{ doc, spec: doc.object.spec as AnalysisTemplateSpec }] : [];
    const all = [...self, ...resolved.filter((t) => t.doc !== doc)];
    const names = all.map((t) => t.doc.name).join(' ');
    const values = merge(usage, all, names, p);
    if (!values) continue;
    const refuseIndefinite = usage.type === 'PrePromotionAnalysis' || usage.type === 'PostPromotionAnalysis' || usage.type === 'InlineAnalysis';
    for (const t of all) {
      if (refuseIndefinite) {
        for (const a of t.spec.args ?? []) {
          if (a.value !== undefined && a.valueFrom) p.error([...usage.at, 'templates'], `AnalysisTemplate ${t.doc.name}: arg '${a.name}' has both Value and ValueFrom fields`);
        }
        for (const m of t.spec.metrics ?? []) indefinite(t, m, values, usage, p);
      }
      withPassedValues(t, values, usage, p);
    }
  }
}
