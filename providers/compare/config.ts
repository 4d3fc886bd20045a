/**
 * The `plugin: {assay/compare: {...}}` block. Sources are ordinary provider blocks; `window: run`
 * anchors a Prometheus range query at the run's start so that each look sees every sample since
 * the release began (what the sequential test needs).
 */
import { z } from 'zod';
import { describeIssues } from '../shared/config.js';

/**
 * Built on first use: zod schemas cost real time to construct, and `assay lint` and `assay test`
 * load this module for every template, most of which never use assay/compare.
 */
let schemas: ReturnType<typeof buildSchemas> | undefined;
const compareSchemas = () => (schemas ??= buildSchemas());

function buildSchemas() {
  const providerBlock = z.record(z.string(), z.unknown()).refine((b) => Object.keys(b).length === 1, {
    message: 'must name exactly one provider, e.g. {prometheus: {...}}',
  });
  const countsBlock = z.strictObject({ events: providerBlock, total: providerBlock });
  const compareSchema = z
    .strictObject({
      method: z.enum(['mann-whitney', 'sequential', 'proportions']).default('mann-whitney'),
      /** Which direction of the metric is a regression: `higher` (latency, errors) or `lower` (success rate). */
      worse: z.enum(['higher', 'lower']).default('higher'),
      alpha: z.number().gt(0).lt(0.5).default(0.05),
      /** Sequential: "pass" once the canary is shown worse in fewer than 1/2 + margin of the pairs. */
      margin: z.number().gt(0).lt(0.5).default(0.1),
      /** Fewer samples on either side: decision `insufficient` (counts: fewer events in total than this). */
      minSamples: z.number().int().min(1).default(5),
      confidence: z.number().gt(0).lt(1).default(0.95),
      window: z.enum(['query', 'run']).default('query'),
      baseline: z.union([countsBlock, providerBlock]),
      canary: z.union([countsBlock, providerBlock]),
    })
    .superRefine((c, ctx) => {
      const counts = (b: unknown): boolean => countsBlock.safeParse(b).success;
      for (const side of ['baseline', 'canary'] as const) {
        if (c.method === 'proportions' && !counts(c[side])) {
          ctx.addIssue({ code: 'custom', path: [side], message: 'method proportions needs {events: <provider>, total: <provider>}' });
        }
        if (c.method !== 'proportions' && counts(c[side])) {
          ctx.addIssue({ code: 'custom', path: [side], message: `method ${c.method} compares samples: give one provider block, not events/total` });
        }
      }
    });
  return { compareSchema };
}

export type CompareConfig = z.output<ReturnType<typeof buildSchemas>['compareSchema']>;
export type ProviderBlock = Record<string, unknown>;
export type CountsBlock = { events: ProviderBlock; total: ProviderBlock };

export function parseCompareConfig(raw: unknown): { ok: true; config: CompareConfig } | { ok: false; message: string } {
  const parsed = compareSchemas().compareSchema.safeParse(raw ?? {});
  if (!parsed.success) return { ok: false, message: describeIssues('assay/compare', parsed.error) };
  return { ok: true, config: parsed.data };
}

/** `window: run`: a Prometheus range query whose start is the run's start instead of its own expression. */
export function anchoredAtRunStart(block: ProviderBlock, runStart: number): ProviderBlock {
  const prom = block['prometheus'] as Record<string, unknown> | undefined;
  if (!prom || typeof prom['rangeQuery'] !== 'object' || prom['rangeQuery'] === null) return block;
  const start = `date("${new Date(runStart).toISOString().replace(/\.\d{3}Z$/, 'Z')}", "2006-01-02T15:04:05Z07:00")`;
  return { prometheus: { ...prom, rangeQuery: { ...(prom['rangeQuery'] as object), start } } };
}
