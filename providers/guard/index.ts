/**
 * `plugin: {assay/guard: {...}}`: a no-data / low-traffic policy around any provider. A fresh
 * version with no requests yet returns an empty vector (or NaN, or a provider's "no data" error);
 * without a guard that is an Error or a false failure. The guard takes the wrapped measurement
 * and, when it has fewer than `minSamples` values or the optional `traffic` query counts fewer
 * than `minTraffic`, reports `onNoData` (Inconclusive to pause for a human, Successful as a
 * neutral pass, or Error) with the reason in the measurement's message. Otherwise the wrapped
 * value passes through unchanged and the template's conditions judge it as usual.
 */
import { z } from 'zod';
import type { MetricProvider, Observation } from '../../src/metric/provider.js';
import { describeIssues } from '../shared/config.js';

const GUARD_PLUGIN = 'assay/guard';

/** Built on first use, like assay/compare's: most templates never use assay/guard. */
let schema: ReturnType<typeof buildSchema> | undefined;

function buildSchema() {
  const providerBlock = z.record(z.string(), z.unknown()).refine((b) => Object.keys(b).length === 1, {
    message: 'must name exactly one provider, e.g. {prometheus: {...}}',
  });
  return z
    .strictObject({
      provider: providerBlock,
      minSamples: z.number().int().min(0).default(1),
      traffic: providerBlock.optional(),
      minTraffic: z.number().min(0).optional(),
      onNoData: z.enum(['Inconclusive', 'Successful', 'Error']).default('Inconclusive'),
    })
    .superRefine((c, ctx) => {
      if ((c.traffic === undefined) !== (c.minTraffic === undefined)) {
        ctx.addIssue({ code: 'custom', path: [c.traffic === undefined ? 'traffic' : 'minTraffic'], message: 'traffic and minTraffic go together' });
      }
    });
}

type GuardConfig = z.output<ReturnType<typeof buildSchema>>;

export function createGuardProvider(): MetricProvider<GuardConfig> {
  return {
    key: `plugin/${GUARD_PLUGIN}`,
    type: 'RPCPlugin',
    parseConfig(raw) {
      const parsed = (schema ??= buildSchema()).safeParse(raw ?? {});
      return parsed.success ? { ok: true, config: parsed.data } : { ok: false, message: describeIssues('assay/guard', parsed.error) };
    },
    async measure(config, ctx) {
      if (!ctx.observe) return { kind: 'error', code: 'Config', message: 'assay/guard cannot be nested this deep' };
      const [inner, traffic] = await Promise.all([
        ctx.observe('provider', config.provider),
        config.traffic ? ctx.observe('traffic', config.traffic) : Promise.resolve(undefined),
      ]);
      if (traffic !== undefined && config.minTraffic !== undefined) {
        const t = trafficOf(traffic);
        if (typeof t === 'string') return noData(config, t, inner);
        if (t < config.minTraffic) return noData(config, `traffic ${fmt(t)} < minTraffic ${fmt(config.minTraffic)}`, inner);
      }
      if (inner.kind === 'error' && inner.code === 'NoData') return noData(config, `no data: ${inner.message}`, inner);
      if (inner.kind !== 'value') return inner;
      const n = sampleCount(inner.value);
      if (n < config.minSamples) return noData(config, `${n} sample${n === 1 ? '' : 's'} < minSamples ${config.minSamples}`, inner);
      return inner;
    },
  };
}

/** How many usable values a result holds: NaN (a 0/0 rate) and null count as none. */
function sampleCount(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') return Number.isNaN(value) ? 0 : 1;
  if (typeof value === 'string') return value.trim() === '' ? 0 : 1;
  if (Array.isArray(value)) return value.reduce<number>((n, v) => n + (sampleCount(v) > 0 ? 1 : 0), 0);
  if (typeof value === 'object') return Object.keys(value).length > 0 ? 1 : 0;
  return 1;
}

function trafficOf(obs: Observation): number | string {
  if (obs.kind === 'error') return obs.code === 'NoData' ? 0 : `traffic: ${obs.message}`;
  if (obs.kind !== 'value') return 'traffic: the provider did not return a value';
  const list = Array.isArray(obs.value) ? obs.value : [obs.value];
  let sum = 0;
  for (const v of list) {
    if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) continue;
    if (typeof v !== 'number') return `traffic: expected a count, got ${obs.display.slice(0, 80)}`;
    sum += v;
  }
  return sum;
}

function noData(config: GuardConfig, reason: string, inner: Observation): Observation {
  const display = inner.kind === 'value' ? inner.display : undefined;
  // A traffic query that itself failed is not "too little traffic": it stays an error.
  if (reason.startsWith('traffic: ')) return { kind: 'error', code: 'BadResponse', message: reason };
  return { kind: 'judged', phase: config.onNoData, message: `assay/guard: ${reason} (onNoData: ${config.onNoData})`, ...(display !== undefined ? { display } : {}) };
}

function fmt(n: number): string {
  return String(n);
}

