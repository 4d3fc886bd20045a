/**
 * Argo's scrape-time gauges about AnalysisRuns and templates (controller/metrics/analysis.go):
 * computed from the run store and the loaded template set at every scrape, never cached, so they
 * can not drift from what `GET /api/v1/runs` shows. Names, help texts, label names and label order
 * are Argo's, so dashboards and alerts written for the Argo controller work unchanged.
 */
import type { AnalysisRun, AnalysisTemplate, Metric } from '../api/types.js';
import type { Phase } from '../api/phase.js';
import { dryRunMetrics } from '../core/rules.js';
import { renderGauge } from './metrics-registry.js';

/** Argo's `metricproviders.Type()`: the first provider set, in Argo's order, by its type name. */
const PROVIDER_TYPES: ReadonlyArray<[key: string, type: string]> = [
  ['prometheus', 'Prometheus'],
  ['job', 'Job'],
  ['kayenta', 'Kayenta'],
  ['web', 'Web'],
  ['datadog', 'Datadog'],
  ['wavefront', 'Wavefront'],
  ['newRelic', 'NewRelic'],
  ['cloudWatch', 'CloudWatch'],
  ['graphite', 'Graphite'],
  ['influxdb', 'Influxdb'],
  ['skywalking', 'skywalking'],
  ['plugin', 'RPCPlugin'],
];

export function metricType(metric: Metric): string {
  const provider = (metric.provider ?? {}) as Record<string, unknown>;
  for (const [key, type] of PROVIDER_TYPES) {
    if (provider[key] !== undefined && provider[key] !== null) return type;
  }
  return 'Unknown Provider';
}

/** The phases Argo writes one 0/1 series for, in its order; Pending also stands for "". */
const PHASES: readonly Phase[] = ['Pending', 'Error', 'Failed', 'Successful', 'Running', 'Inconclusive'];

function phaseSeries(current: Phase | undefined): Array<{ phase: Phase; value: number }> {
  const effective = current === undefined || current === '' ? 'Pending' : current;
  return PHASES.map((phase) => ({ phase, value: phase === effective ? 1 : 0 }));
}

type Sample = { labels: string[]; value: number };

export function analysisRunGauges(runs: readonly AnalysisRun[]): string[] {
  const info: Sample[] = [];
  const phase: Sample[] = [];
  const metricTypes: Sample[] = [];
  const metricPhase: Sample[] = [];
  for (const run of runs) {
    const ns = run.metadata.namespace ?? 'default';
    const name = run.metadata.name ?? '';
    info.push({ labels: [ns, name, run.status?.phase ?? ''], value: 1 });
    for (const p of phaseSeries(run.status?.phase)) phase.push({ labels: [ns, name, p.phase], value: p.value });
    const metrics = run.spec?.metrics ?? [];
    const dry = dryRunMetrics(run.spec?.dryRun, metrics);
    for (const metric of metrics) {
      const type = metricType(metric);
      metricTypes.push({ labels: [ns, name, metric.name, type], value: 1 });
      const result = run.status?.metricResults?.find((r) => r.name === metric.name);
      const isDry = dry.ok && dry.value.has(metric.name) ? 'true' : 'false';
      for (const p of phaseSeries(result?.phase)) {
        metricPhase.push({ labels: [ns, name, metric.name, type, isDry, p.phase], value: p.value });
      }
    }
  }
  return [
    ...renderGauge('analysis_run_info', 'Information about analysis run.', ['namespace', 'name', 'phase'], info),
    ...renderGauge(
      'analysis_run_phase',
      'Information on the state of the Analysis Run (DEPRECATED - use analysis_run_info)',
      ['namespace', 'name', 'phase'],
      phase,
    ),
    ...renderGauge(
      'analysis_run_metric_type',
      'Information on the type of a specific metric in the Analysis Runs',
      ['namespace', 'name', 'metric', 'type'],
      metricTypes,
    ),
    ...renderGauge(
      'analysis_run_metric_phase',
      'Information on the duration of a specific metric in the Analysis Run',
      ['namespace', 'name', 'metric', 'type', 'dry_run', 'phase'],
      metricPhase,
    ),
  ];
}

/** AnalysisTemplates and ClusterAnalysisTemplates; cluster ones (and templates without a namespace) get namespace "". */
export function analysisTemplateGauges(templates: readonly AnalysisTemplate[]): string[] {
  const info: Sample[] = [];
  const metricInfo: Sample[] = [];
  for (const t of templates) {
    const ns = t.kind === 'ClusterAnalysisTemplate' ? '' : (t.metadata.namespace ?? '');
    const name = t.metadata.name ?? '';
    info.push({ labels: [ns, name], value: 1 });
    for (const metric of t.spec?.metrics ?? []) metricInfo.push({ labels: [ns, name, metricType(metric), metric.name], value: 1 });
  }
  return [
    ...renderGauge('analysis_template_info', 'Information about analysis templates.', ['namespace', 'name'], info),
    ...renderGauge(
      'analysis_template_metric_info',
      'Information on metrics in analysis templates.',
      ['namespace', 'name', 'type', 'metric'],
      metricInfo,
    ),
  ];
}
