/**
 * Where Rollouts and Experiments use analysis templates, read from the documents as written:
 * blue-green pre/post-promotion analysis, canary background analysis, inline canary step analysis,
 * analyses of canary experiment steps and of Experiments. Each use carries its template
 * references, the args it passes and the field path Argo names in its messages.
 */
import { asArray, isRecord, type FieldPath, type LintDoc, type Problems } from './problem.js';

/** Argo's AnalysisTemplateType, plus Experiment analyses (which Argo validates only when it runs them). */
type UsageType =
  | 'PrePromotionAnalysis'
  | 'PostPromotionAnalysis'
  | 'InlineAnalysis'
  | 'BackgroundAnalysis'
  | 'ExperimentAnalysis'
  /** A template's own `spec.templates`: args arrive later, from whoever uses the template. */
  | 'TemplateComposition';

export interface TemplateRef {
  templateName: string | undefined;
  clusterScope: boolean;
  at: FieldPath;
}

/** An arg as passed: a known value, supplied but unknown here (valueFrom), or given nothing. */
interface PassedArg {
  name: string;
  value: string | undefined;
  supplied: boolean;
  at: FieldPath;
}

export interface Usage {
  type: UsageType;
  /** The RolloutAnalysis (or experiment analysis) object: `spec.strategy.blueGreen.prePromotionAnalysis`. */
  at: FieldPath;
  refs: TemplateRef[];
  args: PassedArg[];
  /** The Rollout's own dryRun / measurementRetention rules, merged before the templates' (RolloutAnalysis only). */
  rules?: { field: 'dryRun' | 'measurementRetention'; metricName: string; at: FieldPath }[];
}

const DOWNWARD_API = /^metadata\.(name|namespace|uid|labels|annotations|labels\['[^']*'\]|annotations\['[^']*'\])$/;

/** A Rollout `fieldRef` Argo can resolve from the manifest itself (`metadata.name`, `metadata.labels['x']`). */
function fieldRefValue(rollout: Record<string, unknown>, path: string): string | undefined {
  const meta = isRecord(rollout.metadata) ? rollout.metadata : {};
  if (path === 'metadata.name' || path === 'metadata.namespace') {
    const v = meta[path.slice(9)];
    return typeof v === 'string' ? v : undefined;
  }
  const m = /^metadata\.(labels|annotations)\['([^']*)'\]$/.exec(path);
  if (m) {
    const map = meta[m[1]!];
    return isRecord(map) && typeof map[m[2]!] === 'string' ? (map[m[2]!] as string) : '';
  }
  return undefined;
}

/**
 * Argo's extractValueFromRollout for a fieldRef outside `metadata`: the path split on `.[]`, walked
 * through the Rollout as JSON, ending in a primitive (formatted with %v). `status` only exists live.
 */
function rolloutPathValue(rollout: Record<string, unknown>, path: string): { value?: string; error?: string } {
  if (/^status\b/.test(path)) return {};
  let node: unknown = rollout;
  for (const section of path.split(/[.[\]]+/)) {
    if (section === '') continue;
    if (Array.isArray(node)) {
      if (!/^[+-]?\d+$/.test(section)) return { error: `invalid index '${section}'` };
      const i = Number(section);
      if (i >= node.length) return { error: `index ${i} out of range` };
      node = node[i];
    } else if (isRecord(node)) node = node[section];
    else return { error: `invalid path ${path} in rollout` };
  }
  if (node === undefined || node === null) return { error: `invalid path ${path} in rollout` };
  if (typeof node === 'object') return { error: `path ${path} in rollout must terminate in a primitive value` };
  return { value: String(node) };
}

function passedArgs(list: unknown, at: FieldPath, owner: Record<string, unknown> | undefined, inStep: boolean, p: Problems): PassedArg[] {
  return asArray(list).flatMap((a, i) => {
    if (!isRecord(a) || typeof a.name !== 'string') return [];
    const argAt = [...at, i];
    const vf = isRecord(a.valueFrom) ? a.valueFrom : undefined;
    let value = typeof a.value === 'string' ? a.value : undefined;
    const fieldPath = vf && isRecord(vf.fieldRef) && typeof vf.fieldRef.fieldPath === 'string' ? vf.fieldRef.fieldPath : undefined;
    if (owner && fieldPath !== undefined) {
      if (inStep && fieldPath.startsWith('metadata') && !DOWNWARD_API.test(fieldPath)) {
        p.error([...argAt, 'valueFrom', 'fieldRef', 'fieldPath'], 'Analyses arguments must refer to valid object metadata supported by downwardAPI');
      }
      if (fieldPath.startsWith('metadata')) value = fieldRefValue(owner, fieldPath) ?? value;
      else {
        const r = rolloutPathValue(owner, fieldPath);
        if (r.error !== undefined) p.error([...argAt, 'valueFrom', 'fieldRef', 'fieldPath'], r.error);
        value = r.value;
      }
    } else if (vf) value = undefined;
    if (vf && vf.podTemplateHashValue !== undefined && !['Stable', 'Latest'].includes(String(vf.podTemplateHashValue))) {
      p.error([...argAt, 'valueFrom', 'podTemplateHashValue'], `Unsupported value: ${JSON.stringify(vf.podTemplateHashValue)}: supported values: "Stable", "Latest"`);
    }
    return [{ name: a.name, value, supplied: value !== undefined || vf !== undefined, at: argAt }];
  });
}

function refsOf(analysis: Record<string, unknown>, at: FieldPath): TemplateRef[] {
  return asArray(analysis.templates).flatMap((r, i) =>
    isRecord(r)
      ? [{ templateName: typeof r.templateName === 'string' ? r.templateName : undefined, clusterScope: r.clusterScope === true, at: [...at, 'templates', i] }]
      : [],
  );
}

function rolloutAnalysis(type: UsageType, v: unknown, at: FieldPath, owner: Record<string, unknown>, p: Problems): Usage[] {
  if (!isRecord(v)) return [];
  const rules = (['dryRun', 'measurementRetention'] as const).flatMap((field) =>
    asArray(v[field]).flatMap((r, i) =>
      isRecord(r) && typeof r.metricName === 'string' ? [{ field, metricName: r.metricName, at: [...at, field, i, 'metricName'] }] : [],
    ),
  );
  return [{ type, at, refs: refsOf(v, at), args: passedArgs(v.args, [...at, 'args'], owner, type === 'InlineAnalysis', p), rules }];
}

/** One analysis of an Experiment or of a canary experiment step: a single template reference. */
function experimentAnalyses(list: unknown, at: FieldPath, owner: Record<string, unknown> | undefined, p: Problems): Usage[] {
  return asArray(list).flatMap((a, i) => {
    if (!isRecord(a)) return [];
    const aat = [...at, i];
    const ref: TemplateRef = {
      templateName: typeof a.templateName === 'string' ? a.templateName : undefined,
      clusterScope: a.clusterScope === true,
      at: aat,
    };
    return [{ type: 'ExperimentAnalysis' as const, at: aat, refs: [ref], args: passedArgs(a.args, [...aat, 'args'], owner, owner !== undefined, p) }];
  });
}

export function collectUsages(doc: LintDoc, p: Problems): Usage[] {
  const spec = isRecord(doc.object.spec) ? doc.object.spec : {};
  if (doc.kind === 'AnalysisTemplate' || doc.kind === 'ClusterAnalysisTemplate') {
    const refs = refsOf(spec, ['spec']);
    return refs.length > 0 ? [{ type: 'TemplateComposition', at: ['spec'], refs, args: [] }] : [];
  }
  if (doc.kind === 'Experiment') return experimentAnalyses(spec.analyses, ['spec', 'analyses'], undefined, p);
  const strategy = isRecord(spec.strategy) ? spec.strategy : {};
  const usages: Usage[] = [];
  const owner = doc.object;
  if (isRecord(strategy.blueGreen)) {
    const bg = strategy.blueGreen;
    const at = ['spec', 'strategy', 'blueGreen'];
    usages.push(...rolloutAnalysis('PrePromotionAnalysis', bg.prePromotionAnalysis, [...at, 'prePromotionAnalysis'], owner, p));
    usages.push(...rolloutAnalysis('PostPromotionAnalysis', bg.postPromotionAnalysis, [...at, 'postPromotionAnalysis'], owner, p));
  } else if (isRecord(strategy.canary)) {
    const canary = strategy.canary;
    const at = ['spec', 'strategy', 'canary'];
    usages.push(...rolloutAnalysis('BackgroundAnalysis', canary.analysis, [...at, 'analysis'], owner, p));
    asArray(canary.steps).forEach((step, i) => {
      if (!isRecord(step)) return;
      const sat = [...at, 'steps', i];
      usages.push(...rolloutAnalysis('InlineAnalysis', step.analysis, [...sat, 'analysis'], owner, p));
      if (isRecord(step.experiment)) usages.push(...experimentAnalyses(step.experiment.analyses, [...sat, 'experiment', 'analyses'], owner, p));
    });
  }
  return usages;
}
