/**
 * `plugin: {assay/compare: {...}}`: judge the canary against the baseline under the same traffic.
 * It samples both through the built-in providers (ctx.observe), runs the configured test and
 * returns one result object for the template's own conditions to judge, e.g.
 * `successCondition: result.decision == "pass"`. The provider computes; the engine still judges,
 * so Argo's counters, limits and dry-run rules apply unchanged. Methods: providers/compare/README.md.
 */
import { goJsonMarshal } from '../../src/go/format.js';
import type { MeasureContext, MetricProvider, Observation } from '../../src/metric/provider.js';
import { anchoredAtRunStart, parseCompareConfig, type CompareConfig, type CountsBlock, type ProviderBlock } from './config.js';
import { median, numbersOf, total } from './samples.js';
import { hodgesLehmann } from './stats/hodges-lehmann.js';
import { mannWhitney } from './stats/mann-whitney.js';
import { proportionsTest } from './stats/proportions.js';
import { sequentialSignTest } from './stats/sequential.js';

const COMPARE_PLUGIN = 'assay/compare';

type CompareResult = Record<string, unknown> & { method: string; decision: 'pass' | 'fail' | 'continue' | 'insufficient' };

export function createCompareProvider(): MetricProvider<CompareConfig> {
  return {
    key: `plugin/${COMPARE_PLUGIN}`,
    type: 'RPCPlugin',
    parseConfig: (raw) => parseCompareConfig(raw),
    async measure(config, ctx) {
      if (!ctx.observe) return { kind: 'error', code: 'Config', message: 'assay/compare cannot be nested inside another assay/compare' };
      const observe = ctx.observe.bind(ctx);
      if (config.window === 'run') {
        const bad = ['baseline', 'canary'].find((s) => !isRangeQuery(config[s as 'baseline' | 'canary']));
        if (bad) return { kind: 'error', code: 'Config', message: `assay/compare: window: run needs ${bad} to be a prometheus block with rangeQuery` };
      }
      const result = config.method === 'proportions' ? await compareCounts(config, ctx, observe) : await compareSamples(config, ctx, observe);
      if ('kind' in result) return result as Observation;
      const value = tidy(result);
      return { kind: 'value', value, display: goJsonMarshal(value) };
    },
  };
}

type Observe = (role: string, block: unknown) => Promise<Observation>;

function source(config: CompareConfig, side: 'baseline' | 'canary', ctx: MeasureContext): ProviderBlock {
  const block = config[side] as ProviderBlock;
  // The first measurement is taken in the reconcile that starts the run, before startedAt is recorded.
  return config.window === 'run' ? anchoredAtRunStart(block, ctx.run.startedAt ?? ctx.now) : block;
}

async function compareSamples(config: CompareConfig, ctx: MeasureContext, observe: Observe): Promise<CompareResult | Observation> {
  const [b, c] = await Promise.all([observe('baseline', source(config, 'baseline', ctx)), observe('canary', source(config, 'canary', ctx))]);
  const baseline = numbersOf('baseline', b);
  if (!baseline.ok) return baseline.observation;
  const canary = numbersOf('canary', c);
  if (!canary.ok) return canary.observation;
  const x = baseline.values;
  const y = canary.values;
  const sides = { baseline: { n: x.length, median: median(x) }, canary: { n: y.length, median: median(y) } };
  if (x.length < config.minSamples || y.length < config.minSamples) {
    return { method: config.method, decision: 'insufficient', reason: `fewer than minSamples (${config.minSamples}) values on a side`, alpha: config.alpha, ...sides };
  }
  if (config.method === 'sequential') {
    const s = sequentialSignTest(x, y, { alpha: config.alpha, worse: config.worse, margin: config.margin });
    return { method: 'sequential', decision: s.decision, alpha: config.alpha, margin: config.margin, pairs: s.pairs, worsePairs: s.worse, eFail: finite(s.eFail), ePass: finite(s.ePass), pValue: s.pFail, pPass: s.pPass, ...sides };
  }
  // One-sided in the direction of a regression: the canary's values larger (or smaller) than the baseline's.
  const mw = mannWhitney(y, x, config.worse === 'higher' ? 'greater' : 'less');
  const shift = hodgesLehmann(x, y, config.confidence);
  return {
    method: 'mann-whitney',
    decision: mw.pValue < config.alpha ? 'fail' : 'pass',
    alpha: config.alpha,
    pValue: mw.pValue,
    u: mw.u,
    exact: mw.method === 'exact',
    effectSize: mw.cliffsDelta,
    probabilityOfSuperiority: mw.probabilityOfSuperiority,
    shift: { estimate: shift.estimate, lower: finiteOrNull(shift.lower), upper: finiteOrNull(shift.upper), confidence: shift.confidence },
    ...sides,
  };
}

async function compareCounts(config: CompareConfig, ctx: MeasureContext, observe: Observe): Promise<CompareResult | Observation> {
  const counts: Record<string, number> = {};
  const roles = ['baseline.events', 'baseline.total', 'canary.events', 'canary.total'] as const;
  const obs = await Promise.all(
    roles.map((role) => {
      const [side, part] = role.split('.') as ['baseline' | 'canary', 'events' | 'total'];
      return observe(role, (config[side] as CountsBlock)[part]);
    }),
  );
  for (let i = 0; i < roles.length; i++) {
    const n = numbersOf(roles[i]!, obs[i]!);
    if (!n.ok) return n.observation;
    counts[roles[i]!] = total(n.values);
  }
  const baseline = { events: counts['baseline.events']!, total: counts['baseline.total']! };
  const canary = { events: counts['canary.events']!, total: counts['canary.total']! };
  const sides = { baseline, canary };
  if (baseline.total <= 0 || canary.total <= 0 || baseline.total + canary.total < config.minSamples) {
    return { method: 'proportions', decision: 'insufficient', reason: `too little traffic (totals ${baseline.total} and ${canary.total})`, alpha: config.alpha, ...sides };
  }
  if (baseline.events > baseline.total || canary.events > canary.total || baseline.events < 0 || canary.events < 0) {
    return { kind: 'error', code: 'BadResponse', message: `assay/compare: events must be between 0 and total (baseline ${baseline.events}/${baseline.total}, canary ${canary.events}/${canary.total})` };
  }
  const p = proportionsTest(baseline, canary, config.worse === 'higher' ? 'greater' : 'less');
  return {
    method: 'proportions',
    decision: p.pValue < config.alpha ? 'fail' : 'pass',
    alpha: config.alpha,
    pValue: p.pValue,
    z: p.z,
    baselineRate: p.baselineRate,
    canaryRate: p.canaryRate,
    difference: p.difference,
    ...sides,
  };
}

function isRangeQuery(block: unknown): boolean {
  const prom = (block as Record<string, unknown>)['prometheus'] as Record<string, unknown> | undefined;
  return typeof prom?.['rangeQuery'] === 'object' && prom['rangeQuery'] !== null;
}

/**
 * Six significant digits: enough for any decision (p-values keep their relative precision), and
 * values people can read in a status (`0.0305`, not `0.030500000000000006`).
 */
function tidy<T>(v: T): T {
  if (typeof v === 'number') return (Number.isFinite(v) && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v) as T;
  if (Array.isArray(v)) return v.map(tidy) as T;
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, tidy(x)])) as T;
  return v;
}

/** JSON has no Infinity: e-values that overflow are reported as the largest double. */
function finite(v: number): number {
  return Number.isFinite(v) ? v : Number.MAX_VALUE;
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

