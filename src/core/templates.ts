/**
 * Turning template references into an AnalysisRun spec, as a Rollout does (Argo's
 * getAnalysisTemplatesFromRefs, FlattenTemplates, MergeArgs, NewAnalysisRunFromTemplates).
 * Template lookup is a synchronous port so that this stays pure; callers pre-load templates.
 */
import type {
  AnalysisRunSpec,
  AnalysisTemplate,
  AnalysisTemplateRef,
  Argument,
  DryRun,
  MeasurementRetention,
  Metric,
} from '../api/types.js';
import type { Resolved } from './args.js';

export interface TemplateLookup {
  /** A namespaced AnalysisTemplate in `namespace`, or undefined when it does not exist. */
  template(namespace: string, name: string): AnalysisTemplate | undefined;
  /** A ClusterAnalysisTemplate, or undefined. */
  clusterTemplate(name: string): AnalysisTemplate | undefined;
}

export interface CollectedTemplates {
  templates: AnalysisTemplate[];
  clusterTemplates: AnalysisTemplate[];
}

/**
 * Resolve refs (and nested `spec.templates`, depth first) in the run's namespace. Argo has no
 * cycle detection and would recurse until it crashes; assay reports the cycle instead.
 */
export function collectTemplates(
  refs: readonly AnalysisTemplateRef[],
  namespace: string,
  lookup: TemplateLookup,
): Resolved<CollectedTemplates> {
  const templates: AnalysisTemplate[] = [];
  const clusterTemplates: AnalysisTemplate[] = [];
  const visit = (list: readonly AnalysisTemplateRef[], path: string[]): string | undefined => {
    for (const ref of list) {
      const id = `${ref.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate'}/${ref.templateName}`;
      if (path.includes(id)) return `template reference cycle: ${[...path, id].join(' -> ')}`;
      const t = ref.clusterScope
        ? lookup.clusterTemplate(ref.templateName)
        : lookup.template(namespace, ref.templateName);
      if (!t) {
        const resource = ref.clusterScope ? 'clusteranalysistemplate' : 'analysistemplate';
        return `${resource}.argoproj.io "${ref.templateName}" not found`;
      }
      (ref.clusterScope ? clusterTemplates : templates).push(t);
      const nested = t.spec?.templates;
      if (nested && nested.length > 0) {
        const err = visit(nested, [...path, id]);
        if (err) return err;
      }
    }
    return undefined;
  };
  const err = visit(refs, []);
  if (err) return { ok: false, error: err };
  return { ok: true, value: { templates: uniqueByName(templates), clusterTemplates: uniqueByName(clusterTemplates) } };
}

/** Argo's FilterUniqueTemplates: first occurrence of each name wins. */
function uniqueByName(list: AnalysisTemplate[]): AnalysisTemplate[] {
  const seen = new Set<string>();
  return list.filter((t) => {
    const name = t.metadata?.name ?? '';
    if (seen.has(name)) return false;
    seen.add(name);
    return true;
  });
}

interface Flattened {
  metrics: Metric[];
  dryRun: DryRun[];
  measurementRetention: MeasurementRetention[];
  args: Argument[];
}

/** Argo's FlattenTemplates: namespaced templates first, then cluster templates. */
export function flattenTemplates(collected: CollectedTemplates): Resolved<Flattened> {
  const all = [...collected.templates, ...collected.clusterTemplates];
  const metrics: Metric[] = [];
  const names = new Set<string>();
  for (const t of all) {
    for (const m of t.spec?.metrics ?? []) {
      if (names.has(m.name)) return { ok: false, error: `two metrics have the same name '${m.name}'` };
      names.add(m.name);
      metrics.push(m);
    }
  }
  const dryRun = concatUnique(all.map((t) => t.spec?.dryRun ?? []), 'Dry-Run');
  if (!dryRun.ok) return dryRun;
  const retention = concatUnique(all.map((t) => t.spec?.measurementRetention ?? []), 'Measurement Retention');
  if (!retention.ok) return retention;
  const args: Argument[] = [];
  for (const t of all) {
    for (const arg of t.spec?.args ?? []) {
      const i = args.findIndex((a) => a.name === arg.name);
      if (i < 0) {
        args.push(arg);
        continue;
      }
      const prev = args[i]!;
      if (prev.value !== undefined && arg.value !== undefined && prev.value !== arg.value) {
        return {
          ok: false,
          error: `Argument \`${prev.name}\` specified multiple times with different values: '${prev.value}', '${arg.value}'`,
        };
      }
      if (prev.value === undefined) args[i] = arg;
    }
  }
  return { ok: true, value: { metrics, dryRun: dryRun.value, measurementRetention: retention.value, args } };
}

function concatUnique<T extends { metricName: string }>(lists: T[][], label: string): Resolved<T[]> {
  const out: T[] = [];
  const seen = new Set<string>();
  for (const list of lists) {
    for (const rule of list) {
      if (seen.has(rule.metricName)) {
        return { ok: false, error: `two ${label} metric rules have the same name '${rule.metricName}'` };
      }
      seen.add(rule.metricName);
      out.push(rule);
    }
  }
  return { ok: true, value: out };
}

/**
 * Argo's MergeArgs: only template-declared args survive; an incoming value (or valueFrom)
 * overrides; every remaining arg must have a value or valueFrom.
 */
function mergeArgs(incoming: readonly Argument[], templateArgs: readonly Argument[]): Resolved<Argument[]> {
  const merged = templateArgs.map((a) => ({ ...a }));
  for (const arg of incoming) {
    const target = merged.find((a) => a.name === arg.name);
    if (!target) continue;
    if (arg.value !== undefined && arg.value !== null) target.value = arg.value;
    else if (arg.valueFrom) target.valueFrom = arg.valueFrom;
  }
  for (const arg of merged) {
    if ((arg.value === undefined || arg.value === null) && !arg.valueFrom) {
      return { ok: false, error: `args.${arg.name} was not resolved` };
    }
  }
  return { ok: true, value: merged };
}

export interface RunRequest {
  namespace: string;
  templates: readonly AnalysisTemplateRef[];
  args?: readonly Argument[];
  dryRun?: readonly DryRun[];
  measurementRetention?: readonly MeasurementRetention[];
}

/** Argo's NewAnalysisRunFromTemplates: the spec a Rollout would create. */
export function analysisRunSpecFromTemplates(req: RunRequest, lookup: TemplateLookup): Resolved<AnalysisRunSpec> {
  const collected = collectTemplates(req.templates, req.namespace, lookup);
  if (!collected.ok) return collected;
  const flat = flattenTemplates(collected.value);
  if (!flat.ok) return flat;
  const args = mergeArgs(req.args ?? [], flat.value.args);
  if (!args.ok) return args;
  const dryRun = concatUnique([[...(req.dryRun ?? [])], flat.value.dryRun], 'Dry-Run');
  if (!dryRun.ok) return dryRun;
  const retention = concatUnique(
    [[...(req.measurementRetention ?? [])], flat.value.measurementRetention],
    'Measurement Retention',
  );
  if (!retention.ok) return retention;
  const spec: AnalysisRunSpec = { metrics: flat.value.metrics };
  if (args.value.length > 0) spec.args = args.value;
  if (dryRun.value.length > 0) spec.dryRun = dryRun.value;
  if (retention.value.length > 0) spec.measurementRetention = retention.value;
  return { ok: true, value: spec };
}

export interface LookupOptions {
  /**
   * Require a namespaced template's `metadata.namespace` to equal the run's namespace, as the Argo
   * controller does. A template that names no namespace (usual in a checkout applied with
   * `kubectl -n`) matches every namespace either way. `assay run` turns this off: its files are
   * the templates the user means, whatever namespace they were written for.
   */
  matchNamespace: boolean;
}

/** A TemplateLookup over an already-loaded list of AnalysisTemplates and ClusterAnalysisTemplates. */
export function templateLookup(templates: readonly AnalysisTemplate[], opts: LookupOptions): TemplateLookup {
  return {
    template: (namespace, name) =>
      templates.find(
        (t) =>
          t.kind === 'AnalysisTemplate' &&
          t.metadata.name === name &&
          (!opts.matchNamespace || t.metadata.namespace === undefined || t.metadata.namespace === namespace),
      ),
    clusterTemplate: (name) => templates.find((t) => t.kind === 'ClusterAnalysisTemplate' && t.metadata.name === name),
  };
}
