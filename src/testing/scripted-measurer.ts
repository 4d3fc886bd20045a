/**
 * Providers replaced by the answers an AnalysisTest scripts: one entry per measurement, the
 * last entry repeating. Entries with a `duration` stay in flight until the virtual clock reaches
 * their end; terminating one behaves like Argo's asynchronous providers (a Job becomes
 * Inconclusive, Kayenta leaves it running).
 */
import type { Metric } from '../api/types.js';
import { providerKeysOf } from '../core/metric-spec.js';
import { parseGoDuration } from '../go/duration.js';
import type { MeasureContext, MetricProvider, Observation } from '../metric/provider.js';
import { providerBlockOf } from '../runtime/provider-block.js';
import type { MeasureRequest, MeasureResponse, Measurer } from '../reconcile/ports.js';
import { displayValue, resultMetadataFor } from './values.js';
import type { ScriptedEntry } from './test-file.js';

export class ScriptError extends Error {}

interface InFlight {
  entry: ScriptedEntry;
  endsAt: number;
}

export class ScriptedMeasurer implements Measurer {
  private readonly taken = new Map<string, number>();
  private readonly inFlight = new Map<string, InFlight>();

  /** `plugins`: assay's plugin sources, run for real on scripted `sources` samples. */
  constructor(
    private readonly script: Readonly<Record<string, readonly ScriptedEntry[]>>,
    private readonly plugins: readonly MetricProvider<unknown>[] = [],
  ) {}

  async measure(req: MeasureRequest): Promise<MeasureResponse> {
    const name = req.metric.name;
    const resultMetadata = resultMetadataFor(req.metric);
    if (req.mode === 'measure') {
      const list = this.script[name];
      if (!list || list.length === 0) {
        throw new ScriptError(`spec.measurements.${name}: the run measures metric "${name}" but the test scripts no answers for it`);
      }
      const i = this.taken.get(name) ?? 0;
      this.taken.set(name, i + 1);
      const entry = list[Math.min(i, list.length - 1)]!;
      const d = entry.duration ? parseGoDuration(entry.duration) : { ok: true as const, ms: 0 };
      if (!d.ok) throw new ScriptError(`spec.measurements.${name}[${i}].duration: ${d.error}`);
      if (d.ms > 0) {
        this.inFlight.set(name, { entry, endsAt: req.now + d.ms });
        return { kind: 'observed', observation: { kind: 'inProgress', resumeAt: req.now + d.ms }, resultMetadata };
      }
      if (entry.sources) return { kind: 'observed', observation: await this.fromSources(req, entry.sources, `spec.measurements.${name}[${i}]`), resultMetadata };
      return { kind: 'observed', observation: observe(entry), resultMetadata };
    }
    const flight = this.inFlight.get(name);
    if (req.mode === 'terminate') {
      if (isKayenta(req.metric)) return { kind: 'kept', resultMetadata };
      this.inFlight.delete(name);
      return { kind: 'observed', observation: { kind: 'judged', phase: 'Inconclusive' }, resultMetadata };
    }
    if (!flight) {
      // An in-flight measurement that came with the manifest: synchronous providers return it
      // unchanged (Argo's Resume), asynchronous ones take the next scripted answer.
      if (!isAsync(req.metric)) return { kind: 'kept', resultMetadata };
      const list = this.script[name];
      if (!list || list.length === 0) return { kind: 'kept', resultMetadata };
      const i = this.taken.get(name) ?? 0;
      this.taken.set(name, i + 1);
      return { kind: 'observed', observation: observe(list[Math.min(i, list.length - 1)]!), resultMetadata };
    }
    if (req.now < flight.endsAt) return { kind: 'observed', observation: { kind: 'inProgress', resumeAt: flight.endsAt }, resultMetadata };
    this.inFlight.delete(name);
    return { kind: 'observed', observation: observe(flight.entry), resultMetadata };
  }

  /** Run the metric's plugin source with its wrapped providers answering from the script. */
  private async fromSources(req: MeasureRequest, sources: Record<string, unknown>, where: string): Promise<Observation> {
    const key = providerKeysOf(req.metric)[0] ?? '';
    const plugin = this.plugins.find((p) => p.key === key);
    if (!plugin) throw new ScriptError(`${where}.sources: only metrics of assay's plugin sources (${this.plugins.map((p) => p.key.slice('plugin/'.length)).join(', ')}) take sources`);
    const parsed = plugin.parseConfig(providerBlockOf(req.metric.provider as Record<string, unknown>, key), {});
    if (!parsed.ok) return { kind: 'error', code: 'Config', message: parsed.message };
    const ctx: MeasureContext = {
      signal: new AbortController().signal,
      now: req.now,
      env: {},
      secrets: { get: async (_ns, secret) => ({ ok: false, error: `secrets "${secret}" not found` }) },
      run: req.run,
      metric: { name: req.metric.name, index: req.index },
      observe: async (role, block) => {
        const nested = nestedPlugin(block);
        if (nested) {
          const p = this.plugins.find((q) => q.key === nested.key);
          const c = p?.parseConfig(nested.config, {});
          if (p && c?.ok) return p.measure(c.config, ctx);
        }
        if (!(role in sources)) throw new ScriptError(`${where}.sources: no answer scripted for "${role}" (scripted: ${Object.keys(sources).join(', ')})`);
        const answer = sources[role];
        if (typeof answer === 'object' && answer !== null && !Array.isArray(answer) && 'error' in answer) {
          return { kind: 'error', code: 'NoData', message: String((answer as { error: unknown }).error) };
        }
        return { kind: 'value', value: answer ?? null, display: displayValue(answer ?? null) };
      },
    };
    return plugin.measure(parsed.config, ctx);
  }

  /** How many measurements each metric has started. */
  counts(): ReadonlyMap<string, number> {
    return this.taken;
  }
}

function isAsync(metric: Metric): boolean {
  const key = providerKeysOf(metric)[0] ?? '';
  return key === 'job' || key === 'kayenta' || key.startsWith('plugin/');
}

function isKayenta(metric: Metric): boolean {
  return providerKeysOf(metric)[0] === 'kayenta';
}

function observe(entry: ScriptedEntry): Observation {
  if (entry.phase) {
    const obs: Observation = { kind: 'judged', phase: entry.phase };
    // A provider that judges itself stores its own value string (Kayenta's score): a string is
    // kept as written, anything else is formatted like a provider value.
    if ('value' in entry && entry.value !== undefined) obs.display = typeof entry.value === 'string' ? entry.value : displayValue(entry.value);
    if (entry.message !== undefined) obs.message = entry.message;
    return obs;
  }
  if (entry.error !== undefined) return { kind: 'error', code: 'Internal', message: entry.error };
  const value = entry.value ?? null;
  return { kind: 'value', value, display: displayValue(value) };
}

function nestedPlugin(block: unknown): { key: string; config: unknown } | undefined {
  const plugin = (block as { plugin?: Record<string, unknown> } | null)?.plugin;
  if (typeof plugin !== 'object' || plugin === null) return undefined;
  const name = Object.keys(plugin)[0];
  return name === undefined ? undefined : { key: `plugin/${name}`, config: plugin[name] };
}
