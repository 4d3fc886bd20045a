// DELETE semantics plus the two controllers a client can observe reacting to deletes: the garbage
// collector (ownerReferences, propagationPolicy, the orphan/foregroundDeletion finalizers) and the
// namespace controller (Terminating, then content removal, then the namespace itself). Both run
// asynchronously after the commit, as the real controllers do, so tests must wait for them.
import { conflict, invalid, notFound, type StatusBody } from './errors.js';
import type { Scope } from './objects.js';
import type { Registry } from './registry.js';
import type { FieldSelector, LabelSelector } from './selectors.js';
import type { Store } from './store.js';
import type { KubeObject, PropagationPolicy, ResourceType, StoreEvent } from './types.js';
import { clone, deepEqual, isPlainObject, rfc3339 } from './util.js';

export interface DeleteOptions {
  propagationPolicy?: string;
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface DeleteResult {
  status: number;
  body: KubeObject | StatusBody;
  warnings: string[];
}

const ORPHAN = 'orphan';
const FOREGROUND = 'foregroundDeletion';
const POLICIES: readonly string[] = ['Foreground', 'Background', 'Orphan'];

export class Deleter {
  private readonly scheduled = new Map<string, NodeJS.Immediate>();
  private readonly foregroundOwners = new Map<string, ResourceType>();

  constructor(
    private readonly registry: Registry,
    private readonly store: Store,
  ) {
    store.onCommit((t, ev) => this.react(t, ev));
  }

  close(): void {
    for (const h of this.scheduled.values()) clearImmediate(h);
    this.scheduled.clear();
  }

  delete(s: Scope, opts: DeleteOptions): DeleteResult {
    const t = s.type;
    const name = s.name ?? '';
    const explicit = this.policy(opts);
    const old = this.store.get(t, s.namespace, name);
    if (!old) throw notFound(t, name);
    const pre = opts.preconditions ?? {};
    if (pre.uid && pre.uid !== old.metadata.uid) {
      throw conflict(t, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid ?? ''}`);
    }
    if (pre.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(
        t,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion ?? ''}`,
      );
    }
    const warnings = explicit === undefined && t.defaultPropagationWarning ? [t.defaultPropagationWarning] : [];
    if (t.group === '' && t.plural === 'namespaces') return { status: 200, body: this.startNamespaceDeletion(t, old, s.dryRun), warnings };
    const out = this.deleteObject(t, old, explicit ?? t.defaultPropagation, s.dryRun);
    if (out.deleted && !t.returnDeletedObject) {
      const body: StatusBody = {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name, ...(t.group ? { group: t.group } : {}), kind: t.plural, uid: old.metadata.uid },
      };
      return { status: 200, body, warnings };
    }
    return { status: 200, body: out.object, warnings };
  }

  /** DELETE on a collection: each match is deleted individually; the response lists them. */
  deleteCollection(s: Scope, label: LabelSelector, field: FieldSelector, opts: DeleteOptions): DeleteResult {
    const t = s.type;
    const explicit = this.policy(opts);
    const items = this.store.list(t, s.namespace).filter((o) => label.matches(o.metadata.labels) && field.matches(o));
    for (const o of items) this.deleteObject(t, o, explicit ?? t.defaultPropagation, s.dryRun);
    const warnings = explicit === undefined && t.defaultPropagationWarning ? [t.defaultPropagationWarning] : [];
    return {
      status: 200,
      body: { apiVersion: t.apiVersion, kind: t.listKind, metadata: { resourceVersion: String(this.store.currentRv()) }, items } as unknown as KubeObject,
      warnings,
    };
  }

  private policy(opts: DeleteOptions): PropagationPolicy | undefined {
    const p = opts.propagationPolicy;
    if (p !== undefined && opts.orphanDependents !== undefined) {
      throw invalid('DeleteOptions.meta.k8s.io', 'DeleteOptions', 'meta.k8s.io', '', [
        { type: 'FieldValueInvalid', field: 'propagationPolicy', value: JSON.stringify(p), detail: 'orphanDependents and deletionPropagation cannot be both set' },
      ]);
    }
    if (p !== undefined && !POLICIES.includes(p)) {
      throw invalid('DeleteOptions.meta.k8s.io', 'DeleteOptions', 'meta.k8s.io', '', [
        { type: 'FieldValueNotSupported', field: 'propagationPolicy', value: JSON.stringify(p), detail: 'supported values: "Foreground", "Background", "Orphan"' },
      ]);
    }
    if (p !== undefined) return p as PropagationPolicy;
    if (opts.orphanDependents !== undefined) return opts.orphanDependents ? 'Orphan' : 'Background';
    return undefined;
  }

  /**
   * Deletes immediately when no finalizer remains; otherwise marks the object deleting
   * (deletionTimestamp, grace period 0, generation bump) and leaves it to the finalizers' owners.
   */
  private deleteObject(t: ResourceType, old: KubeObject, policy: PropagationPolicy, dryRun: boolean): { deleted: boolean; object: KubeObject } {
    const gc = new Set([ORPHAN, FOREGROUND]);
    const finalizers = (old.metadata.finalizers ?? []).filter((f) => !gc.has(f));
    if (policy === 'Orphan') finalizers.push(ORPHAN);
    if (policy === 'Foreground') finalizers.push(FOREGROUND);
    if (finalizers.length === 0) {
      if (dryRun) return { deleted: true, object: old };
      return { deleted: true, object: this.store.commit(t, 'DELETED', old) };
    }
    const next = clone(old);
    next.metadata.finalizers = finalizers;
    if (!next.metadata.deletionTimestamp) {
      next.metadata.deletionTimestamp = rfc3339();
      next.metadata.deletionGracePeriodSeconds = 0;
      if ((next.metadata.generation ?? 0) > 0) next.metadata.generation = (next.metadata.generation ?? 0) + 1;
    }
    if (deepEqual(next, old) || dryRun) return { deleted: false, object: next };
    return { deleted: false, object: this.store.commit(t, 'MODIFIED', next) };
  }

  private startNamespaceDeletion(t: ResourceType, old: KubeObject, dryRun: boolean): KubeObject {
    if (old.metadata.deletionTimestamp) return old;
    const next = clone(old);
    next.metadata.deletionTimestamp = rfc3339();
    next.metadata.deletionGracePeriodSeconds = 0;
    next.status = { ...(isPlainObject(old.status) ? old.status : {}), phase: 'Terminating' };
    return dryRun ? next : this.store.commit(t, 'MODIFIED', next);
  }

  private schedule(key: string, fn: () => void): void {
    if (this.scheduled.has(key)) return;
    this.scheduled.set(
      key,
      setImmediate(() => {
        this.scheduled.delete(key);
        fn();
      }),
    );
  }

  private react(t: ResourceType, ev: StoreEvent): void {
    const o = ev.object;
    const uid = o.metadata.uid ?? '';
    if (ev.type === 'DELETED') {
      this.schedule(`gc:${uid}`, () => this.collectDependents(uid));
      if (this.foregroundOwners.size > 0) for (const [ownerUid, ot] of this.foregroundOwners) this.schedule(`fg:${ownerUid}`, () => this.foreground(ot, ownerUid));
      const ns = o.metadata.namespace;
      if (ns) this.schedule(`ns:${ns}`, () => this.finalizeNamespace(ns));
      return;
    }
    if (!o.metadata.deletionTimestamp) return;
    if (t.group === '' && t.plural === 'namespaces') {
      const name = o.metadata.name ?? '';
      this.schedule(`ns:${name}`, () => this.finalizeNamespace(name));
      return;
    }
    const f = o.metadata.finalizers ?? [];
    if (f.includes(ORPHAN)) this.schedule(`orphan:${uid}`, () => this.orphan(t, uid));
    if (f.includes(FOREGROUND)) {
      this.foregroundOwners.set(uid, t);
      this.schedule(`fg:${uid}`, () => this.foreground(t, uid));
    }
  }

  private dependentsOf(uid: string): { type: ResourceType; object: KubeObject }[] {
    return this.store.dependentsOf(this.registry.all(), uid);
  }

  /** Background collection: a dependent whose owners are all gone is deleted; else the dangling reference is dropped. */
  private collectDependents(uid: string): void {
    for (const { type, object } of this.dependentsOf(uid)) {
      const refs = object.metadata.ownerReferences ?? [];
      const alive = refs.filter((r) => r.uid !== uid && this.store.byUid(r.uid));
      if (alive.length === 0) {
        if (!object.metadata.deletionTimestamp) this.deleteObject(type, object, 'Background', false);
      } else {
        const next = clone(object);
        next.metadata.ownerReferences = refs.filter((r) => r.uid !== uid);
        this.store.commit(type, 'MODIFIED', next);
      }
    }
  }

  private orphan(t: ResourceType, uid: string): void {
    for (const { type, object } of this.dependentsOf(uid)) {
      const next = clone(object);
      const refs = (next.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
      if (refs.length > 0) next.metadata.ownerReferences = refs;
      else delete next.metadata.ownerReferences;
      this.store.commit(type, 'MODIFIED', next);
    }
    this.removeFinalizer(t, uid, ORPHAN);
  }

  /** Foreground: delete dependents first; the owner goes once none is left. */
  private foreground(t: ResourceType, uid: string): void {
    const deps = this.dependentsOf(uid);
    for (const { type, object } of deps) if (!object.metadata.deletionTimestamp) this.deleteObject(type, object, 'Foreground', false);
    if (this.dependentsOf(uid).length > 0) return; // re-run when something else is deleted
    this.foregroundOwners.delete(uid);
    this.removeFinalizer(t, uid, FOREGROUND);
  }

  private removeFinalizer(t: ResourceType, uid: string, finalizer: string): void {
    const found = this.store.byUid(uid);
    if (!found) return;
    const next = clone(found.object);
    const rest = (next.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    if (rest.length === 0) this.store.commit(t, 'DELETED', found.object);
    else {
      next.metadata.finalizers = rest;
      this.store.commit(t, 'MODIFIED', next);
    }
  }

  private finalizeNamespace(name: string): void {
    const nsType = this.registry.find('', 'v1', 'namespaces');
    if (!nsType) return;
    const ns = this.store.get(nsType, undefined, name);
    if (!ns?.metadata.deletionTimestamp) return;
    for (const t of this.registry.all()) {
      if (!t.namespaced) continue;
      for (const o of this.store.list(t, name)) if (!o.metadata.deletionTimestamp) this.deleteObject(t, o, 'Background', false);
    }
    if (this.store.countInNamespace(this.registry.all(), name) > 0) return; // finalizers pending
    const finalized = clone(ns);
    finalized.spec = {}; // the namespace controller's /finalize call empties spec.finalizers
    const last = this.store.commit(nsType, 'MODIFIED', finalized);
    if ((last.metadata.finalizers ?? []).length === 0) this.store.commit(nsType, 'DELETED', last);
  }
}
