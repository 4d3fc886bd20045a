// Storage with etcd-like semantics: one global, strictly increasing revision shared by every
// resource; each resource keeps a bounded event history (the apiserver's watch cache) from which
// watches resume and past list snapshots are rebuilt. Everything committed is fanned out
// synchronously to the watchers of that resource, so ordering matches commit order.
import type { EventType, KubeObject, ResourceType, StoreEvent } from './types.js';
import { clone, objectKey } from './util.js';

export interface StoreWatcher {
  deliver(ev: StoreEvent): void;
}

interface Bucket {
  objects: Map<string, KubeObject>;
  history: StoreEvent[];
  /** Oldest revision a watch may resume from / a list may be served at. */
  floor: number;
  watchers: Set<StoreWatcher>;
}

export type CommitListener = (type: ResourceType, ev: StoreEvent) => void;

const typeKey = (t: ResourceType): string => `${t.group}/${t.storageVersion ?? t.version}/${t.plural}`;

/** A copy as read through `t`: with shared storage, in the version the client asked for. */
function asServed(t: ResourceType, o: KubeObject): KubeObject {
  const c = clone(o);
  if (t.storageVersion && c.apiVersion !== undefined) c.apiVersion = t.apiVersion;
  return c;
}

export class Store {
  private rv = 0;
  private readonly buckets = new Map<string, Bucket>();
  private readonly uidIndex = new Map<string, { type: ResourceType; key: string }>();
  private readonly listeners: CommitListener[] = [];

  constructor(private readonly historyCapacity: number) {}

  currentRv(): number {
    return this.rv;
  }

  onCommit(l: CommitListener): void {
    this.listeners.push(l);
  }

  private bucket(t: ResourceType): Bucket {
    const k = typeKey(t);
    let b = this.buckets.get(k);
    if (!b) {
      b = { objects: new Map(), history: [], floor: 0, watchers: new Set() };
      this.buckets.set(k, b);
    }
    return b;
  }

  key(t: ResourceType, namespace: string | undefined, name: string): string {
    return t.namespaced ? `${namespace ?? ''}/${name}` : name;
  }

  get(t: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const o = this.bucket(t).objects.get(this.key(t, namespace, name));
    return o ? asServed(t, o) : undefined;
  }

  /** Current objects, ordered by key like an etcd range read. */
  list(t: ResourceType, namespace?: string): KubeObject[] {
    return sortByKey([...this.bucket(t).objects.values()].filter((o) => !namespace || o.metadata.namespace === namespace).map((o) => asServed(t, o)));
  }

  /** Number of stored objects in a namespace across all namespaced resources. */
  countInNamespace(types: readonly ResourceType[], namespace: string): number {
    let n = 0;
    for (const t of types) if (t.namespaced) for (const o of this.bucket(t).objects.values()) if (o.metadata.namespace === namespace) n++;
    return n;
  }

  /**
   * The state of one resource at revision `rv`, rebuilt by undoing newer history events. Returns
   * undefined when `rv` is older than the retained history (the caller answers 410 Expired).
   */
  snapshot(t: ResourceType, rv: number): KubeObject[] | undefined {
    const b = this.bucket(t);
    if (rv < b.floor) return undefined;
    const state = new Map(b.objects);
    for (let i = b.history.length - 1; i >= 0; i--) {
      const ev = b.history[i] as StoreEvent;
      if (ev.rv <= rv) break;
      const k = objectKey(ev.object);
      if (ev.type === 'ADDED') state.delete(k);
      else if (ev.prev) state.set(k, ev.prev);
    }
    return sortByKey([...state.values()].map((o) => asServed(t, o)));
  }

  /** Events strictly after `rv`, or undefined when they are no longer all retained. */
  eventsSince(t: ResourceType, rv: number): StoreEvent[] | undefined {
    const b = this.bucket(t);
    if (rv < b.floor) return undefined;
    return b.history.filter((e) => e.rv > rv);
  }

  floor(t: ResourceType): number {
    return this.bucket(t).floor;
  }

  byUid(uid: string): { type: ResourceType; object: KubeObject } | undefined {
    const loc = this.uidIndex.get(uid);
    if (!loc) return undefined;
    const o = this.bucket(loc.type).objects.get(loc.key);
    return o && o.metadata.uid === uid ? { type: loc.type, object: clone(o) } : undefined;
  }

  /** Objects (of any of `types`) whose ownerReferences name `uid`: the garbage collector's graph edge. */
  dependentsOf(types: readonly ResourceType[], uid: string): { type: ResourceType; object: KubeObject }[] {
    const out: { type: ResourceType; object: KubeObject }[] = [];
    for (const t of types) {
      for (const o of this.bucket(t).objects.values()) {
        if (o.metadata.ownerReferences?.some((r) => r.uid === uid)) out.push({ type: t, object: clone(o) });
      }
    }
    return out;
  }

  /**
   * Writes a new revision. For ADDED/MODIFIED `obj` is the new state; for DELETED it is the last
   * state, which watchers receive stamped with the deletion's revision (as etcd reports deletes).
   */
  commit(t: ResourceType, type: EventType, obj: KubeObject): KubeObject {
    const b = this.bucket(t);
    const key = this.key(t, obj.metadata.namespace, obj.metadata.name ?? '');
    const prev = b.objects.get(key);
    const rv = ++this.rv;
    const stored = clone(obj);
    stored.metadata.resourceVersion = String(rv);
    if (type === 'DELETED') {
      b.objects.delete(key);
      if (stored.metadata.uid) this.uidIndex.delete(stored.metadata.uid);
    } else {
      b.objects.set(key, stored);
      if (stored.metadata.uid) this.uidIndex.set(stored.metadata.uid, { type: t, key });
    }
    const ev: StoreEvent = { type, rv, object: stored, prev };
    b.history.push(ev);
    while (b.history.length > this.historyCapacity) {
      const dropped = b.history.shift() as StoreEvent;
      b.floor = Math.max(b.floor, dropped.rv);
    }
    for (const w of [...b.watchers]) w.deliver(ev);
    for (const l of this.listeners) l(t, ev);
    return clone(stored);
  }

  /** Forget all history: only watches/lists at the current revision or later remain possible. */
  compact(): void {
    for (const b of this.buckets.values()) {
      b.history = [];
      b.floor = this.rv;
    }
  }

  addWatcher(t: ResourceType, w: StoreWatcher): void {
    this.bucket(t).watchers.add(w);
  }

  removeWatcher(t: ResourceType, w: StoreWatcher): void {
    this.bucket(t).watchers.delete(w);
  }
}

function sortByKey(objs: KubeObject[]): KubeObject[] {
  return objs.sort((a, b) => {
    const ka = objectKey(a);
    const kb = objectKey(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}
