/**
 * The zod schemas accept every field Argo defines (§1 and §8 of the semantics reference), add
 * nothing when parsing, and reject wrong types the way Argo's CRD would.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resourceOpenApiSchema, type JsonSchema } from '../../../src/api/crd.js';
import {
  PROVIDER_SCHEMAS,
  analysisRunSchema,
  analysisTemplateSchema,
  clusterAnalysisTemplateSchema,
  metricSchema,
} from '../../../src/api/schema.js';
import { PROVIDER_KEYS } from '../../../src/api/types.js';

const fixture = (name: string): Record<string, unknown> =>
  parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

/**
 * Schema paths that no value in `values` exercises. Walks the generated CRD schema and the fixture
 * together, so a field added to the schema without a fixture line fails this test.
 */
function uncovered(schema: JsonSchema, values: unknown[], path: string, skip: (p: string) => boolean): string[] {
  if (skip(path)) return [];
  if (values.length === 0) return [path];
  const props = schema.properties as Record<string, JsonSchema> | undefined;
  const missing: string[] = [];
  if (props) {
    for (const [key, child] of Object.entries(props)) {
      const childValues = values.flatMap((v) =>
        v && typeof v === 'object' && key in v ? [(v as Record<string, unknown>)[key]] : [],
      );
      missing.push(...uncovered(child, childValues, path ? `${path}.${key}` : key, skip));
    }
  }
  if (schema.items) {
    const items = values.flatMap((v) => (Array.isArray(v) ? v : []));
    missing.push(...uncovered(schema.items as JsonSchema, items, `${path}[]`, skip));
  }
  if (schema.additionalProperties) {
    const entries = values.flatMap((v) => (v && typeof v === 'object' ? Object.values(v) : []));
    missing.push(...uncovered(schema.additionalProperties as JsonSchema, entries, `${path}.*`, skip));
  }
  return missing;
}

describe('full resources', () => {
  const template = fixture('full-template.yaml');
  const run = fixture('full-run.yaml');

  it('parses an AnalysisTemplate using every spec field and every provider', () => {
    const result = analysisTemplateSchema.safeParse(template);
    expect(result.success ? [] : result.error.issues).toEqual([]);
  });

  it('parses an AnalysisRun with every spec and status field', () => {
    const result = analysisRunSchema.safeParse(run);
    expect(result.success ? [] : result.error.issues).toEqual([]);
  });

  it('parses a ClusterAnalysisTemplate with the same spec', () => {
    const cluster = { ...template, kind: 'ClusterAnalysisTemplate' };
    expect(clusterAnalysisTemplateSchema.safeParse(cluster).success).toBe(true);
    expect(analysisTemplateSchema.safeParse(cluster).success).toBe(false);
  });

  it('the template fixture exercises every template field (including all provider fields)', () => {
    const schema = resourceOpenApiSchema('AnalysisTemplate');
    expect(uncovered(schema, [template], '', () => false)).toEqual([]);
  });

  it('the run fixture exercises every run spec and status field', () => {
    const schema = resourceOpenApiSchema('AnalysisRun');
    // Metrics share one schema with templates; the template fixture covers their fields.
    expect(uncovered(schema, [run], '', (p) => p.startsWith('spec.metrics[].'))).toEqual([]);
  });

  it('adds nothing and drops nothing: parsed output equals the input', () => {
    expect(analysisTemplateSchema.parse(template)).toEqual(template);
    expect(analysisRunSchema.parse(run)).toEqual(run);
  });

  it('keeps unknown metadata fields (managedFields, selfLink, ...)', () => {
    const parsed = analysisRunSchema.parse(run);
    expect(parsed.metadata.managedFields).toEqual([{ manager: 'rollouts-controller', operation: 'Update' }]);
  });
});

describe('field types', () => {
  const metric = (extra: Record<string, unknown>) => ({ name: 'm', provider: { prometheus: {} }, ...extra });

  it.each(['count', 'failureLimit', 'inconclusiveLimit', 'consecutiveErrorLimit', 'consecutiveSuccessLimit'])(
    '%s is an IntOrString: integers and any string pass, booleans and fractions do not',
    (field) => {
      for (const ok of [0, -1, 3, '3', '', 'not-a-number', '{{args.count}}']) {
        expect(metricSchema.safeParse(metric({ [field]: ok })).success).toBe(true);
      }
      for (const bad of [true, 1.5, null, [], {}]) {
        expect(metricSchema.safeParse(metric({ [field]: bad })).success).toBe(false);
      }
    },
  );

  it('durations are strings and are not parsed by the schema (Argo checks them at reconcile)', () => {
    expect(metricSchema.safeParse(metric({ interval: '1d', initialDelay: 'soon' })).success).toBe(true);
    expect(metricSchema.safeParse(metric({ interval: 60 })).success).toBe(false);
  });

  it('does not enforce "exactly one provider" (a reconcile-time rule in Argo)', () => {
    expect(metricSchema.safeParse({ name: 'm', provider: {} }).success).toBe(true);
    expect(metricSchema.safeParse({ name: 'm', provider: { prometheus: {}, web: { url: 'u' } } }).success).toBe(true);
  });

  it('requires metric name and provider', () => {
    expect(metricSchema.safeParse({ provider: {} }).success).toBe(false);
    expect(metricSchema.safeParse({ name: 'm' }).success).toBe(false);
  });

  it('rejects unknown spec fields (typos), as strict field validation does', () => {
    expect(metricSchema.safeParse(metric({ sucessCondition: 'true' })).success).toBe(false);
    expect(metricSchema.safeParse({ name: 'm', provider: { prometheus: { adress: 'x' } } }).success).toBe(false);
  });

  it('keeps job spec, web jsonBody and plugin config free-form', () => {
    const free = { anything: [1, { deep: null }], n: 1.5 };
    expect(PROVIDER_SCHEMAS.job.safeParse({ spec: free }).success).toBe(true);
    expect(PROVIDER_SCHEMAS.web.safeParse({ url: 'u', jsonBody: free }).success).toBe(true);
    expect(PROVIDER_SCHEMAS.plugin.safeParse({ 'acme/x': free, 'acme/y': 'str' }).success).toBe(true);
  });

  it('has a schema for every provider key, in Argo order', () => {
    expect(Object.keys(PROVIDER_SCHEMAS)).toEqual([...PROVIDER_KEYS]);
  });

  it('enforces the enums and required fields of Argo CRD provider blocks', () => {
    expect(PROVIDER_SCHEMAS.datadog.safeParse({ apiVersion: 'v3' }).success).toBe(false);
    expect(PROVIDER_SCHEMAS.datadog.safeParse({ aggregator: 'median' }).success).toBe(false);
    expect(PROVIDER_SCHEMAS.web.safeParse({}).success).toBe(false);
    expect(PROVIDER_SCHEMAS.newRelic.safeParse({}).success).toBe(false);
    expect(PROVIDER_SCHEMAS.job.safeParse({}).success).toBe(false);
    expect(PROVIDER_SCHEMAS.cloudWatch.safeParse({}).success).toBe(false);
    expect(PROVIDER_SCHEMAS.kayenta.safeParse({ address: 'a' }).success).toBe(false);
  });

  it('does not apply CRD defaults when parsing', () => {
    expect(PROVIDER_SCHEMAS.datadog.parse({ query: 'q' })).toEqual({ query: 'q' });
  });

  it('status times must be RFC 3339 with a zone; int32 counters must fit', () => {
    const run = fixture('full-run.yaml');
    const withStatus = (status: Record<string, unknown>) => ({ ...run, status });
    expect(analysisRunSchema.safeParse(withStatus({ phase: '' })).success).toBe(true);
    expect(analysisRunSchema.safeParse(withStatus({ phase: 'Running', startedAt: '2024-05-01 12:00' })).success).toBe(false);
    expect(analysisRunSchema.safeParse(withStatus({ phase: 'Done' })).success).toBe(false);
    expect(analysisRunSchema.safeParse(withStatus({ message: 'no phase' })).success).toBe(false);
    expect(analysisRunSchema.safeParse(withStatus({ phase: 'Running', runSummary: { count: 2 ** 31 } })).success).toBe(false);
  });
});
