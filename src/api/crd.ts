/**
 * CustomResourceDefinitions for the three analysis kinds, generated from the zod schemas in
 * `schema.ts` so that what the loader accepts and what the API server accepts cannot drift apart.
 * `scripts/gen-crds.mjs` writes the result to `crds/*.yaml`; a unit test regenerates them in memory
 * and fails when the committed files are stale.
 *
 * The names, scopes, short names, printer columns and `subresources: {}` mirror Argo's CRDs, so these
 * CRDs can replace Argo's without changing how kubectl or the Argo controller see the resources.
 * Argo's CRDs declare no `categories`, so neither do these.
 *
 * Kubernetes requires a *structural* schema: every node typed, no `$ref`, no `anyOf`/`oneOf` (except
 * the int-or-string idiom), `properties` and `additionalProperties` never together. zod's JSON Schema
 * output is close; `toStructuralSchema` closes the gap and throws on anything it cannot express, so
 * a schema change that would make an invalid CRD fails generation instead of `kubectl apply`.
 */
import { z } from 'zod';
import { stringify } from 'yaml';
import { RESOURCE_SCHEMAS, type AnalysisKind } from './schema.js';

export type JsonSchema = { [key: string]: unknown };

export interface PrinterColumn {
  name: string;
  type: 'string' | 'date' | 'integer';
  jsonPath: string;
  description: string;
}

export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string };
  spec: {
    group: 'argoproj.io';
    names: { kind: string; listKind: string; plural: string; singular: string; shortNames: string[] };
    preserveUnknownFields: false;
    scope: 'Namespaced' | 'Cluster';
    versions: Array<{
      name: 'v1alpha1';
      served: true;
      storage: true;
      additionalPrinterColumns: PrinterColumn[];
      schema: { openAPIV3Schema: JsonSchema };
      subresources: Record<string, never>;
    }>;
  };
}

interface KindInfo {
  kind: AnalysisKind;
  plural: string;
  shortName: string;
  scope: 'Namespaced' | 'Cluster';
  /** File name under `crds/`. */
  fileName: string;
  columns: PrinterColumn[];
}

const AGE: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
  description: 'Time since the resource was created',
};

export const CRD_KINDS: readonly KindInfo[] = [
  {
    kind: 'AnalysisTemplate',
    plural: 'analysistemplates',
    shortName: 'at',
    scope: 'Namespaced',
    fileName: 'analysistemplate.yaml',
    columns: [AGE],
  },
  {
    kind: 'ClusterAnalysisTemplate',
    plural: 'clusteranalysistemplates',
    shortName: 'cat',
    scope: 'Cluster',
    fileName: 'clusteranalysistemplate.yaml',
    columns: [AGE],
  },
  {
    kind: 'AnalysisRun',
    plural: 'analysisruns',
    shortName: 'ar',
    scope: 'Namespaced',
    fileName: 'analysisrun.yaml',
    columns: [{ name: 'Status', type: 'string', jsonPath: '.status.phase', description: 'Phase of the run' }, AGE],
  },
];

/** Bounds zod adds to every integer; Kubernetes expresses them as `format` instead. */
const IMPLICIT_INT_BOUNDS = new Set([Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2147483647, -2147483648]);
const FORBIDDEN = ['$ref', 'definitions', '$defs', 'anyOf', 'oneOf', 'allOf', 'not'];

function isRecord(v: unknown): v is JsonSchema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Keeps only the description of a node that a Kubernetes extension replaces entirely. */
function replaced(node: JsonSchema, replacement: JsonSchema): JsonSchema {
  return typeof node.description === 'string' ? { description: node.description, ...replacement } : replacement;
}

/** Alphabetical keys, as controller-gen writes them: stable output and readable diffs. */
function sorted(node: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const key of Object.keys(node).sort()) out[key] = node[key];
  return out;
}

function clean(node: unknown, where: string): JsonSchema {
  if (!isRecord(node)) throw new Error(`${where}: expected a schema object`);
  // The int-or-string idiom: Kubernetes wants the marker alone (the anyOf zod emits carries integer
  // bounds, which is not the exact pattern the API server allows).
  if (node['x-kubernetes-int-or-string'] === true) return replaced(node, { 'x-kubernetes-int-or-string': true });
  // Free-form objects: drop zod's `additionalProperties: {}` / `propertyNames`.
  if (node['x-kubernetes-preserve-unknown-fields'] === true) {
    return sorted(replaced(node, { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }));
  }
  for (const key of FORBIDDEN) {
    if (key in node) throw new Error(`${where}: "${key}" cannot appear in a structural schema`);
  }
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    switch (key) {
      case 'properties': {
        if (!isRecord(value)) throw new Error(`${where}: properties must be an object`);
        const props: JsonSchema = {};
        for (const name of Object.keys(value).sort()) props[name] = clean(value[name], `${where}.${name}`);
        out.properties = props;
        break;
      }
      case 'items':
        out.items = clean(value, `${where}[]`);
        break;
      case 'additionalProperties':
        // `false` comes from strict objects: the API server already prunes undeclared fields (or
        // rejects them under strict field validation), and `false` is not allowed in a CRD.
        if (value === false) break;
        if (isRecord(value) && Object.keys(value).length === 0) {
          throw new Error(`${where}: an open object needs x-kubernetes-preserve-unknown-fields (use freeForm())`);
        }
        out.additionalProperties = clean(value, `${where}.*`);
        break;
      case 'propertyNames':
        break; // map keys are strings by definition in Kubernetes
      case 'minimum':
      case 'maximum':
        if (!(node.type === 'integer' && IMPLICIT_INT_BOUNDS.has(value as number))) out[key] = value;
        break;
      case 'pattern':
        // zod's date-time regex duplicates `format: date-time`, which the API server checks itself.
        if (node.format !== 'date-time') out[key] = value;
        break;
      case 'required':
        out.required = [...(value as string[])].sort();
        break;
      default:
        out[key] = value;
    }
  }
  if (out.properties !== undefined && out.additionalProperties !== undefined) {
    throw new Error(`${where}: properties and additionalProperties cannot be combined`);
  }
  if (typeof out.type !== 'string') throw new Error(`${where}: every node needs a type`);
  return sorted(out);
}

function rawJsonSchema(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io: 'input', // optional-with-default stays optional; no blanket additionalProperties: false
    unrepresentable: 'throw',
    cycles: 'throw',
    reused: 'inline', // CRDs forbid $ref
  }) as JsonSchema;
}

/** The structural openAPIV3Schema of any zod schema built from the helpers in `schema/primitives.ts`. */
export function toStructuralSchema(schema: z.ZodType, where = '<root>'): JsonSchema {
  return clean(rawJsonSchema(schema), where);
}

/**
 * Root of a resource: the API server owns apiVersion, kind and metadata (ObjectMeta is validated by
 * the server itself), so they stay bare, and only `spec` is required, as in Argo's CRDs.
 */
export function resourceOpenApiSchema(kind: AnalysisKind): JsonSchema {
  const raw = rawJsonSchema(RESOURCE_SCHEMAS[kind]);
  raw.properties = {
    ...(raw.properties as JsonSchema),
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
  };
  raw.required = ['spec'];
  return clean(raw, kind);
}

export function buildCrd(kind: AnalysisKind): CustomResourceDefinition {
  const info = CRD_KINDS.find((k) => k.kind === kind);
  if (info === undefined) throw new Error(`unknown analysis kind ${kind}`);
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${info.plural}.argoproj.io` },
    spec: {
      group: 'argoproj.io',
      names: {
        kind: info.kind,
        listKind: `${info.kind}List`,
        plural: info.plural,
        singular: info.kind.toLowerCase(),
        shortNames: [info.shortName],
      },
      preserveUnknownFields: false,
      scope: info.scope,
      versions: [
        {
          name: 'v1alpha1',
          served: true,
          storage: true,
          additionalPrinterColumns: info.columns,
          schema: { openAPIV3Schema: resourceOpenApiSchema(kind) },
          // No status subresource, as in Argo: the controller writes status with a merge patch on the
          // main resource, which a status subresource would silently drop.
          subresources: {},
        },
      ],
    },
  };
}

export function buildCrds(): CustomResourceDefinition[] {
  return CRD_KINDS.map((k) => buildCrd(k.kind));
}

const CRD_HEADER =
  '# Generated from src/api/schema.ts by scripts/gen-crds.mjs. Do not edit by hand.\n' +
  '# Regenerate with: npm run build && node scripts/gen-crds.mjs\n';

function renderCrd(crd: CustomResourceDefinition): string {
  // lineWidth 0: never fold long descriptions, so the output does not depend on wrapping rules.
  return CRD_HEADER + stringify(crd, { lineWidth: 0 });
}

/** The files `crds/` must contain, with their exact content. */
export function generateCrdFiles(): Array<{ fileName: string; content: string }> {
  return CRD_KINDS.map((k) => ({ fileName: k.fileName, content: renderCrd(buildCrd(k.kind)) }));
}
