/**
 * How scripted values look once stored, the way Argo's providers format them: numbers with
 * Go's FormatFloat, number lists as Prometheus vectors (`[0.99,NaN]`), anything else as Go's
 * json.Marshal (web results). Plus the MetricResult metadata a real provider would attach.
 */
import type { Metric } from '../api/types.js';
import { formatFloatF, goJsonMarshal } from '../go/format.js';

export function displayValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return formatFloatF(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) {
    return `[${(value as number[]).map(formatFloatF).join(',')}]`;
  }
  return goJsonMarshal(value);
}

/** Argo's GetMetadata: Prometheus and NewRelic record the resolved query; others nothing. */
export function resultMetadataFor(metric: Metric): Record<string, string> | undefined {
  const prom = metric.provider?.prometheus as { query?: unknown } | undefined;
  if (prom) return { ResolvedPrometheusQuery: typeof prom.query === 'string' ? prom.query : '' };
  const nr = metric.provider?.newRelic as { query?: unknown } | undefined;
  if (nr) return { ResolvedNewRelicQuery: typeof nr.query === 'string' ? nr.query : '' };
  return undefined;
}
