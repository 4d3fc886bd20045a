/** Rendering charts/assay with a real helm and reading the result (see test/support/helm.ts). */
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { helmWithValues, type HelmBinary, type TemplateOptions } from '../../support/helm.js';

export const root = path.resolve(import.meta.dirname, '..', '..', '..');
export const chartDir = path.join(root, 'charts', 'assay');

// Rendered manifests are arbitrary nested YAML; tests read them by path.
export type K8sObject = Record<string, any> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
};

export interface Rendered {
  raw: string;
  objects: K8sObject[];
}

const cache = new Map<string, Promise<Rendered>>();

/** `helm template rel charts/assay -n assay-system -f <values>`; throws with helm's stderr on failure. */
export function render(helm: HelmBinary, values: object = {}, opts: TemplateOptions = {}): Promise<Rendered> {
  const key = JSON.stringify([helm.bin, values, opts]);
  let hit = cache.get(key);
  if (!hit) {
    hit = helmWithValues(helm.bin, 'template', chartDir, values, opts).then((r) => {
      if (r.code !== 0) throw new Error(`helm template failed (${r.code}): ${r.stderr}`);
      return { raw: r.stdout, objects: parseObjects(r.stdout) };
    });
    cache.set(key, hit);
  }
  return hit;
}

/** Every non-empty document of a multi-document YAML stream; YAML errors fail loudly. */
export function parseObjects(stream: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(stream)) {
    if (doc.errors.length > 0) throw new Error(`invalid YAML in rendered output: ${doc.errors[0]!.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    out.push(value as K8sObject);
  }
  return out;
}

export function ofKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

export function one(objects: K8sObject[], kind: string, name: string, namespace?: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  if (found.length !== 1) {
    const have = objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).join(', ');
    throw new Error(`expected one ${kind} ${namespace ?? '*'}/${name}, found ${found.length} among: ${have}`);
  }
  return found[0]!;
}

export function container(deployment: K8sObject): K8sObject {
  const containers = deployment.spec.template.spec.containers as K8sObject[];
  if (containers.length !== 1) throw new Error(`${deployment.metadata.name}: expected one container`);
  return containers[0]!;
}

/**
 * The permissions a ServiceAccount really has from this render: every binding whose subjects name it,
 * followed to its role, flattened to sorted `scope group/resource verb` strings, where scope is
 * `cluster` (ClusterRole via ClusterRoleBinding) or `ns:<namespace>`. The core group is written `core`.
 */
export function grants(objects: K8sObject[], saName: string, saNamespace: string): string[] {
  const out = new Set<string>();
  for (const b of objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')) {
    const subjects = (b.subjects ?? []) as K8sObject[];
    if (!subjects.some((s) => s.kind === 'ServiceAccount' && s.name === saName && s.namespace === saNamespace)) continue;
    const scope = b.kind === 'ClusterRoleBinding' ? 'cluster' : `ns:${b.metadata.namespace}`;
    const role = objects.find((o) => o.kind === b.roleRef.kind && o.metadata.name === b.roleRef.name
      && (o.kind === 'ClusterRole' || o.metadata.namespace === b.metadata.namespace));
    if (!role) throw new Error(`${b.kind} ${b.metadata.name} refers to ${b.roleRef.kind} ${b.roleRef.name}, which is not rendered`);
    for (const rule of (role.rules ?? []) as K8sObject[]) {
      for (const g of rule.apiGroups as string[]) {
        for (const r of rule.resources as string[]) {
          for (const v of rule.verbs as string[]) out.add(`${scope} ${g === '' ? 'core' : g}/${r} ${v}`);
        }
      }
    }
  }
  return [...out].sort();
}

/** Expands `scope group/resource` × verbs into the strings grants() returns. */
export function expand(scope: string, resource: string, verbs: string[]): string[] {
  return verbs.map((v) => `${scope} ${resource} ${v}`);
}
