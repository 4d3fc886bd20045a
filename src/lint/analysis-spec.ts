/**
 * One AnalysisTemplate, ClusterAnalysisTemplate or AnalysisRun on its own: the rules Argo applies
 * when a run is created from it and reconciled (semantics §1–§2: FlattenTemplates, ResolveMetricArgs,
 * ValidateMetrics, dryRun / measurementRetention rules), plus conditions that do not compile and
 * provider blocks Argo's providers refuse to build. Values that only arrive with the run (args
 * without a value) are never guessed: the checks that need them are skipped here and repeated
 * with a Rollout's values in references.ts.
 */
import type { AnalysisTemplateSpec, Argument, Metric } from '../api/types.js';
import { checkCondition } from '../conditions/index.js';
import { goRegexpMatch, goRegexpValid } from '../core/rules.js';
import { formatPath } from '../api/schema/issues.js';
import { lintJobMetric } from './job-spec.js';
import { lintPluginSources } from './plugin-sources.js';
import { metricRuleError, substitute, tagsIn, type ArgValues } from './metric-rules.js';
import { hasTag, isRecord, type Problems } from './problem.js';
import { lintProviderConfig } from './provider-config.js';
import { providerSupport } from './provider-support.js';
import { parsePath } from './unknown-fields.js';

export type AnalysisKind = 'AnalysisTemplate' | 'ClusterAnalysisTemplate' | 'AnalysisRun';

/** The values a template's own args give: `value` when set; secrets and fieldRefs stay unknown. */
export function ownArgValues(args: readonly Argument[] | undefined): Map<string, string | undefined> {
  const values = new Map<string, string | undefined>();
  for (const a of args ?? []) if (!values.has(a.name) || values.get(a.name) === undefined) values.set(a.name, a.value);
  return values;
}

export function lintAnalysisSpec(kind: AnalysisKind, spec: AnalysisTemplateSpec, p: Problems): void {
  const metrics = spec.metrics ?? [];
  const args = spec.args ?? [];
  const declared = new Set(args.map((a) => a.name));
  const composes = (spec.templates ?? []).length > 0;

  if (metrics.length === 0 && !composes) p.error(['spec', 'metrics'], 'no metrics specified');
  lintArgs(kind, args, p);

  const values = ownArgValues(args);
  const seen = new Map<string, number>();
  metrics.forEach((metric, i) => {
    const at = ['spec', 'metrics', i];
    if (seen.has(metric.name)) {
      p.error([...at, 'name'], `metrics[${i}]: duplicate name '${metric.name}' (also spec.metrics[${seen.get(metric.name)}])`);
    } else seen.set(metric.name, i);

    for (const { path, raw } of tagsIn(metric, at)) {
      if (raw === '\u0000unterminated') {
        p.error(path, 'Cannot find end tag="}}": a "{{" placeholder is never closed with "}}"');
        continue;
      }
      const tag = raw.trim();
      const name = tag.startsWith('args.') ? tag.slice(5) : undefined;
      if (name !== undefined && (declared.has(name) || composes)) continue;
      const why = name === undefined
        ? 'only {{args.<name>}} placeholders exist'
        : `no arg "${name}" is declared in spec.args (declared: ${[...declared].join(', ') || 'none'})`;
      p.error(path, `failed to resolve {{${raw}}}: ${why}`);
    }
    lintMetric(metric, values, at, p);
  });

  lintRules(spec, 'dryRun', 'Dry-Run', composes, p);
  lintRules(spec, 'measurementRetention', 'Measurement Retention', composes, p);
}

/** Argo's ValidateMetric and the compile/provider checks on one metric with the given arg values. */
export function lintMetric(metric: Metric, values: ArgValues, at: (string | number)[], p: Problems): void {
  const m = substitute(metric, values);
  const index = at[at.length - 1];
  const rule = metricRuleError(m);
  if (rule !== undefined) p.error(at, `metrics[${index}]: ${rule}`);
  for (const key of ['successCondition', 'failureCondition'] as const) {
    const expr = m[key];
    if (typeof expr !== 'string' || expr === '' || hasTag(expr)) continue;
    const c = checkCondition(expr);
    if (!c.ok) p.error([...at, key], `does not compile: ${c.error}`);
  }
  for (const key of ['count', 'failureLimit', 'inconclusiveLimit', 'consecutiveErrorLimit', 'consecutiveSuccessLimit'] as const) {
    const v = m[key];
    if (typeof v === 'string' && !hasTag(v) && !/^[+-]?[0-9]+$/.test(v)) {
      p.warn([...at, key], `"${v}" is not an integer: Argo reads it as 0${key === 'count' ? ' (no count)' : ''}`);
    }
  }
  // assay's own plugin sources (assay/compare, assay/guard), checked by the parser that runs them.
  for (const x of lintPluginSources(m, formatPath(at))) p.error(parsePath(x.field), x.message);
  for (const x of providerSupport(m)) p.warn([...at, ...x.path], x.message);
  const provider = isRecord(m.provider) ? m.provider : {};
  for (const [key, config] of Object.entries(provider)) {
    if (!isRecord(config)) continue;
    if (key === 'job') lintJobMetric(config, [...at, 'provider', 'job'], p);
    else lintProviderConfig(key, config, [...at, 'provider', key], p);
  }
}

function lintArgs(kind: AnalysisKind, args: readonly Argument[], p: Problems): void {
  const first = new Map<string, number>();
  args.forEach((arg, i) => {
    const at = ['spec', 'args', i];
    const prev = first.get(arg.name);
    if (prev === undefined) first.set(arg.name, i);
    else {
      const a = args[prev]!.value;
      if (a !== undefined && arg.value !== undefined && a !== arg.value) {
        p.error([...at, 'name'], `Argument \`${arg.name}\` specified multiple times with different values: '${a}', '${arg.value}'`);
      }
    }
    if (arg.valueFrom && !arg.valueFrom.secretKeyRef && !arg.valueFrom.fieldRef) {
      p.error([...at, 'valueFrom'], 'valueFrom names neither secretKeyRef nor fieldRef');
    }
    if (kind !== 'AnalysisRun') {
      if (arg.value === undefined && arg.valueFrom?.fieldRef && !arg.valueFrom.secretKeyRef) {
        p.warn([...at, 'valueFrom', 'fieldRef'], `Argo never resolves fieldRef on a template arg (only a Rollout's args read fields): unless the Rollout passes "${arg.name}", the run fails with "argument "${arg.name}" was not supplied"`);
      }
      return;
    }
    // A run resolves its args itself: a value or a Secret; a fieldRef is never read on a run.
    if (arg.value === undefined && !arg.valueFrom?.secretKeyRef) {
      p.error(at, `Unable to resolve metric arguments: argument "${arg.name}" was not supplied`);
    }
  });
}

function lintRules(
  spec: AnalysisTemplateSpec,
  field: 'dryRun' | 'measurementRetention',
  label: string,
  composes: boolean,
  p: Problems,
): void {
  const metrics = spec.metrics ?? [];
  const names = new Set<string>();
  (spec[field] ?? []).forEach((rule, i) => {
    const at = ['spec', field, i, 'metricName'];
    if (names.has(rule.metricName)) p.error(at, `two ${label} metric rules have the same name '${rule.metricName}'`);
    names.add(rule.metricName);
    const bad = goRegexpValid(rule.metricName);
    if (bad !== undefined) {
      const hint = rule.metricName.includes('*') && !rule.metricName.includes('.*') ? ' (use ".*" to match every metric: "*" alone is not a Go regexp)' : '';
      p.error(at, `invalid Go regexp "${rule.metricName}": ${bad}${hint}`);
      return;
    }
    if (metrics.length > 0 && !composes && !metrics.some((m) => goRegexpMatch(rule.metricName, m.name))) {
      p.error(at, `${field}[${i}]: Rule didn't match any metric name(s) (no metric name matches the Go regexp "${rule.metricName}")`);
    }
  });
}
