/**
 * Providers replaced by the answers an AnalysisTest scripts: one entry per measurement, the
 * last entry repeating. Entries with a `duration` stay in flight until the virtual clock reaches
 * their end; terminating one behaves like Argo's asynchronous providers (a Job becomes
 * Inconclusive, Kayenta leaves it running).
 */
import type { Metric } from '../api/types.js';
import { providerKeysOf } from '../engine/metric-spec.js';
import { parseGoDuration } from '../go/duration.js';
import type { Observation } from '../metric/provider.js';
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

  constructor(private readonly script: Readonly<Record<string, readonly ScriptedEntry[]>>) {}

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
        return { observation: { kind: 'inProgress', resumeAt: req.now + d.ms }, resultMetadata };
      }
      return { observation: observe(entry), resultMetadata };
    }
    const flight = this.inFlight.get(name);
    if (req.mode === 'terminate') {
      if (isKayenta(req.metric)) return { observation: 'unchanged', resultMetadata };
      this.inFlight.delete(name);
      return { observation: { kind: 'judged', phase: 'Inconclusive' }, resultMetadata };
    }
    if (!flight) {
      // An in-flight measurement that came with the manifest: synchronous providers return it
      // unchanged (Argo's Resume), asynchronous ones take the next scripted answer.
      if (!isAsync(req.metric)) return { observation: 'unchanged', resultMetadata };
      const list = this.script[name];
      if (!list || list.length === 0) return { observation: 'unchanged', resultMetadata };
      const i = this.taken.get(name) ?? 0;
      this.taken.set(name, i + 1);
      return { observation: observe(list[Math.min(i, list.length - 1)]!), resultMetadata };
    }
    if (req.now < flight.endsAt) return { observation: { kind: 'inProgress', resumeAt: flight.endsAt }, resultMetadata };
    this.inFlight.delete(name);
    return { observation: observe(flight.entry), resultMetadata };
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
