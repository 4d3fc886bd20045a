/**
 * AnalysisRuns in Kubernetes as a RunStore: informers keep a cache (all namespaces, or a list),
 * status is written the way Argo writes it — a JSON merge patch of the changed fields on the main
 * resource (the CRD has no status subresource), never touching spec — with the resourceVersion
 * read, so a concurrent change (a Rollout setting spec.terminate) gives 409 and the patch is
 * retried from a fresh read when the status on the server is still the one it was based on.
 */
import {
  CustomObjectsApi,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type Informer,
  type KubeConfig,
  type KubernetesObject,
  type ObjectCache,
} from '@kubernetes/client-node';
import { isCompleted } from '../api/phase.js';
import type { AnalysisRun, AnalysisRunStatus } from '../api/types.js';
import { checkStoredRun, CorruptRunError, RunExistsError, runKey, splitRunKey, type RunKey, type RunStore, type StoreChange } from '../store/run-store.js';
import { apiMessage, httpStatusOf } from './api-errors.js';
import { keepInformerRunning, unsynced, type KeptInformer } from './informer-restart.js';
import { mergePatchDiff } from './merge-patch.js';
import { defaultBurst, StatusWriteQueue, TokenBucket, type StatusWriteBudgetOptions, type WriteResult } from './status-write-budget.js';

const GROUP = 'argoproj.io';
const VERSION = 'v1alpha1';
const PLURAL = 'analysisruns';
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const CONFLICT_RETRIES = 5;

interface KubeRunStoreOptions {
  kubeConfig: KubeConfig;
  /** Watch only these namespaces; all when empty. */
  namespaces?: readonly string[];
  /** Informer and API failures (the store keeps going). */
  onError?: (err: unknown, where: string) => void;
  /** First delay before restarting a failed informer; doubles up to 30 s. */
  restartDelayMs?: number;
  /**
   * A budget for status writes (token bucket; see status-write-budget.ts). Without one every
   * status is written at once. With one, a non-terminal status is queued and `writeStatus`
   * returns 'ok' before it is written (a later status of the same run replaces it in the queue;
   * reads of the run return it meanwhile), while a status that completes the run jumps the queue
   * and `writeStatus` waits for it. A queued status whose write fails or conflicts is dropped and
   * the run is announced as changed, so its next reconcile starts from the server's copy.
   */
  statusWriteBudget?: StatusWriteBudgetOptions;
}

/** Numeric resourceVersion for "which copy is newer" (Kubernetes RVs are etcd revisions). */
function rv(run: AnalysisRun | undefined): bigint {
  try {
    return BigInt(run?.metadata.resourceVersion ?? '0');
  } catch {
    return 0n;
  }
}

export class KubeRunStore implements RunStore {
  private readonly api: CustomObjectsApi;
  private readonly informers: (Informer<KubernetesObject> & ObjectCache<KubernetesObject>)[] = [];
  private readonly kept: KeptInformer[] = [];
  private readonly listeners = new Set<(c: StoreChange) => void>();
  /** Objects this handle wrote or read fresh, newer than the informer cache until it catches up. */
  private readonly overlay = new Map<RunKey, AnalysisRun>();
  /** The copy each reconcile was based on: the base of the status diff. */
  private readonly lastRead = new Map<RunKey, AnalysisRun>();
  private readonly ownVersions = new Set<string>();
  /** Runs this handle deleted, hidden until the informer sees the deletion too. */
  private readonly deleted = new Map<RunKey, string | undefined>();
  /** With a write budget: statuses handed to writeStatus and not yet written (read-your-writes). */
  private readonly unwritten = new Map<RunKey, { uid: string | undefined; status: AnalysisRunStatus }>();
  private readonly writes: StatusWriteQueue<AnalysisRunStatus> | undefined;
  /** Run objects from the cluster already found valid (see invalidity). */
  private readonly checked = new WeakSet<AnalysisRun>();
  private stopped = false;

  private constructor(private readonly opts: KubeRunStoreOptions) {
    this.api = opts.kubeConfig.makeApiClient(CustomObjectsApi);
    const budget = opts.statusWriteBudget;
    if (budget !== undefined) {
      const bucket = new TokenBucket(budget.qps, budget.burst ?? defaultBurst(budget.qps), Date.now, budget.onToken);
      this.writes = new StatusWriteQueue<AnalysisRunStatus>(bucket, (key, uid, status, acquire) => this.patchStatus(key, uid, status, acquire), {
        onSettled: (key, status, _terminal, result, error) => this.settled(key, status, result, error),
      });
    }
  }

  /** Status writes started through the budget, and statuses waiting for a token. */
  writeQueueStats(): { started: number; queued: number } | undefined {
    return this.writes ? { started: this.writes.started, queued: this.writes.size() } : undefined;
  }

  /** Start the informers and wait for their first list (which may fail: see `unsynced()`). */
  static async start(opts: KubeRunStoreOptions): Promise<KubeRunStore> {
    const store = new KubeRunStore(opts);
    const scopes = opts.namespaces && opts.namespaces.length > 0 ? [...opts.namespaces] : [undefined];
    await Promise.all(scopes.map((ns) => store.startInformer(ns)));
    return store;
  }

  private async startInformer(namespace: string | undefined): Promise<void> {
    const path = namespace
      ? `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}`
      : `/apis/${GROUP}/${VERSION}/${PLURAL}`;
    const list = () =>
      namespace
        ? this.api.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL })
        : this.api.listCustomObjectForAllNamespaces({ group: GROUP, version: VERSION, resourcePlural: PLURAL });
    const informer = makeInformer<KubernetesObject>(this.opts.kubeConfig, path, list as never);
    const emit = (obj: KubernetesObject) => {
      const run = obj as unknown as AnalysisRun;
      const own = this.ownVersions.delete(run.metadata.resourceVersion ?? '');
      const key = runKey(run);
      const o = this.overlay.get(key);
      if (o && rv(run) >= rv(o)) this.overlay.delete(key);
      this.emit({ type: 'upsert', key, run, ...(own ? { own } : {}) });
    };
    informer.on('add', emit);
    informer.on('update', emit);
    informer.on('delete', (obj) => {
      const key = runKey(obj as unknown as AnalysisRun);
      this.deleted.delete(key);
      this.overlay.delete(key);
      this.lastRead.delete(key);
      this.unwritten.delete(key);
      this.writes?.drop(key, 'gone');
      this.emit({ type: 'delete', key });
    });
    const kept = keepInformerRunning(informer, {
      path,
      isStopped: () => this.stopped,
      ...(this.opts.restartDelayMs !== undefined ? { initialDelayMs: this.opts.restartDelayMs } : {}),
      ...(this.opts.onError ? { onError: this.opts.onError } : {}),
    });
    this.informers.push(informer);
    this.kept.push(kept);
    await kept.start();
  }

  /** Informers whose cache is not synced (list failed, or an error since), with the error. */
  unsynced(): { path: string; error: unknown }[] {
    return unsynced(this.kept);
  }

  private cached(key: RunKey): AnalysisRun | undefined {
    const { namespace, name } = splitRunKey(key);
    for (const inf of this.informers) {
      const o = inf.get(name, namespace);
      if (o) return o as unknown as AnalysisRun;
    }
    return undefined;
  }

  async get(key: RunKey): Promise<AnalysisRun | undefined> {
    const cached = this.cached(key);
    const o = this.overlay.get(key);
    let run = o && (!cached || rv(o) > rv(cached)) ? o : cached;
    if (run && this.deleted.has(key) && this.deleted.get(key) === run.metadata.uid) return undefined;
    // A miss may only mean the informer has not caught up (a run created a moment ago, possibly
    // by another process): ask the apiserver before concluding the run does not exist.
    if (!run) run = await this.fresh(key);
    if (!run) return undefined;
    const invalid = this.invalidity(run);
    if (invalid !== undefined) throw new CorruptRunError(key, 'the cluster', invalid);
    const mine = this.unwritten.get(key);
    if (mine !== undefined) {
      // A status of ours is waiting for the budget: reconcile from it, on the server's spec and
      // metadata. The diff base (lastRead) stays the server copy the queued chain started from.
      if (mine.uid === undefined || mine.uid === run.metadata.uid) return structuredClone({ ...run, status: mine.status });
      this.unwritten.delete(key);
    }
    const copy = structuredClone(run);
    this.lastRead.set(key, copy);
    return structuredClone(copy);
  }

  async create(run: AnalysisRun): Promise<AnalysisRun> {
    const namespace = run.metadata.namespace ?? 'default';
    try {
      const created = (await this.api.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural: PLURAL,
        body: { ...run, metadata: { ...run.metadata, namespace } },
      })) as AnalysisRun;
      this.overlay.set(runKey(created), created);
      return created;
    } catch (err) {
      if (httpStatusOf(err) === 409) throw new RunExistsError(runKey(run));
      throw new Error(`creating analysisrun ${namespace}/${run.metadata.name}: ${apiMessage(err)}`);
    }
  }

  private async fresh(key: RunKey): Promise<AnalysisRun | undefined> {
    const { namespace, name } = splitRunKey(key);
    try {
      const run = (await this.api.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name })) as AnalysisRun;
      this.overlay.set(key, run);
      return run;
    } catch (err) {
      if (httpStatusOf(err) === 404) return undefined;
      throw err;
    }
  }

  async writeStatus(key: RunKey, uid: string | undefined, status: AnalysisRunStatus): Promise<'ok' | 'gone' | 'conflict'> {
    if (this.writes === undefined) return this.patchStatus(key, uid, status);
    this.unwritten.set(key, { uid, status });
    return this.writes.enqueue(key, uid, status, isCompleted(status.phase));
  }

  /** A budgeted write finished: forget the unwritten status it carried, or the whole chain on failure. */
  private settled(key: RunKey, status: AnalysisRunStatus, result: WriteResult | undefined, error: unknown): void {
    const mine = this.unwritten.get(key);
    if (result === 'ok') {
      if (mine?.status === status) this.unwritten.delete(key);
      return;
    }
    // gone, conflict or an error: the statuses queued after this one were built on it; drop them
    // (their measurements were never recorded) and let the run be reconciled from the server.
    this.unwritten.delete(key);
    this.writes?.drop(key, result ?? 'conflict');
    this.lastRead.delete(key);
    if (error !== undefined) this.opts.onError?.(error, `status write of ${key}`);
    if (result === 'gone') return;
    const latest = this.overlay.get(key) ?? this.cached(key);
    if (latest) this.emit({ type: 'upsert', key, run: latest });
  }

  private async patchStatus(
    key: RunKey,
    uid: string | undefined,
    status: AnalysisRunStatus,
    acquire?: () => Promise<void>,
  ): Promise<'ok' | 'gone' | 'conflict'> {
    let base = this.lastRead.get(key) ?? (await this.fresh(key));
    const { namespace, name } = splitRunKey(key);
    for (let attempt = 0; ; attempt++) {
      if (!base || (uid !== undefined && base.metadata.uid !== uid)) return 'gone';
      const diff = mergePatchDiff(base.status ?? {}, status);
      if (diff === undefined) return 'ok';
      const body = { metadata: { resourceVersion: base.metadata.resourceVersion, uid: base.metadata.uid }, status: diff };
      if (attempt > 0 && acquire) await acquire();
      try {
        const written = (await this.api.patchNamespacedCustomObject(
          { group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body },
          MERGE,
        )) as AnalysisRun;
        if (written.metadata.resourceVersion) this.ownVersions.add(written.metadata.resourceVersion);
        this.overlay.set(key, written);
        this.lastRead.set(key, written);
        return 'ok';
      } catch (err) {
        const code = httpStatusOf(err);
        if (code === 404) return 'gone';
        if (code !== 409 || attempt >= CONFLICT_RETRIES) throw new Error(`writing status of analysisrun ${key}: ${apiMessage(err)}`);
        // 409: something else changed the run (a Rollout patching spec.terminate, most often).
        // Re-read; if its status is still the one this write was based on, the write is still
        // right: retry it on the new resourceVersion. Otherwise our reconcile was stale.
        const latest = await this.fresh(key);
        if (!latest) return 'gone';
        if (mergePatchDiff(base.status ?? {}, latest.status ?? {}) !== undefined) return 'conflict';
        base = latest;
      }
    }
  }

  async terminate(key: RunKey): Promise<'ok' | 'gone'> {
    const { namespace, name } = splitRunKey(key);
    try {
      const written = (await this.api.patchNamespacedCustomObject(
        { group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body: { spec: { terminate: true } } },
        MERGE,
      )) as AnalysisRun;
      this.overlay.set(key, written);
      return 'ok';
    } catch (err) {
      if (httpStatusOf(err) === 404) return 'gone';
      throw new Error(`terminating analysisrun ${key}: ${apiMessage(err)}`);
    }
  }

  async delete(key: RunKey): Promise<boolean> {
    const { namespace, name } = splitRunKey(key);
    try {
      const uid = (this.overlay.get(key) ?? this.cached(key))?.metadata.uid;
      await this.api.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name, propagationPolicy: 'Background' });
      this.overlay.delete(key);
      this.lastRead.delete(key);
      this.unwritten.delete(key);
      this.writes?.drop(key, 'gone');
      this.deleted.set(key, uid);
      return true;
    } catch (err) {
      if (httpStatusOf(err) === 404) return false;
      throw new Error(`deleting analysisrun ${key}: ${apiMessage(err)}`);
    }
  }

  async list(): Promise<AnalysisRun[]> {
    const byKey = new Map<RunKey, AnalysisRun>();
    for (const inf of this.informers) for (const o of inf.list()) byKey.set(runKey(o as unknown as AnalysisRun), o as unknown as AnalysisRun);
    for (const [k, o] of this.overlay) {
      const c = byKey.get(k);
      if (!c || rv(o) > rv(c)) byKey.set(k, o);
    }
    for (const [k, uid] of this.deleted) if (byKey.get(k)?.metadata.uid === uid) byKey.delete(k);
    // An invalid run is left out of the list; get() on it reports why.
    return [...byKey.values()].filter((r) => this.invalidity(r) === undefined).map((r) => structuredClone(r));
  }

  /**
   * Why a run read from the cluster is not a valid AnalysisRun, or undefined when it is. The
   * informer hands out the same object until the run changes, so each version is checked once.
   */
  private invalidity(run: AnalysisRun): string | undefined {
    if (this.checked.has(run)) return undefined;
    const checked = checkStoredRun(run);
    if (!checked.ok) return checked.message;
    this.checked.add(run);
    return undefined;
  }

  watch(listener: (change: StoreChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.stopped = true;
    // Writes in flight finish; queued non-terminal statuses are dropped (their measurements were
    // never recorded, so whoever reconciles the run next takes them again).
    await this.writes?.close();
    this.unwritten.clear();
    await Promise.all(this.informers.map((i) => i.stop()));
    this.listeners.clear();
  }

  private emit(change: StoreChange): void {
    for (const l of this.listeners) l(change);
  }
}
