/**
 * Coalescing of identical in-flight provider requests: when many runs share a query (one
 * AnalysisTemplate behind many Rollouts, or several metrics asking the same thing), a request
 * that is identical to one already in flight waits for that one's answer instead of being sent
 * again. Each distinct request is in flight at most once at any moment.
 *
 * Identical means: the same provider, the same configuration (the parsed provider block, compared
 * as canonical JSON: key order does not matter, every value does, including headers and
 * credentials) and the same evaluation time. For Prometheus the evaluation time is `ctx.now`, the
 * instant an instant query is evaluated at (and the instant `rangeQuery` start/end are computed
 * from).
 *
 * How close two `now`s must be, `stepMs`:
 * - `1` (the default): the same millisecond. Nothing changes for any caller: a joiner receives
 *   exactly what its own request would have asked for. In a live controller this merges requests
 *   made in the same instant (runs started together by one rollout, metrics of one run).
 * - `N > 1`: evaluation times are quantised down to a multiple of N ms, and the provider is
 *   called with the quantised instant, whether or not the request is shared. So every request in
 *   the same step asks for the same instant and coalescing stays invisible; what changes is that
 *   a measurement evaluates its query up to N−1 ms before the moment it was taken. With
 *   Prometheus that only matters when a sample lands inside that window (scrape intervals are
 *   usually 10–60 s); the measurement's startedAt/finishedAt are still the real instants.
 *   Backtests pass historical instants and are quantised the same way.
 * - `0`: off; every request is sent.
 *
 * Only side-effect-free requests are shared (see `defaultShareable`): Prometheus queries and web
 * GETs. Job metrics create a Job per measurement and are never shared; `resume`/`terminate`
 * calls are never shared either.
 */
import type { Observation } from '../metric/provider.js';

interface CoalesceOptions {
  /** Evaluation-time step in ms: 1 = same millisecond (default), N = quantise to N ms, 0 = off. */
  stepMs?: number;
  /** Which requests may be shared. Default: `defaultShareable`. */
  shareable?: (providerKey: string, config: unknown) => boolean;
}

/** Counters of provider calls: requested by measurements, and actually issued to providers. */
export interface ProviderCallStats {
  requested: number;
  issued: number;
  /** Requests answered by joining an identical one in flight (requested − issued). */
  joined: number;
  /** Distinct requests in flight right now. */
  inFlight: number;
  byProvider: Record<string, { requested: number; issued: number }>;
}

/** Prometheus queries and web GETs read; everything else may have side effects. */
function defaultShareable(providerKey: string, config: unknown): boolean {
  if (providerKey === 'prometheus') return true;
  if (providerKey === 'web') return (config as { method?: unknown } | null)?.method === 'GET';
  return false;
}

/** JSON with object keys sorted at every level; undefined members dropped as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value);
    return s === undefined ? 'null' : s;
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined || typeof v === 'function' ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of Object.keys(obj).sort()) {
    const v = obj[k];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    parts.push(`${JSON.stringify(k)}:${canonicalJson(v)}`);
  }
  return `{${parts.join(',')}}`;
}

export class RequestCoalescer {
  private readonly stepMs: number;
  private readonly shareable: (providerKey: string, config: unknown) => boolean;
  private readonly inflight = new Map<string, Promise<Observation>>();
  private readonly counts = new Map<string, { requested: number; issued: number }>();
  private requested = 0;
  private issued = 0;

  constructor(opts: CoalesceOptions = {}) {
    const step = opts.stepMs ?? 1;
    if (!Number.isFinite(step) || step < 0) throw new RangeError(`coalescing step must be a non-negative number of ms, not ${step}`);
    this.stepMs = Math.floor(step);
    this.shareable = opts.shareable ?? defaultShareable;
  }

  /** True when requests for this provider and config are shared (and their time quantised). */
  applies(providerKey: string, config: unknown): boolean {
    return this.stepMs > 0 && this.shareable(providerKey, config);
  }

  /** The evaluation time a shared request uses for `now`. */
  evaluationTime(now: number): number {
    return this.stepMs > 1 ? Math.floor(now / this.stepMs) * this.stepMs : now;
  }

  /**
   * Run `issue` unless an identical request is in flight; then share its observation. Every
   * caller gets its own copy of the observation object (the value itself is shared, read-only).
   * Call only when `applies` is true, with `at` from `evaluationTime`.
   */
  run(providerKey: string, config: unknown, at: number, issue: () => Promise<Observation>): Promise<Observation> {
    const key = `${providerKey}\n${at}\n${canonicalJson(config)}`;
    const pending = this.inflight.get(key);
    if (pending !== undefined) {
      this.count(providerKey, false);
      return pending.then(copyObservation);
    }
    this.count(providerKey, true);
    const p = issue().finally(() => {
      if (this.inflight.get(key) === p) this.inflight.delete(key);
    });
    this.inflight.set(key, p);
    return p;
  }

  /** Count a call that bypassed coalescing (not shareable, resume, terminate). */
  countDirect(providerKey: string): void {
    this.count(providerKey, true);
  }

  stats(): ProviderCallStats {
    const byProvider: ProviderCallStats['byProvider'] = {};
    for (const [k, v] of this.counts) byProvider[k] = { ...v };
    return { requested: this.requested, issued: this.issued, joined: this.requested - this.issued, inFlight: this.inflight.size, byProvider };
  }

  private count(providerKey: string, issued: boolean): void {
    let c = this.counts.get(providerKey);
    if (c === undefined) {
      c = { requested: 0, issued: 0 };
      this.counts.set(providerKey, c);
    }
    c.requested++;
    this.requested++;
    if (issued) {
      c.issued++;
      this.issued++;
    }
  }
}

function copyObservation(o: Observation): Observation {
  return o.metadata ? { ...o, metadata: { ...o.metadata } } : { ...o };
}
