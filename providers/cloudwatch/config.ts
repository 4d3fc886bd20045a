/**
 * The `cloudWatch` provider block (Argo's `CloudWatchMetric`: `interval`, `metricDataQueries`)
 * and its conversion to GetMetricData's `MetricDataQueries` as Argo's `convertType` does it:
 * `metricStat.period` is an IntOrString read with `IntValue()` (a non-numeric string is 0),
 * `metricName` and `stat` are always sent (empty if absent), `unit` only when set.
 */
import { z } from 'zod';
import { goAtoi } from '../../src/go/format.js';
import { describeIssues, dropNulls } from '../shared/config.js';

const intOrString = z.union([z.number().int(), z.string()]);

const querySchema = z.object({
  id: z.string().default(''),
  expression: z.string().optional(),
  label: z.string().optional(),
  metricStat: z
    .object({
      metric: z
        .object({
          dimensions: z.array(z.object({ name: z.string().default(''), value: z.string().default('') })).optional(),
          metricName: z.string().default(''),
          namespace: z.string().optional(),
        })
        .prefault({}),
      period: intOrString.optional(),
      stat: z.string().default(''),
      unit: z.string().default(''),
    })
    .optional(),
  period: intOrString.optional(),
  returnData: z.boolean().optional(),
});

const cloudWatchSchema = z.object({
  interval: z.string().default(''),
  metricDataQueries: z.array(querySchema).default([]),
});

/** GetMetricData's MetricDataQuery, in the SDK's (PascalCase) shape. */
export interface MetricDataQuery {
  Id: string;
  Expression?: string;
  Label?: string;
  MetricStat?: {
    Metric: { MetricName: string; Namespace?: string; Dimensions?: { Name: string; Value: string }[] };
    Period: number;
    Stat: string;
    Unit?: string;
  };
  Period?: number;
  ReturnData?: boolean;
}

export interface CloudWatchConfig {
  /** The query window as written (Go duration); absent means 5m. Parsed at measurement time, as Argo does. */
  interval: string;
  queries: MetricDataQuery[];
}

function intValue(v: number | string | undefined): number {
  if (v === undefined) return 0;
  return typeof v === 'number' ? v : goAtoi(v);
}

export function parseCloudWatchConfig(raw: unknown): { ok: true; config: CloudWatchConfig } | { ok: false; message: string } {
  const parsed = cloudWatchSchema.safeParse(dropNulls(raw ?? {}));
  if (!parsed.success) return { ok: false, message: describeIssues('cloudWatch', parsed.error) };
  const queries = parsed.data.metricDataQueries.map((q): MetricDataQuery => {
    const out: MetricDataQuery = { Id: q.id };
    if (q.expression !== undefined) out.Expression = q.expression;
    if (q.label !== undefined) out.Label = q.label;
    if (q.metricStat !== undefined) {
      const m = q.metricStat.metric;
      const metric: NonNullable<MetricDataQuery['MetricStat']>['Metric'] = { MetricName: m.metricName };
      if (m.namespace !== undefined) metric.Namespace = m.namespace;
      if (m.dimensions !== undefined) metric.Dimensions = m.dimensions.map((d) => ({ Name: d.name, Value: d.value }));
      out.MetricStat = { Metric: metric, Period: intValue(q.metricStat.period), Stat: q.metricStat.stat };
      if (q.metricStat.unit !== '') out.MetricStat.Unit = q.metricStat.unit;
    }
    if (q.period !== undefined) out.Period = intValue(q.period);
    if (q.returnData !== undefined) out.ReturnData = q.returnData;
    return out;
  });
  return { ok: true, config: { interval: parsed.data.interval, queries } };
}
