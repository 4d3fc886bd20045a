/**
 * The generated CRDs: structurally valid for the API server, shaped like Argo's (names, scope,
 * printer columns, no status subresource), and identical to the committed files in crds/.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import {
  CRD_KINDS,
  buildCrd,
  buildCrds,
  generateCrdFiles,
  toStructuralSchema,
  type JsonSchema,
} from '../../../src/api/crd.js';

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * An independent check of the structural-schema rules the API server enforces
 * (apiextensions-apiserver `ValidateStructural`), at least those our generator could break.
 * Returns one message per violation; written separately from crd.ts on purpose.
 */
function structuralViolations(node: unknown, path = ''): string[] {
  if (!isNode(node)) return [`${path}: not a schema object`];
  const out: string[] = [];
  for (const key of ['$ref', 'definitions', '$defs']) if (key in node) out.push(`${path}: has ${key}`);
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  for (const key of ['anyOf', 'oneOf', 'allOf', 'not']) {
    if (!(key in node)) continue;
    const exactIntOrString =
      intOrString && key === 'anyOf' && JSON.stringify(node.anyOf) === '[{"type":"integer"},{"type":"string"}]';
    if (!exactIntOrString) out.push(`${path}: ${key} outside the int-or-string pattern`);
  }
  if (node.additionalProperties === false) out.push(`${path}: additionalProperties: false`);
  if ('properties' in node && 'additionalProperties' in node) out.push(`${path}: properties mixed with additionalProperties`);
  if (typeof node.type !== 'string' && !intOrString && !preserve) out.push(`${path}: no type`);
  if (intOrString && 'type' in node) out.push(`${path}: int-or-string must not declare a type`);
  if (node.type === 'array' && !('items' in node)) out.push(`${path}: array without items`);
  if (Array.isArray(node.required)) {
    const props = isNode(node.properties) ? node.properties : {};
    for (const r of node.required) if (!(String(r) in props)) out.push(`${path}: required ${String(r)} is not a property`);
  }
  if ('default' in node && Array.isArray(node.enum) && !node.enum.includes(node.default)) {
    out.push(`${path}: default not in enum`);
  }
  if (isNode(node.properties)) {
    for (const [k, v] of Object.entries(node.properties)) out.push(...structuralViolations(v, `${path}.${k}`));
  }
  if ('items' in node) out.push(...structuralViolations(node.items, `${path}[]`));
  if (isNode(node.additionalProperties)) out.push(...structuralViolations(node.additionalProperties, `${path}.*`));
  return out;
}

const committed = (fileName: string): string =>
  readFileSync(new URL(`../../../crds/${fileName}`, import.meta.url), 'utf8');

describe('structural schema checker', () => {
  it('catches every kind of violation it looks for', () => {
    expect(structuralViolations({ $ref: '#/x' })).toContain(': has $ref');
    expect(structuralViolations({ type: 'object', $defs: {} })).toContain(': has $defs');
    expect(structuralViolations({ anyOf: [{ type: 'string' }, { type: 'number' }] })).toContain(
      ': anyOf outside the int-or-string pattern',
    );
    expect(structuralViolations({ type: 'object', additionalProperties: false })).toContain(': additionalProperties: false');
    expect(
      structuralViolations({ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } }),
    ).toContain(': properties mixed with additionalProperties');
    expect(structuralViolations({ type: 'object', properties: { a: {} } })).toContain('.a: no type');
    expect(structuralViolations({ type: 'array' })).toContain(': array without items');
    expect(structuralViolations({ type: 'object', required: ['x'], properties: {} })).toContain(
      ': required x is not a property',
    );
  });

  it('accepts the Kubernetes idioms', () => {
    expect(structuralViolations({ 'x-kubernetes-int-or-string': true })).toEqual([]);
    expect(
      structuralViolations({ 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] }),
    ).toEqual([]);
    expect(structuralViolations({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true })).toEqual([]);
  });
});

describe('generated CRDs', () => {
  const crds = buildCrds();

  it.each(CRD_KINDS.map((k) => k.kind))('%s has a structural schema', (kind) => {
    const schema = buildCrd(kind).spec.versions[0]?.schema.openAPIV3Schema;
    expect(structuralViolations(schema)).toEqual([]);
    // The serialised form must not smuggle anything in either.
    expect(JSON.stringify(schema)).not.toMatch(/"\$ref"|"definitions"|"\$defs"|"anyOf"|"oneOf"|"allOf"/);
  });

  it('mirror Argo: group, version, names, scope, short names, no status subresource', () => {
    expect(
      crds.map((c) => [c.metadata.name, c.spec.names.kind, c.spec.names.plural, c.spec.names.shortNames, c.spec.scope]),
    ).toEqual([
      ['analysistemplates.argoproj.io', 'AnalysisTemplate', 'analysistemplates', ['at'], 'Namespaced'],
      ['clusteranalysistemplates.argoproj.io', 'ClusterAnalysisTemplate', 'clusteranalysistemplates', ['cat'], 'Cluster'],
      ['analysisruns.argoproj.io', 'AnalysisRun', 'analysisruns', ['ar'], 'Namespaced'],
    ]);
    for (const crd of crds) {
      expect(crd.spec.group).toBe('argoproj.io');
      expect(crd.spec.names.listKind).toBe(`${crd.spec.names.kind}List`);
      expect(crd.spec.versions).toHaveLength(1);
      expect(crd.spec.versions[0]).toMatchObject({ name: 'v1alpha1', served: true, storage: true, subresources: {} });
      expect(crd.spec.names).not.toHaveProperty('categories');
    }
  });

  it('print Status (.status.phase) and Age for runs, Age for templates', () => {
    const columns = crds.map((c) => c.spec.versions[0]?.additionalPrinterColumns.map((p) => `${p.name}=${p.jsonPath}`));
    expect(columns).toEqual([
      ['Age=.metadata.creationTimestamp'],
      ['Age=.metadata.creationTimestamp'],
      ['Status=.status.phase', 'Age=.metadata.creationTimestamp'],
    ]);
  });

  it('require spec at the root and status.phase whenever status is present', () => {
    const run = buildCrd('AnalysisRun').spec.versions[0]?.schema.openAPIV3Schema as JsonSchema;
    const props = run.properties as Record<string, JsonSchema>;
    expect(run.required).toEqual(['spec']);
    expect(props.metadata).toEqual({ type: 'object' });
    expect(props.status?.required).toEqual(['phase']);
  });

  it('use int-or-string, preserve-unknown-fields, formats and Argo defaults where Argo does', () => {
    const run = buildCrd('AnalysisRun').spec.versions[0]?.schema.openAPIV3Schema as JsonSchema;
    const at = (path: string): unknown =>
      path.split('.').reduce<unknown>((n, seg) => {
        const node = n as JsonSchema;
        return seg === '[]' ? node.items : (node.properties as JsonSchema)[seg];
      }, run);
    expect(at('spec.metrics.[].count')).toEqual({ 'x-kubernetes-int-or-string': true });
    expect(at('spec.metrics.[].provider.job.spec')).toEqual({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    expect(at('spec.metrics.[].provider.plugin')).toEqual({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    expect(at('spec.metrics.[].provider.web.jsonBody')).toEqual({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    expect(at('spec.metrics.[].provider.datadog.interval')).toEqual({ type: 'string', default: '5m' });
    expect(at('spec.measurementRetention.[].limit')).toEqual({ type: 'integer', format: 'int32' });
    expect(at('status.startedAt')).toEqual({ type: 'string', format: 'date-time' });
  });

  it('generation refuses schemas a CRD cannot express', () => {
    expect(() => toStructuralSchema(z.object({ a: z.record(z.string(), z.unknown()) }))).toThrow(/preserve-unknown/);
    expect(() => toStructuralSchema(z.object({ a: z.union([z.string(), z.boolean()]) }))).toThrow(/anyOf/);
    expect(() => toStructuralSchema(z.looseObject({ a: z.string() }))).toThrow(/preserve-unknown/);
    expect(() => toStructuralSchema(z.object({ a: z.date() }))).toThrow();
  });
});

describe('committed CRDs (crds/*.yaml)', () => {
  for (const { fileName, content } of generateCrdFiles()) {
    it(`crds/${fileName} matches the schemas (DRIFT check)`, () => {
      let current = '';
      try {
        current = committed(fileName);
      } catch {
        // handled by the assertion below
      }
      expect(
        current === content,
        `crds/${fileName} is out of date with src/api/schema.ts: run "npm run build && node scripts/gen-crds.mjs" and commit the result`,
      ).toBe(true);
    });
  }

  it('parse back to the built objects', () => {
    const parsed = CRD_KINDS.map((k) => parse(committed(k.fileName)) as unknown);
    expect(parsed).toEqual(buildCrds());
  });
});
