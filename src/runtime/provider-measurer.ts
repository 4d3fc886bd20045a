/**
 * The live Measurer: picks the metric's provider, validates its block, and calls
 * measure/resume/terminate with a signal that aborts on engine shutdown. A provider that throws
 * has a bug; the exception becomes an Error measurement with code Internal, never a crash.
 */
import type { Metric } from '../api/types.js';
import { providerKeysOf } from '../core/metric-spec.js';
import { pluginMetricMessage, pluginNameOf } from '../metric/plugin-metrics.js';
import type { MeasureContext, MetricProvider, Observation, PriorMeasurement, ProviderEnv, ProviderSecrets } from '../metric/provider.js';
import { parseTime } from '../core/time.js';
import { redact } from '../core/args.js';
import { providerBlockOf } from './provider-block.js';
import type { MeasureRequest, MeasureResponse, Measurer } from '../reconcile/ports.js';
import { AddressLimiter, DEFAULT_PER_ADDRESS_CONCURRENCY } from './address-limiter.js';
import { RequestCoalescer, type ProviderCallStats } from './coalesce.js';

export interface ProviderMeasurerOptions {
  providers: readonly MetricProvider<unknown>[];
  env: ProviderEnv;
  /** Where providers read their credentials (Argo's secret names); none found when absent. */
  secrets?: ProviderSecrets;
  /** Aborted when the engine shuts down. */
  shutdown?: AbortSignal;
  /** Called for every provider failure (metrics, logs). */
  onProviderError?: (provider: string, code: string) => void;
  /**
   * Coalescing of identical in-flight requests (coalesce.ts): the evaluation-time step in ms.
   * 1 (default) = the same millisecond, N = quantise `now` to N ms, 0 = off.
   */
  coalesceStepMs?: number;
  /** Provider calls in flight per backend address (address-limiter.ts). Default 64; 0 = unbounded. */
  maxConcurrentPerAddress?: number;
  /** Engine-level ceiling on one measurement, waiting for a slot included. Default 5 minutes. */
  maxMeasurementMs?: number;
}

/** The default engine-level ceiling on one measurement (ASSAY_MAX_MEASUREMENT_SECONDS). */
const DEFAULT_MAX_MEASUREMENT_MS = 5 * 60_000;

export class ProviderMeasurer implements Measurer {
  private readonly byKey = new Map<string, MetricProvider<unknown>>();
  private readonly coalescer: RequestCoalescer;
  private readonly limiter: AddressLimiter;

  constructor(private readonly opts: ProviderMeasurerOptions) {
    for (const p of opts.providers) this.byKey.set(p.key, p);
    this.coalescer = new RequestCoalescer({ stepMs: opts.coalesceStepMs ?? 1 });
    this.limiter = new AddressLimiter(opts.maxConcurrentPerAddress ?? DEFAULT_PER_ADDRESS_CONCURRENCY);
  }

  /** Provider calls requested by measurements vs issued to providers (the rest were coalesced). */
  callStats(): ProviderCallStats {
    return this.coalescer.stats();
  }

  /** The per-address concurrency limiter (for diagnostics and tests). */
  get addressLimiter(): AddressLimiter {
    return this.limiter;
  }

  /** Provider keys assay can measure with. */
  keys(): string[] {
    return [...this.byKey.keys()];
  }

  /**
   * A metric's provider, parsed block, result metadata and backend address, worked out once per
   * metric object: the engine's spec plan hands the same resolved metric to every tick until the
   * spec changes, and parseConfig is pure (provider contract). Metrics resolved with secrets are
   * new objects on every reconcile, so a changed secret is always parsed afresh.
   */
  private readonly prepared = new WeakMap<Metric, Prepared>();

  private prepare(metric: Metric): Prepared {
    let prepared = this.prepared.get(metric);
    if (prepared === undefined) {
      prepared = this.prepareUncached(metric);
      this.prepared.set(metric, prepared);
    }
    return prepared;
  }

  private prepareUncached(metric: Metric): Prepared {
    const providerKey = providerKeysOf(metric)[0] ?? '';
    const provider = this.byKey.get(providerKey);
    const plugin = pluginNameOf(providerKey);
    if (!provider && plugin !== undefined) {
      return { ok: false, provider: 'RPCPlugin', observation: { kind: 'error', code: 'Config', message: pluginMetricMessage(plugin) } };
    }
    if (!provider) {
      const message = `metric provider "${providerKey}" is not supported by assay (supported: ${this.keys().join(', ')})`;
      return { ok: false, provider: providerKey, observation: { kind: 'error', code: 'Config', message } };
    }
    const raw = providerBlockOf(metric.provider as Record<string, unknown>, providerKey);
    const parsed = provider.parseConfig(raw, this.opts.env);
    if (!parsed.ok) return { ok: false, provider: providerKey, observation: { kind: 'error', code: 'Config', message: parsed.message } };
    const resultMetadata = provider.metadata?.(parsed.config);
    return {
      ok: true,
      providerKey,
      provider,
      config: parsed.config,
      address: addressOf(providerKey, parsed.config),
      ...(resultMetadata ? { resultMetadata } : {}),
    };
  }

  async measure(req: MeasureRequest): Promise<MeasureResponse> {
    const prepared = this.prepare(req.metric);
    if (!prepared.ok) return this.fail(prepared.provider, prepared.observation);
    const { providerKey, provider, config, address, resultMetadata } = prepared;
    const metadata = resultMetadata ? { resultMetadata } : {};
    // Resume/terminate on a provider without that step leaves the in-flight measurement as it is.
    const step = req.mode === 'measure' ? undefined : req.mode === 'resume' ? provider.resume : provider.terminate;
    if (req.mode !== 'measure' && !step) return { kind: 'kept', ...metadata };
    const secrets = new RecordingSecrets(this.opts.secrets ?? NO_PROVIDER_SECRETS);
    const ceiling = new Ceiling(this.opts.maxMeasurementMs ?? DEFAULT_MAX_MEASUREMENT_MS, this.opts.shutdown);
    const ctx: MeasureContext = {
      signal: ceiling.signal,
      now: req.now,
      env: this.opts.env,
      secrets,
      run: req.run,
      metric: metricInfo(req.metric, req.index),
    };
    if (providerKey.startsWith('plugin/')) ctx.observe = (_role, block) => this.observeNested(block, ctx, NESTING_LIMIT);
    let observation: Observation;
    try {
      observation = await ceiling.race(() => this.call(provider, config, req, ctx, address, providerKey));
    } catch (err) {
      observation = {
        kind: 'error',
        code: 'Internal',
        message: `internal error in the ${provider.type} provider: ${err instanceof Error ? err.message : String(err)}`,
      };
    } finally {
      ceiling.dispose();
    }
    observation = redactObservation(observation, secrets.values());
    if (observation.kind === 'error') this.opts.onProviderError?.(provider.type, observation.code);
    return { kind: 'observed', observation, ...metadata };
  }

  private async call(
    provider: MetricProvider<unknown>,
    config: unknown,
    req: MeasureRequest,
    ctx: MeasureContext,
    address: string,
    providerKey: string,
  ): Promise<Observation> {
    if (req.mode === 'measure') {
      if (this.coalescer.applies(providerKey, config)) {
        // Shared requests ask for the (possibly quantised) evaluation time: see coalesce.ts.
        ctx.now = this.coalescer.evaluationTime(req.now);
        return this.coalescer.run(providerKey, config, ctx.now, () =>
          this.limiter.run(address, () => provider.measure(config, ctx), ctx.signal),
        );
      }
      this.coalescer.countDirect(providerKey);
      return this.limiter.run(address, () => provider.measure(config, ctx), ctx.signal);
    }
    const prior = priorOf(req);
    const step = req.mode === 'resume' ? provider.resume : provider.terminate;
    // measure() returned 'kept' before calling here for a provider without the step.
    if (!step) throw new Error(`the ${provider.type} provider has no ${req.mode} step`);
    this.coalescer.countDirect(providerKey);
    return this.limiter.run(address, () => step.call(provider, config, prior, ctx), ctx.signal);
  }

  /**
   * One observation through the provider a nested block names (assay's plugin sources sample
   * the built-in providers this way), bounded per address like any other call. Nesting is
   * limited so that a guard may wrap a compare, but no block can recurse without end.
   */
  private async observeNested(block: unknown, parent: MeasureContext, depth: number): Promise<Observation> {
    const keys = typeof block === 'object' && block !== null ? Object.keys(block).filter((k) => (block as Record<string, unknown>)[k] != null) : [];
    const key = keys[0] === 'plugin' ? `plugin/${Object.keys((block as { plugin: object }).plugin)[0] ?? ''}` : (keys[0] ?? '');
    const provider = this.byKey.get(key);
    if (keys.length !== 1 || !provider) {
      return { kind: 'error', code: 'Config', message: `nested provider ${key === '' ? 'block is empty' : `"${key}" is not supported by assay`}` };
    }
    const parsed = provider.parseConfig(providerBlockOf(block as Record<string, unknown>, key), this.opts.env);
    if (!parsed.ok) return { kind: 'error', code: 'Config', message: parsed.message };
    const ctx: MeasureContext = { ...parent };
    if (key.startsWith('plugin/')) {
      if (depth <= 0) delete ctx.observe;
      else ctx.observe = (_role, inner) => this.observeNested(inner, ctx, depth - 1);
    }
    try {
      return await this.limiter.run(addressOf(key, parsed.config), () => provider.measure(parsed.config, ctx), ctx.signal);
    } catch (err) {
      return { kind: 'error', code: 'Internal', message: `internal error in the ${provider.type} provider: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  async garbageCollect(run: { namespace: string; name: string; uid: string }, metric: Metric, limit: number): Promise<void> {
    const provider = this.byKey.get(providerKeysOf(metric)[0] ?? '');
    if (!provider?.garbageCollect) return;
    try {
      await provider.garbageCollect(run, metric.name, limit, { env: this.opts.env, ...(this.opts.shutdown ? { signal: this.opts.shutdown } : {}) });
    } catch {
      // Best effort, like Argo's GarbageCollect: counted as a provider failure, never thrown.
      this.opts.onProviderError?.(provider.type, 'Internal');
    }
  }

  private fail(provider: string, observation: Observation): MeasureResponse {
    if (observation.kind === 'error') this.opts.onProviderError?.(provider || 'none', observation.code);
    return { kind: 'observed', observation };
  }

  async close(): Promise<void> {
    for (const p of this.byKey.values()) await p.close?.();
  }
}

type Prepared =
  | {
      ok: true;
      providerKey: string;
      provider: MetricProvider<unknown>;
      config: unknown;
      address: string;
      resultMetadata?: Record<string, string>;
    }
  | { ok: false; provider: string; observation: Observation };

const NO_PROVIDER_SECRETS: ProviderSecrets = {
  async get(_namespace, name) {
    return { ok: false, error: `secrets "${name}" not found` };
  },
};

/** Remembers every value a provider read, so that the observation can be redacted of them. */
class RecordingSecrets implements ProviderSecrets {
  private readonly seen = new Set<string>();
  constructor(private readonly inner: ProviderSecrets) {}
  async get(namespace: string, name: string, key: string, opts?: { sensitive?: boolean }) {
    const r = await this.inner.get(namespace, name, key);
    if (r.ok && r.value !== '' && opts?.sensitive !== false) this.seen.add(r.value);
    return r;
  }
  values(): string[] {
    return [...this.seen];
  }
}

/** Provider-read secrets out of everything an observation carries to status and output. */
function redactObservation(o: Observation, secrets: readonly string[]): Observation {
  if (secrets.length === 0) return o;
  const r = (t: string): string => redact(t, secrets) ?? t;
  const meta = o.metadata ? Object.fromEntries(Object.entries(o.metadata).map(([k, v]) => [k, r(v)])) : undefined;
  switch (o.kind) {
    case 'value':
      return { ...o, display: r(o.display), ...(meta ? { metadata: meta } : {}) };
    case 'error':
      return { ...o, message: r(o.message), ...(meta ? { metadata: meta } : {}) };
    case 'judged':
      return {
        ...o,
        ...(o.display !== undefined ? { display: r(o.display) } : {}),
        ...(o.message !== undefined ? { message: r(o.message) } : {}),
        ...(meta ? { metadata: meta } : {}),
      };
    case 'inProgress':
      return { ...o, ...(o.display !== undefined ? { display: r(o.display) } : {}), ...(meta ? { metadata: meta } : {}) };
  }
}

/**
 * The engine's bound on one measurement: its signal aborts at the ceiling (or on shutdown), and
 * `race` answers with a Timeout error at the ceiling even when a provider ignores the signal, so
 * a backend that holds its socket open for ever cannot hold a run (or a tick slot) for ever.
 */
class Ceiling {
  private readonly ctrl = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private readonly onShutdown = (): void => this.ctrl.abort();
  readonly signal: AbortSignal;

  constructor(private readonly ms: number, private readonly shutdown: AbortSignal | undefined) {
    // One listener, removed in dispose (AbortSignal.any keeps dependents until GC runs).
    this.signal = this.ctrl.signal;
    if (shutdown?.aborted) this.ctrl.abort();
    else shutdown?.addEventListener('abort', this.onShutdown, { once: true });
  }

  race<T>(fn: () => Promise<T>): Promise<T | Observation> {
    const limit = new Promise<Observation>((resolve) => {
      this.timer = setTimeout(() => {
        this.ctrl.abort();
        resolve({
          kind: 'error',
          code: 'Timeout',
          message: `measurement exceeded the engine's ceiling of ${formatSeconds(this.ms)} (ASSAY_MAX_MEASUREMENT_SECONDS)`,
        });
      }, this.ms);
    });
    return Promise.race([fn(), limit]);
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.shutdown?.removeEventListener('abort', this.onShutdown);
  }
}

const formatSeconds = (ms: number): string => `${Number((ms / 1000).toFixed(3))}s`;

/** How deep assay's plugin sources may nest (a guard around a compare is depth 2). */
const NESTING_LIMIT = 1;

/** The signal when no shutdown signal is given: creating an AbortController per call showed in profiles. */
const NEVER_ABORTED = new AbortController().signal;

const origins = new Map<string, string>();

/** The backend a call goes to: the origin of the block's `address` or `url`, else the provider key. */
export function addressOf(providerKey: string, config: unknown): string {
  const c = (config ?? {}) as { address?: unknown; url?: unknown };
  const target = typeof c.address === 'string' && c.address !== '' ? c.address : typeof c.url === 'string' && c.url !== '' ? c.url : undefined;
  if (target === undefined) return providerKey;
  let origin = origins.get(target);
  if (origin === undefined) {
    try {
      const u = new URL(target);
      origin = u.origin !== 'null' ? u.origin : `${u.protocol}//${u.host}`;
    } catch {
      origin = target;
    }
    if (origins.size >= 10_000) origins.clear();
    origins.set(target, origin);
  }
  return origin;
}

function metricInfo(metric: Metric, index: number): MeasureContext['metric'] {
  return { name: metric.name, index, ...(metric.interval ? { interval: metric.interval } : {}) };
}

function priorOf(req: MeasureRequest): PriorMeasurement {
  const m = req.prior;
  const prior: PriorMeasurement = {};
  const startedAt = parseTime(m?.startedAt);
  const resumeAt = parseTime(m?.resumeAt);
  if (startedAt !== undefined) prior.startedAt = startedAt;
  if (resumeAt !== undefined) prior.resumeAt = resumeAt;
  if (m?.value !== undefined) prior.value = m.value;
  if (m?.metadata) prior.metadata = m.metadata;
  return prior;
}
