// Create / update / patch with the generic registry's rules (k8s.io/apiserver registry/rest and
// registry/generic/registry) and apiextensions' custom-resource strategy.
import { randomUUID } from 'node:crypto';
import {
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  internalError,
  invalid,
  invalidObject,
  notFound,
  qualifiedResource,
  StatusError,
  unsupportedMediaType,
} from './errors.js';
import { applyStrategicAsMerge, jsonPatch, mergePatch } from './patch.js';
import type { Registry } from './registry.js';
import type { Store } from './store.js';
import type { FieldError, KubeObject, ObjectMeta, ResourceType } from './types.js';
import { clone, deepEqual, isPlainObject, randomSuffix, rfc3339 } from './util.js';
import { requiredFieldErrors, validateObjectMeta } from './validation.js';

export interface Scope {
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: 'status';
  dryRun: boolean;
}

export interface WriteResult {
  status: number;
  object: KubeObject;
  warnings?: string[];
}

export const PATCH_JSON = 'application/json-patch+json';
export const PATCH_MERGE = 'application/merge-patch+json';
export const PATCH_STRATEGIC = 'application/strategic-merge-patch+json';
export const PATCH_APPLY = 'application/apply-patch+yaml';

const META_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
]);

/**
 * metadata always round-trips through the typed ObjectMeta (even for custom resources), so unknown
 * keys vanish and empty collections are omitted. managedFields is not tracked by this fake.
 */
export function normalizeMeta(o: KubeObject): void {
  const md: ObjectMeta = isPlainObject(o.metadata) ? o.metadata : {};
  const out: ObjectMeta = {};
  for (const [k, v] of Object.entries(md)) {
    if (!META_FIELDS.has(k) || v === null || v === undefined || v === '') continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (isPlainObject(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  o.metadata = out;
}

/** Everything except metadata: what the custom-resource strategy compares to bump generation. */
function nonMetadata(o: KubeObject): Record<string, unknown> {
  const { metadata: _m, ...rest } = o;
  return rest;
}

export class ObjectApi {
  constructor(
    private readonly registry: Registry,
    private readonly store: Store,
  ) {}

  /** Fills in kind/apiVersion the way the decoder defaults them, or rejects a mismatch. */
  private checkTypeMeta(t: ResourceType, o: KubeObject): void {
    if (!t.builtin) {
      if (!o.kind) throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(o)}'`);
      if (!o.apiVersion) throw badRequest(`Object 'apiVersion' is missing in '${JSON.stringify(o)}'`);
    }
    o.apiVersion ??= t.apiVersion;
    o.kind ??= t.kind;
    if (o.apiVersion !== t.apiVersion) {
      throw badRequest(`the API version in the data (${o.apiVersion}) does not match the expected API version (${t.apiVersion})`);
    }
    if (o.kind !== t.kind) throw badRequest(`the kind in the data (${o.kind}) does not match the expected kind (${t.kind})`);
  }

  private decodeBody(s: Scope, body: unknown): KubeObject {
    if (!isPlainObject(body)) throw badRequest(`json: cannot unmarshal ${Array.isArray(body) ? 'array' : typeof body} into Go value of type map[string]interface {}`);
    const o = clone(body) as KubeObject;
    this.checkTypeMeta(s.type, o);
    normalizeMeta(o);
    if (s.type.namespaced) {
      if (o.metadata.namespace && o.metadata.namespace !== s.namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      o.metadata.namespace = s.namespace;
    } else delete o.metadata.namespace;
    return o;
  }

  /** The NamespaceLifecycle admission plugin: no content in missing or terminating namespaces. */
  private admitCreate(t: ResourceType, namespace: string | undefined, name: string): void {
    if (!t.namespaced || !namespace) return;
    const nsType = this.registry.find('', 'v1', 'namespaces');
    if (!nsType) return;
    const ns = this.store.get(nsType, undefined, namespace);
    if (!ns) throw notFound(nsType, namespace);
    if (ns.metadata.deletionTimestamp && t.kind !== 'Event') {
      throw forbidden(t, name, `unable to create new content in namespace ${namespace} because it is being terminated`, [
        { reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' },
      ]);
    }
  }

  private validate(t: ResourceType, o: KubeObject, old: KubeObject | undefined): void {
    const errs: FieldError[] = [...validateObjectMeta(o, t), ...requiredFieldErrors(o, t.requiredFields), ...(t.hooks.validate?.(o, old) ?? [])];
    if (old?.metadata.deletionTimestamp) {
      const before = new Set(old.metadata.finalizers ?? []);
      const added = (o.metadata.finalizers ?? []).filter((f) => !before.has(f));
      if (added.length > 0) {
        errs.push({
          type: 'FieldValueForbidden',
          field: 'metadata.finalizers',
          detail: `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
        });
      }
    }
    if (errs.length > 0) throw invalidObject(t, o.metadata.name ?? '', errs);
  }

  create(s: Scope, body: unknown): WriteResult {
    const t = s.type;
    const o = this.decodeBody(s, body);
    const md = o.metadata;
    this.admitCreate(t, s.namespace, md.name ?? '');
    if (!md.name && md.generateName) {
      do md.name = `${md.generateName}${randomSuffix()}`;
      while (this.store.get(t, md.namespace, md.name));
    }
    const rvOnCreate = md.resourceVersion;
    delete md.resourceVersion;
    md.uid = randomUUID();
    md.creationTimestamp = rfc3339();
    delete md.deletionTimestamp;
    delete md.deletionGracePeriodSeconds;
    if (t.hasGeneration) md.generation = 1;
    else delete md.generation;
    // A status subresource means status is owned by the status writer: create cannot set it.
    if (t.statusSubresource) delete o.status;
    t.hooks.prepareForCreate?.(o);
    this.validate(t, o, undefined);
    if (rvOnCreate) throw internalError('resourceVersion should not be set on objects to be created');
    if (this.store.get(t, md.namespace, md.name ?? '')) throw alreadyExists(t, md.name ?? '');
    if (s.dryRun) return { status: 201, object: o };
    return { status: 201, object: this.store.commit(t, 'ADDED', o) };
  }

  update(s: Scope, body: unknown): WriteResult {
    const t = s.type;
    const name = s.name ?? '';
    const o = this.decodeBody(s, body);
    if (o.metadata.name !== name) {
      throw badRequest(`the name of the object (${o.metadata.name ?? ''}) does not match the name on the URL (${name})`);
    }
    const old = this.store.get(t, s.namespace, name);
    if (!old) {
      if (!t.allowCreateOnUpdate || s.subresource) throw notFound(t, name);
      delete o.metadata.resourceVersion;
      return this.create(s, o);
    }
    const rv = o.metadata.resourceVersion;
    if (!rv) {
      if (!t.allowUnconditionalUpdate) {
        // The storage layer reports this against the resource, printing the uint64 zero with %#v.
        throw invalid(qualifiedResource(t), t.plural, t.group, name, [
          { type: 'FieldValueInvalid', field: 'metadata.resourceVersion', value: '0x0', detail: 'must be specified for an update' },
        ]);
      }
    } else if (rv !== old.metadata.resourceVersion) throw conflict(t, name);
    return this.applyUpdate(s, old, o);
  }

  patch(s: Scope, contentType: string, rawBody: string): WriteResult {
    const t = s.type;
    const name = s.name ?? '';
    const accepted = t.builtin ? [PATCH_JSON, PATCH_MERGE, PATCH_STRATEGIC, PATCH_APPLY] : [PATCH_JSON, PATCH_MERGE, PATCH_APPLY];
    const ct = (contentType.split(';')[0] ?? '').trim().toLowerCase();
    if (!accepted.includes(ct)) throw unsupportedMediaType(accepted);
    if (ct === PATCH_APPLY) {
      // Loud rather than approximately right: field ownership is not modelled.
      throw new StatusError(415, 'UnsupportedMediaType', 'fake-kube does not implement server-side apply (application/apply-patch+yaml)');
    }
    let patchDoc: unknown;
    try {
      patchDoc = JSON.parse(rawBody);
    } catch (e) {
      throw badRequest(`error decoding patch: ${(e as Error).message}`);
    }
    const old = this.store.get(t, s.namespace, name);
    if (!old) throw notFound(t, name);
    let patched: unknown;
    if (ct === PATCH_JSON) patched = jsonPatch(old, patchDoc);
    else {
      if (!isPlainObject(patchDoc)) throw badRequest('json: cannot unmarshal into Go value of type map[string]interface {}');
      patched = ct === PATCH_MERGE ? mergePatch(old, patchDoc) : applyStrategicAsMerge(old, patchDoc);
    }
    if (!isPlainObject(patched)) throw badRequest('patched object is not a JSON object');
    const o = patched as KubeObject;
    if (!isPlainObject(o.metadata)) o.metadata = {};
    this.checkTypeMeta(t, o);
    if (o.metadata.name !== name) {
      throw badRequest(`the name of the object (${String(o.metadata.name ?? '')}) does not match the name on the URL (${name})`);
    }
    normalizeMeta(o);
    if (t.namespaced) o.metadata.namespace = s.namespace;
    // The patched object carries the current resourceVersion unless the patch changed it, which
    // makes a patch with a stale metadata.resourceVersion a conditional update that conflicts.
    const rv = o.metadata.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion) throw conflict(t, name);
    return this.applyUpdate(s, old, o);
  }

  /** The common tail of PUT and PATCH: strategy PrepareForUpdate, validation, no-op detection. */
  private applyUpdate(s: Scope, old: KubeObject, o: KubeObject): WriteResult {
    const t = s.type;
    const name = s.name ?? '';
    if (o.metadata.uid && o.metadata.uid !== old.metadata.uid) {
      throw conflict(t, name, `Precondition failed: UID in precondition: ${o.metadata.uid}, UID in object meta: ${old.metadata.uid ?? ''}`);
    }
    let next: KubeObject;
    if (s.subresource === 'status') {
      // The status endpoint copies the stored object and takes only .status from the request.
      next = clone(old);
      if (o.status !== undefined) next.status = o.status;
      else delete next.status;
    } else {
      next = o;
      if (t.statusSubresource) {
        if (old.status !== undefined) next.status = clone(old.status);
        else delete next.status;
      }
      const md = next.metadata;
      for (const k of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'namespace'] as const) {
        if (old.metadata[k] !== undefined) (md as Record<string, unknown>)[k] = old.metadata[k];
        else delete md[k];
      }
      t.hooks.prepareForUpdate?.(next, old);
      if (t.hasGeneration) {
        // Custom resources bump on any non-metadata change (with no status subresource that
        // includes status!); built-in strategies compare spec only.
        const changed = t.builtin ? !deepEqual(next.spec, old.spec) : !deepEqual(nonMetadata(next), nonMetadata(old));
        md.generation = (old.metadata.generation ?? 0) + (changed ? 1 : 0);
      } else delete md.generation;
    }
    this.validate(t, next, old);
    // A write that changes nothing is not persisted: same resourceVersion, no watch event.
    next.metadata.resourceVersion = old.metadata.resourceVersion;
    if (deepEqual(next, old)) return { status: 200, object: old };
    if (s.dryRun) return { status: 200, object: next };
    if (next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0) {
      // Removing the last finalizer of a deleting object deletes it, reporting its last state.
      return { status: 200, object: this.store.commit(t, 'DELETED', old) };
    }
    return { status: 200, object: this.store.commit(t, 'MODIFIED', next) };
  }

  /**
   * Test-side write that bypasses HTTP, admission and validation but still behaves like storage:
   * server-managed metadata is filled in, a new revision is committed and watchers are notified.
   */
  putDirect(input: KubeObject): KubeObject {
    if (!input.apiVersion || !input.kind) throw new Error('fake-kube put(): apiVersion and kind are required');
    const t = this.registry.resolve(input.apiVersion, input.kind);
    const o = clone(input);
    normalizeMeta(o);
    if (!o.metadata.name) throw new Error('fake-kube put(): metadata.name is required');
    if (t.namespaced) o.metadata.namespace ??= 'default';
    else delete o.metadata.namespace;
    const old = this.store.get(t, o.metadata.namespace, o.metadata.name);
    const md = o.metadata;
    md.uid ??= old?.metadata.uid ?? randomUUID();
    md.creationTimestamp ??= old?.metadata.creationTimestamp ?? rfc3339();
    if (t.hasGeneration && md.generation === undefined) {
      const changed = old ? (t.builtin ? !deepEqual(o.spec, old.spec) : !deepEqual(nonMetadata(o), nonMetadata(old))) : true;
      md.generation = old ? (old.metadata.generation ?? 0) + (changed ? 1 : 0) : 1;
    }
    if (!old) return this.store.commit(t, 'ADDED', o);
    md.resourceVersion = old.metadata.resourceVersion;
    if (deepEqual(o, old)) return old;
    return this.store.commit(t, 'MODIFIED', o);
  }
}
