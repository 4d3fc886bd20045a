/**
 * `assay lint`: the mistakes Argo only reports when a run is already gating a release (or
 * never reports), found from the manifests alone. Works on parsed resources; no I/O.
 */
import type { AnalysisTemplateSpec, Argument, Metric } from '../api/types.js';
import { checkCondition } from '../conditions/index.js';
import { resolveMetricArgs } from '../engine/args.js';
import { effectiveCount } from '../engine/metric-spec.js';
import { goRegexpMatch, goRegexpValid } from '../engine/rules.js';
import { validateMetric } from '../engine/validate.js';
import { lintPluginSources } from './plugin-sources.js';

export type Severity = 'error' | 'warning';

export interface LintProblem {
  severity: Severity;
  /** Where in the resource, e.g. `spec.metrics[0].successCondition`. */
  field: string;
  message: string;
}

export interface LintTarget {
  kind: 'AnalysisTemplate' | 'ClusterAnalysisTemplate' | 'AnalysisRun';
  name: string;
  spec: AnalysisTemplateSpec;
  /** Names of templates that exist in the linted set, to check `spec.templates` references. */
  known?: { templates: ReadonlySet<string>; clusterTemplates: ReadonlySet<string> };
}

const TAG = /\{\{(.*?)\}\}/g;

/** Every `{{tag}}` in the metric's strings, with the field path it appears in. */
function placeholders(value: unknown, path: string, out: { path: string; tag: string }[]): void {
  if (typeof value === 'string') {
    for (const m of value.matchAll(TAG)) out.push({ path, tag: m[1]! });
    if (value.includes('{{') && !/\{\{.*?\}\}/.test(value.slice(value.lastIndexOf('{{')))) {
      out.push({ path, tag: '\u0000unterminated' });
    }
  } else if (Array.isArray(value)) value.forEach((v, i) => placeholders(v, `${path}[${i}]`, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) placeholders(v, `${path}.${k}`, out);
  }
}

export function lintSpec(target: LintTarget): LintProblem[] {
  const problems: LintProblem[] = [];
  const error = (field: string, message: string) => problems.push({ severity: 'error', field, message });
  const warn = (field: string, message: string) => problems.push({ severity: 'warning', field, message });
  const spec = target.spec ?? {};
  const metrics = spec.metrics ?? [];
  const args = spec.args ?? [];
  const declared = new Set(args.map((a) => a.name));

  if (metrics.length === 0 && (spec.templates ?? []).length === 0) error('spec.metrics', 'no metrics specified');
  const seen = new Map<string, number>();
  metrics.forEach((metric, i) => {
    const at = `spec.metrics[${i}]`;
    if (seen.has(metric.name)) error(`${at}.name`, `duplicate metric name '${metric.name}' (also spec.metrics[${seen.get(metric.name)}])`);
    else seen.set(metric.name, i);

    const tags: { path: string; tag: string }[] = [];
    placeholders(metric, at, tags);
    for (const { path, tag } of tags) {
      if (tag === '\u0000unterminated') error(path, 'a "{{" placeholder is never closed with "}}"');
      else if (!tag.trim().startsWith('args.')) error(path, `placeholder {{${tag}}} is not of the form {{args.<name>}}`);
      else if (!declared.has(tag.trim().slice(5)) && target.kind !== 'AnalysisRun') {
        error(path, `placeholder {{${tag}}} names no arg declared in spec.args (declared: ${[...declared].join(', ') || 'none'})`);
      }
    }
    // Judge the metric the way the engine will: resolve placeholders with the declared values
    // (a stand-in where the value only arrives with the run), then apply Argo's rules.
    const standIn: Argument[] = args.map((a) => ({ name: a.name, value: a.value ?? `ASSAY_ARG_${a.name}` }));
    const resolved = resolveMetricArgs(metric, standIn);
    const m: Metric = resolved.ok ? resolved.value : metric;
    const rule = validateMetric(m);
    if (rule !== undefined) error(at, rule);
    problems.push(...lintPluginSources(m, at));
    for (const key of ['successCondition', 'failureCondition'] as const) {
      const expr = m[key];
      if (!expr || expr.includes('ASSAY_ARG_')) continue;
      const c = checkCondition(expr);
      if (!c.ok) error(`${at}.${key}`, `does not compile: ${c.error}`);
    }
    const countFromArg = typeof metric.count === 'string' && metric.count.includes('{{');
    if (!countFromArg && effectiveCount(m) === undefined) {
      warn(`${at}.count`, 'the metric runs indefinitely (interval without count): Argo rejects it for prePromotion, postPromotion and inline step analysis');
    }
  });

  const checkRules = (field: 'dryRun' | 'measurementRetention') => {
    (spec[field] ?? []).forEach((rule, i) => {
      const at = `spec.${field}[${i}].metricName`;
      const bad = goRegexpValid(rule.metricName);
      if (bad !== undefined) {
        const hint = rule.metricName.includes('*') && !rule.metricName.includes('.*') ? ' (use ".*" to match every metric: "*" alone is not a Go regexp)' : '';
        error(at, `invalid Go regexp "${rule.metricName}": ${bad}${hint}`);
        return;
      }
      if (metrics.length > 0 && (spec.templates ?? []).length === 0 && !metrics.some((m) => goRegexpMatch(rule.metricName, m.name))) {
        error(at, `rule "${rule.metricName}" matches no metric name; Argo would fail the run with "${field}[${i}]: Rule didn't match any metric name(s)"`);
      }
    });
  };
  checkRules('dryRun');
  checkRules('measurementRetention');

  if (target.known) {
    (spec.templates ?? []).forEach((ref, i) => {
      const set = ref.clusterScope ? target.known!.clusterTemplates : target.known!.templates;
      if (!set.has(ref.templateName)) {
        warn(`spec.templates[${i}]`, `${ref.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate'} "${ref.templateName}" is not among the linted files`);
      }
    });
  }
  return problems;
}
