// fake-kube: an in-process Kubernetes API server for tests. The real @kubernetes/client-node (and
// kubectl) talk to it over loopback HTTP; see README in the final report / FakeKube docs below.
import { writeFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { virtualServiceDefinitions, type IstioNetworkingVersion } from './builtins.js';
import { customResourceType, type CustomResourceOptions } from './registry.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { FakeApiServer } from './server.js';
import type { FaultHandle, FaultSpec, KubeObject, RecordedRequest, ResourceType } from './types.js';

export type { CustomResourceOptions } from './registry.js';
export type { IstioNetworkingVersion } from './builtins.js';
export type { FaultHandle, FaultSpec, KubeObject, ObjectMeta, RecordedRequest, ResourceType } from './types.js';

export interface FakeKubeOptions {
  /** Namespaces to create at startup besides default, kube-system, kube-public and kube-node-lease. */
  namespaces?: string[];
  /** Events retained per resource for watch resume (the watch cache size). Default 1000. */
  watchCacheSize?: number;
  /** Period of BOOKMARK events for watches that allow them. Default 60 000 (the apiserver's 1 min). */
  bookmarkIntervalMs?: number;
  /** Delay applied to every request before it is handled. Default 0. */
  latencyMs?: number;
  /** Reported by /version. Default v1.31.0. */
  gitVersion?: string;
}

export interface ObjectRef {
  apiVersion: string;
  /** Kind ("AnalysisRun") or plural resource name ("analysisruns"). */
  kind: string;
  namespace?: string;
  name: string;
}

export interface ListRef {
  apiVersion: string;
  kind: string;
  /** Omit for all namespaces (or for cluster-scoped resources). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

const CONTEXT = 'fake-kube';

export class FakeKube {
  constructor(
    private readonly server: FakeApiServer,
    /** Base URL, e.g. http://127.0.0.1:39811 */
    readonly url: string,
  ) {}

  /** Every request received, in order (method, path, query, content-type, parsed body, status). */
  get requests(): RecordedRequest[] {
    return this.server.requests;
  }

  clearRequests(): void {
    this.server.requests.length = 0;
  }

  /** A client-node KubeConfig for this server (plain http needs skipTLSVerify with client-node). */
  kubeConfig(opts: { namespace?: string } = {}): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: CONTEXT, server: this.url, skipTLSVerify: true }],
      users: [{ name: CONTEXT }],
      contexts: [{ name: CONTEXT, cluster: CONTEXT, user: CONTEXT, namespace: opts.namespace ?? 'default' }],
      currentContext: CONTEXT,
    });
    return kc;
  }

  /** The same configuration as a kubeconfig file, for kubectl or child processes (KUBECONFIG=path). */
  writeKubeconfigFile(path: string, opts: { namespace?: string } = {}): string {
    const doc = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: CONTEXT, cluster: { server: this.url, 'insecure-skip-tls-verify': true } }],
      contexts: [{ name: CONTEXT, context: { cluster: CONTEXT, user: CONTEXT, namespace: opts.namespace ?? 'default' } }],
      'current-context': CONTEXT,
      users: [{ name: CONTEXT, user: {} }],
      preferences: {},
    };
    writeFileSync(path, stringify(doc));
    return path;
  }

  /** Serve a custom resource, like applying its CRD (instantly Established). Replaces a same-named one. */
  registerCustomResource(def: CustomResourceOptions): ResourceType {
    return this.server.registry.add(customResourceType(def));
  }

  /**
   * Serve Istio's VirtualService (networking.istio.io) in the given versions, sharing one storage
   * like the real CRD: v1 + v1beta1 as Istio 1.22+ does, or v1beta1 alone as older releases.
   */
  registerIstioVirtualService(versions: readonly IstioNetworkingVersion[] = ['v1', 'v1beta1']): ResourceType[] {
    return virtualServiceDefinitions(versions).map((d) => this.registerCustomResource(d));
  }

  /** Current global resourceVersion. */
  resourceVersion(): string {
    return String(this.server.store.currentRv());
  }

  /** Forget all watch history: watches and exact lists from any older resourceVersion now get 410 Expired. */
  compact(): void {
    this.server.store.compact();
  }

  /**
   * Ends every open watch. By default cleanly (final chunk, as when the server's watch timeout
   * fires; clients reconnect from their last resourceVersion). `abrupt` resets the connections
   * instead, as a crashing server or proxy would. Returns how many watches were dropped.
   */
  dropWatches(opts: { abrupt?: boolean } = {}): number {
    const all = [...this.server.watches];
    for (const w of all) if (opts.abrupt) w.destroy();
    else w.end();
    return all.length;
  }

  /** Send a BOOKMARK now on every watch that set allowWatchBookmarks=true. */
  sendBookmarks(): void {
    for (const w of this.server.watches) w.sendBookmark();
  }

  /** Open watch connections, optionally only those on one resource plural. */
  activeWatches(plural?: string): number {
    return [...this.server.watches].filter((w) => plural === undefined || w.params.type.plural === plural).length;
  }

  /** Resolves once at least `n` watches are open (on `plural`, if given). */
  async waitForWatches(n: number, plural?: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.activeWatches(plural) < n) {
      if (Date.now() > deadline) throw new Error(`fake-kube: expected ${n} watches on ${plural ?? 'any resource'}, have ${this.activeWatches(plural)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Fail the next matching request(s) with `status`; see FaultSpec. */
  injectFault(spec: FaultSpec): FaultHandle {
    return this.server.faults.add(spec);
  }

  clearFaults(): void {
    this.server.faults.clear();
  }

  /** Delay every subsequent request by `ms` before it is handled (0 to disable). */
  setLatency(ms: number): void {
    this.server.latencyMs = ms;
  }

  /** Read an object straight from storage (a copy), or undefined. */
  get(ref: ObjectRef): KubeObject | undefined {
    const t = this.server.registry.resolve(ref.apiVersion, ref.kind);
    return this.server.store.get(t, t.namespaced ? (ref.namespace ?? 'default') : undefined, ref.name);
  }

  /** List straight from storage, with optional selectors in the API's syntax. */
  list(ref: ListRef): KubeObject[] {
    const t = this.server.registry.resolve(ref.apiVersion, ref.kind);
    const label = parseLabelSelector(ref.labelSelector);
    const field = parseFieldSelector(ref.fieldSelector, t);
    return this.server.store.list(t, ref.namespace).filter((o) => label.matches(o.metadata.labels) && field.matches(o));
  }

  /**
   * Create or overwrite an object straight in storage, bypassing HTTP, admission, validation and
   * status-subresource rules (so tests can play a controller writing status). uid,
   * creationTimestamp, generation and a new resourceVersion are assigned; watchers are notified.
   */
  put(obj: KubeObject): KubeObject {
    return this.server.objects.putDirect(obj);
  }

  /** Remove an object from storage immediately, ignoring finalizers. Watchers see DELETED. */
  delete(ref: ObjectRef): KubeObject | undefined {
    const t = this.server.registry.resolve(ref.apiVersion, ref.kind);
    const cur = this.server.store.get(t, t.namespaced ? (ref.namespace ?? 'default') : undefined, ref.name);
    return cur ? this.server.store.commit(t, 'DELETED', cur) : undefined;
  }

  async close(): Promise<void> {
    for (const w of [...this.server.watches]) w.destroy();
    this.server.deleter.close();
    const closed = new Promise<void>((resolve) => this.server.http.close(() => resolve()));
    this.server.http.closeAllConnections();
    await closed;
  }
}

/** Starts a fake API server on 127.0.0.1 with an ephemeral port. */
export async function startFakeKube(opts: FakeKubeOptions = {}): Promise<FakeKube> {
  const server = new FakeApiServer({
    watchCacheSize: opts.watchCacheSize ?? 1000,
    bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 60_000,
    gitVersion: opts.gitVersion ?? 'v1.31.0',
    namespaces: opts.namespaces ?? [],
  });
  server.latencyMs = opts.latencyMs ?? 0;
  await new Promise<void>((resolve, reject) => {
    server.http.once('error', reject);
    server.http.listen(0, '127.0.0.1', () => resolve());
  });
  return new FakeKube(server, `http://${server.address()}`);
}
