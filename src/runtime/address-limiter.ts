/**
 * Bounded concurrency per provider address: at most `limit` provider calls in flight to one
 * backend (a Prometheus server, a web endpoint's origin) at a time; further calls wait in FIFO
 * order for a slot. Thousands of runs due in the same second then queue in assay instead of
 * opening thousands of connections to one server (which answers them no faster, and may fall
 * over). A call's provider timeout starts when it gets its slot, as it would in a client-side
 * connection pool; its measurement's startedAt is still the instant it was requested.
 *
 * The address of a call is the origin (`scheme://host:port`) of the provider block's `address`
 * (Prometheus) or `url` (web), else the provider key (e.g. `job`: one bound for all its calls to
 * the Kubernetes API).
 */

interface AddressSlotStats {
  address: string;
  active: number;
  queued: number;
}

/** A caller waiting for a slot; `settle(true)` hands it one, `settle(false)` lets it run without. */
interface Waiter {
  settle: (holds: boolean) => void;
  signal: AbortSignal | undefined;
  done: boolean;
}

interface Lane {
  active: number;
  waiters: Waiter[];
  head: number;
}

export const DEFAULT_PER_ADDRESS_CONCURRENCY = 64;

export class AddressLimiter {
  private readonly lanes = new Map<string, Lane>();
  private readonly limit: number;
  private maxActiveSeen = 0;

  /** `limit` 0 or Infinity: unbounded. */
  constructor(limit: number = DEFAULT_PER_ADDRESS_CONCURRENCY) {
    if (!(limit >= 0)) throw new RangeError(`per-address concurrency must be >= 0, not ${limit}`);
    this.limit = limit === 0 ? Number.POSITIVE_INFINITY : Math.floor(limit) || Number.POSITIVE_INFINITY;
  }

  /**
   * Run `fn` holding one of `address`'s slots. When `signal` aborts while waiting, `fn` runs at
   * once without a slot (it sees the aborted signal and returns quickly), so shutdown never waits
   * behind a queue.
   */
  run<T>(address: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.limit === Number.POSITIVE_INFINITY) return fn();
    let lane = this.lanes.get(address);
    if (lane === undefined) {
      lane = { active: 0, waiters: [], head: 0 };
      this.lanes.set(address, lane);
    }
    if (lane.active < this.limit) {
      // Fast path (no waiting): no async frame, one reaction to release the slot.
      lane.active++;
      if (lane.active > this.maxActiveSeen) this.maxActiveSeen = lane.active;
      return this.holding(address, lane, fn);
    }
    const l = lane;
    return this.wait(l, signal).then((holds) => (holds ? this.holding(address, l, fn) : fn()));
  }

  private holding<T>(address: string, lane: Lane, fn: () => Promise<T>): Promise<T> {
    let p: Promise<T>;
    try {
      p = fn();
    } catch (err) {
      this.release(address, lane);
      return Promise.reject(err);
    }
    const release = (): void => this.release(address, lane);
    p.then(release, release);
    return p;
  }

  /** Slots in use and callers waiting, per address with any. */
  stats(): AddressSlotStats[] {
    return [...this.lanes].map(([address, l]) => ({ address, active: l.active, queued: l.waiters.slice(l.head).filter((w) => !w.done).length }));
  }

  /** The most calls ever in flight to one address at once. */
  maxActive(): number {
    return this.maxActiveSeen;
  }

  /** Resolves true when handed a slot, false when the signal aborted first. */
  private wait(lane: Lane, signal: AbortSignal | undefined): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      if (signal?.aborted) return resolve(false);
      const w: Waiter = {
        signal,
        done: false,
        settle: (holds) => {
          if (w.done) return;
          w.done = true;
          resolve(holds);
        },
      };
      lane.waiters.push(w);
      if (signal !== undefined) this.watch(signal);
    });
  }

  /**
   * One abort listener per signal (not per waiter: thousands of waiters on the engine's shared
   * shutdown signal would each add one). On abort, every waiter with that signal runs at once.
   */
  private readonly watched = new WeakSet<AbortSignal>();
  private watch(signal: AbortSignal): void {
    if (this.watched.has(signal)) return;
    this.watched.add(signal);
    signal.addEventListener(
      'abort',
      () => {
        for (const lane of this.lanes.values()) {
          for (let i = lane.head; i < lane.waiters.length; i++) {
            const w = lane.waiters[i]!;
            if (w.signal === signal && !w.done) w.settle(false);
          }
        }
      },
      { once: true },
    );
  }

  private release(address: string, lane: Lane): void {
    // Hand the slot straight to the next waiter (active stays the same); skip settled ones.
    while (lane.head < lane.waiters.length) {
      const next = lane.waiters[lane.head]!;
      lane.head++;
      if (lane.head > 1024 && lane.head * 2 > lane.waiters.length) {
        lane.waiters = lane.waiters.slice(lane.head);
        lane.head = 0;
      }
      if (!next.done) {
        next.settle(true);
        return;
      }
    }
    lane.waiters.length = 0;
    lane.head = 0;
    lane.active--;
    if (lane.active === 0) this.lanes.delete(address);
  }
}

