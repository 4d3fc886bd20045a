/**
 * Leader election with a coordination.k8s.io/v1 Lease, for several controller replicas without
 * BullMQ (with BullMQ every replica is a worker and none needs to lead). The holder renews every
 * `renewMs`; a lease not renewed for `leaseMs` may be taken over. Updates carry the
 * resourceVersion read, so two candidates racing for an expired lease cannot both win (409).
 */
import { CoordinationV1Api, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { httpStatusOf } from './api-errors.js';

interface LeaderElectionOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  name: string;
  identity: string;
  leaseMs?: number;
  renewMs?: number;
  now?: () => number;
  onStartedLeading: () => void | Promise<void>;
  onStoppedLeading: () => void | Promise<void>;
  onError?: (err: unknown) => void;
}

export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private timer: NodeJS.Timeout | undefined;
  private leading = false;
  private stopped = false;
  private lastRenewed = 0;
  private readonly leaseMs: number;
  private readonly renewMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: LeaderElectionOptions) {
    this.api = opts.kubeConfig.makeApiClient(CoordinationV1Api);
    this.leaseMs = opts.leaseMs ?? 15_000;
    this.renewMs = opts.renewMs ?? 5_000;
    this.now = opts.now ?? Date.now;
  }

  isLeader(): boolean {
    return this.leading;
  }

  async start(): Promise<void> {
    await this.attempt();
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.attempt().finally(() => this.schedule()), this.leading ? this.renewMs : Math.max(1000, this.renewMs / 2));
    this.timer.unref();
  }

  private spec(transitions: number, acquiredAt?: Date) {
    const now = new Date(this.now());
    return {
      holderIdentity: this.opts.identity,
      leaseDurationSeconds: Math.ceil(this.leaseMs / 1000),
      acquireTime: acquiredAt ?? now,
      renewTime: now,
      leaseTransitions: transitions,
    };
  }

  /** One round: create, renew, or take over an expired lease. */
  async attempt(): Promise<void> {
    const { namespace, name } = this.opts;
    let won = false;
    let renewed = false;
    try {
      let lease: V1Lease | undefined;
      try {
        lease = await this.api.readNamespacedLease({ namespace, name });
      } catch (err) {
        if (httpStatusOf(err) !== 404) throw err;
      }
      if (!lease) {
        await this.api.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec: this.spec(0) } });
        won = renewed = true;
      } else {
        const spec = lease.spec ?? {};
        const mine = spec.holderIdentity === this.opts.identity;
        const lastRenew = spec.renewTime ? new Date(spec.renewTime as unknown as string).getTime() : 0;
        const expired = this.now() - lastRenew > (spec.leaseDurationSeconds ?? 15) * 1000;
        if (mine || expired || !spec.holderIdentity) {
          const transitions = (spec.leaseTransitions ?? 0) + (mine ? 0 : 1);
          const acquired = mine && spec.acquireTime ? new Date(spec.acquireTime as unknown as string) : undefined;
          await this.api.replaceNamespacedLease({ namespace, name, body: { ...lease, spec: this.spec(transitions, acquired) } });
          won = renewed = true;
        }
      }
    } catch (err) {
      // 409: another candidate won the race. Any other error (apiserver hiccup): a leader keeps
      // leading until its lease could have expired for others, minus a safety margin.
      if (httpStatusOf(err) !== 409) this.opts.onError?.(err);
      won = this.leading && httpStatusOf(err) !== 409 && this.now() - this.lastRenewed < this.leaseMs - this.renewMs;
    }
    if (renewed) this.lastRenewed = this.now();
    await this.transition(won);
  }

  private async transition(won: boolean): Promise<void> {
    if (won && !this.leading) {
      this.leading = true;
      await this.opts.onStartedLeading();
    } else if (!won && this.leading) {
      this.leading = false;
      await this.opts.onStoppedLeading();
    }
  }

  /** Stop campaigning; a leader releases the lease so a successor need not wait for it to expire. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (!this.leading) return;
    try {
      const lease = await this.api.readNamespacedLease({ namespace: this.opts.namespace, name: this.opts.name });
      if (lease.spec?.holderIdentity === this.opts.identity) {
        await this.api.replaceNamespacedLease({
          namespace: this.opts.namespace,
          name: this.opts.name,
          body: { ...lease, spec: { ...lease.spec, holderIdentity: '', renewTime: new Date(0) } },
        });
      }
    } catch (err) {
      this.opts.onError?.(err);
    }
    await this.transition(false);
  }
}
