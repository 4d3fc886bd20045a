// How objects, lists and tables look on the wire.
import type { KubeObject, PrinterColumn, ResourceType } from './types.js';
import { getPath, isPlainObject, sortKeysDeep } from './util.js';

/**
 * Custom resources come out of a Go map (keys sorted); built-ins come out of structs, where the
 * order is TypeMeta, ObjectMeta, then the type's own fields.
 */
export function present(t: ResourceType, o: KubeObject): KubeObject {
  if (!t.builtin) return sortKeysDeep(o) as KubeObject;
  const { kind, apiVersion, metadata, ...rest } = o;
  return { kind, apiVersion, metadata, ...rest };
}

/**
 * Typed lists do not repeat kind/apiVersion on their items (the items are bare structs); custom
 * resource lists are lists of complete unstructured objects, so theirs keep it.
 */
export function presentList(t: ResourceType, items: KubeObject[], meta: Record<string, unknown>): Record<string, unknown> {
  const shaped = items.map((o) => {
    if (!t.builtin) return sortKeysDeep(o);
    const { kind: _k, apiVersion: _a, metadata, ...rest } = o;
    return { metadata, ...rest };
  });
  if (!t.builtin) return sortKeysDeep({ apiVersion: t.apiVersion, items: shaped, kind: t.listKind, metadata: meta }) as Record<string, unknown>;
  return { kind: t.listKind, apiVersion: t.apiVersion, metadata: meta, items: shaped };
}

/** The empty object of the watched kind that carries a BOOKMARK's resourceVersion. */
export function bookmarkObject(t: ResourceType, rv: number, annotations?: Record<string, string>): KubeObject {
  const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
  if (annotations) metadata.annotations = annotations;
  // A zero metav1.Time in a struct serializes as null.
  if (t.builtin) return { kind: t.kind, apiVersion: t.apiVersion, metadata: { ...metadata, creationTimestamp: null } };
  return { apiVersion: t.apiVersion, kind: t.kind, metadata };
}

/** Does the client ask for server-side printing (kubectl's default `get` output)? */
export function wantsTable(accept: string | undefined): boolean {
  return accept !== undefined && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

function ageOf(ts: unknown): string {
  if (typeof ts !== 'string') return '<unknown>';
  const s = Math.max(0, Math.floor((Date.now() - new Date(ts).getTime()) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

function cell(o: KubeObject, c: PrinterColumn): unknown {
  const v = getPath(o, c.jsonPath.replace(/^\./, ''));
  if (c.type === 'date') return typeof v === 'string' ? ageOf(v) : null;
  return v === undefined ? null : v;
}

/**
 * meta.k8s.io/v1 Table, as kube-apiserver returns for `kubectl get`: a Name column, the CRD's
 * additionalPrinterColumns (or Age by default), and each row's object as PartialObjectMetadata.
 */
export function toTable(t: ResourceType, items: KubeObject[], listMeta: Record<string, unknown>): Record<string, unknown> {
  const cols: PrinterColumn[] =
    t.printerColumns.length > 0 ? t.printerColumns : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
      ...cols.map((c) => ({ name: c.name, type: c.type === 'date' ? 'date' : c.type, format: '', description: c.description ?? '', priority: c.priority ?? 0 })),
    ],
    rows: items.map((o) => ({
      cells: [o.metadata.name ?? '', ...cols.map((c) => cell(o, c))],
      object: {
        kind: 'PartialObjectMetadata',
        apiVersion: 'meta.k8s.io/v1',
        metadata: isPlainObject(o.metadata) ? o.metadata : {},
      },
    })),
  };
}
