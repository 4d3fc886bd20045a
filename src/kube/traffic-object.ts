/**
 * The one object `assay promote`/`assay rollback` moves traffic on, through the API: a core/v1
 * Service or an Istio VirtualService (networking.istio.io, v1 where served, else v1beta1, found by
 * discovery). Only standard calls: GET, a JSON merge patch carrying the resourceVersion that was
 * read (the apiserver answers 409 if the object changed since: then re-read, re-decide, retry),
 * and POST of core/v1 Events. Decides nothing: `update` takes the decision as a function.
 */
import {
  ApisApi,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import type { TargetKind, TrafficObject } from '../promote/traffic.js';
import { apiMessage, isConflict, isNotFound } from './api-errors.js';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const ISTIO_GROUP = 'networking.istio.io';
/** Newest first: Istio 1.22+ serves v1; older releases v1beta1. */
const ISTIO_VERSIONS = ['v1', 'v1beta1'];
const MAX_CONFLICT_RETRIES = 5;

export interface TrafficRef {
  kind: TargetKind;
  namespace: string;
  name: string;
}

type LiveObject = TrafficObject & { metadata: TrafficObject['metadata'] & { uid?: string } };

/** The object does not exist (or its API is not served): invalid input, exit 4. */
export class ObjectMissing extends Error {}

export class TrafficObjectClient {
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;
  /** VirtualService versions still possible; one once discovery (or a successful read) decided. */
  private versions: string[];
  private constructor(
    kubeConfig: KubeConfig,
    readonly ref: TrafficRef,
    versions: string[],
  ) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.versions = versions;
  }

  /** "v1" or "networking.istio.io/v1". */
  get apiVersion(): string {
    return this.ref.kind === 'Service' ? 'v1' : `${ISTIO_GROUP}/${this.version}`;
  }

  /** `service "web" in namespace "shop"`, for messages. */
  get label(): string {
    return `${this.ref.kind === 'Service' ? 'service' : 'virtualservice'} "${this.ref.name}" in namespace "${this.ref.namespace}"`;
  }

  static async connect(kubeConfig: KubeConfig, ref: TrafficRef): Promise<TrafficObjectClient> {
    if (ref.kind === 'Service') return new TrafficObjectClient(kubeConfig, ref, ['v1']);
    let served: string[];
    try {
      const groups = await kubeConfig.makeApiClient(ApisApi).getAPIVersions();
      served = groups.groups.find((g) => g.name === ISTIO_GROUP)?.versions.map((v) => v.version) ?? [];
    } catch {
      // Discovery refused (an unusual RBAC setup): try the versions in order on the object itself.
      return new TrafficObjectClient(kubeConfig, ref, [...ISTIO_VERSIONS]);
    }
    const version = ISTIO_VERSIONS.find((v) => served.includes(v));
    if (!version) {
      throw new ObjectMissing(
        `virtualservice "${ref.name}": the cluster does not serve ${ISTIO_GROUP} v1 or v1beta1 (served: ${served.join(', ') || 'none'}); is Istio installed?`,
      );
    }
    return new TrafficObjectClient(kubeConfig, ref, [version]);
  }

  private get version(): string {
    return this.versions[0] ?? 'v1';
  }

  async read(): Promise<LiveObject> {
    const { namespace, name } = this.ref;
    for (;;) {
      try {
        if (this.ref.kind === 'Service') return (await this.core.readNamespacedService({ name, namespace })) as LiveObject;
        const obj = (await this.custom.getNamespacedCustomObject({ group: ISTIO_GROUP, version: this.version, namespace, plural: 'virtualservices', name })) as LiveObject;
        this.versions = [this.version];
        return obj;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        if (this.versions.length > 1) this.versions.shift();
        else throw new ObjectMissing(`${this.label} not found (${apiMessage(err)})`);
      }
    }
  }

  private async patch(body: Record<string, unknown>): Promise<LiveObject> {
    const { namespace, name } = this.ref;
    if (this.ref.kind === 'Service') return (await this.core.patchNamespacedService({ name, namespace, body }, MERGE)) as LiveObject;
    return (await this.custom.patchNamespacedCustomObject(
      { group: ISTIO_GROUP, version: this.version, namespace, plural: 'virtualservices', name, body },
      MERGE,
    )) as LiveObject;
  }

  /**
   * Read, decide, write with the read resourceVersion as precondition. On 409 Conflict the object
   * is read again and the decision made again on what is there now; never written blindly.
   * `decide` returns the patch, or throws to stop.
   */
  async update<T extends { patch: Record<string, unknown> }>(decide: (obj: LiveObject) => T): Promise<{ written: LiveObject; decision: T; before: LiveObject }> {
    for (let attempt = 0; ; attempt++) {
      const before = await this.read();
      const decision = decide(before);
      try {
        return { written: await this.patch(decision.patch), decision, before };
      } catch (err) {
        if (isNotFound(err)) throw new ObjectMissing(`${this.label} not found (${apiMessage(err)})`);
        if (!isConflict(err) || attempt >= MAX_CONFLICT_RETRIES) throw err;
      }
    }
  }

  /** A core/v1 Event on the object (what `kubectl describe` and `kubectl get events` show). */
  async event(obj: LiveObject, type: 'Normal' | 'Warning', reason: string, message: string, now: Date): Promise<void> {
    const { namespace, name } = this.ref;
    await this.core.createNamespacedEvent({
      namespace,
      body: {
        metadata: { name: `${name}.${now.getTime().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`, namespace },
        involvedObject: {
          apiVersion: this.apiVersion,
          kind: this.ref.kind,
          name,
          namespace,
          ...(obj.metadata.uid ? { uid: obj.metadata.uid } : {}),
          ...(obj.metadata.resourceVersion ? { resourceVersion: obj.metadata.resourceVersion } : {}),
        },
        reason,
        message: message.slice(0, 1024),
        type,
        source: { component: 'assay' },
        reportingComponent: 'assay',
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
    });
  }
}

export { apiMessage };
