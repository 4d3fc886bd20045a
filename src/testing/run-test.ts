/**
 * Running one AnalysisTest: gather its templates, create the AnalysisRun the way a Rollout
 * would (or take the given one), drive it on the virtual clock, compare with `expect`.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { AnalysisRun, AnalysisTemplate } from '../api/types.js';
import { API_VERSION } from '../api/types.js';
import { loadManifests } from '../api/load.js';
import { parseGoDuration } from '../go/duration.js';
import { analysisRunSpecFromTemplates, templateLookup } from '../core/templates.js';
import { parseTime } from '../core/time.js';
import { verdictReasons } from '../core/explain.js';
import { measurementWhy, type MeasurementTrace } from '../core/trace.js';
import type { SecretSource } from '../reconcile/ports.js';
import type { MetricProvider } from '../metric/provider.js';
import { compare, viewOf, type Failure, type TestResultView } from './expect.js';
import { ScriptedMeasurer, ScriptError } from './scripted-measurer.js';
import type { AnalysisTest } from './test-file.js';
import { runVirtual } from './virtual-run.js';

/** Virtual time 0 when the run brings no status.startedAt of its own. */
const VIRTUAL_EPOCH = Date.UTC(2026, 0, 1);
const DEFAULT_UNTIL = '24h';

export class InvalidTestError extends Error {}

export interface TestOutcome {
  file: string;
  name: string;
  passed: boolean;
  failures: Failure[];
  result: TestResultView;
  /**
   * Why the run ended as it did: one line per measurement that was not Successful (virtual time,
   * why), then the verdict's reasons. Shown under a failing test.
   */
  trace: string[];
}

function durationMs(text: string, field: string): number {
  const d = parseGoDuration(text);
  if (!d.ok) throw new InvalidTestError(`${field}: ${d.error}`);
  return d.ms;
}

async function loadTemplates(test: AnalysisTest, file: string): Promise<AnalysisTemplate[]> {
  const out: AnalysisTemplate[] = [];
  const sources = test.spec.templates ?? [];
  for (let i = 0; i < sources.length; i++) {
    const src = sources[i]!;
    let loaded;
    if ('file' in src) {
      const path = resolve(dirname(file), src.file);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        throw new InvalidTestError(`spec.templates[${i}].file: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`);
      }
      loaded = loadManifests(text, path, { lenientProviders: true });
    } else {
      loaded = loadManifests(JSON.stringify(src.inline), `${file} spec.templates[${i}].inline`, { lenientProviders: true });
    }
    if (loaded.errors.length > 0) {
      throw new InvalidTestError(loaded.errors.map((e) => e.message).join('\n'));
    }
    for (const r of loaded.resources) {
      if (r.kind === 'AnalysisTemplate' || r.kind === 'ClusterAnalysisTemplate') out.push(r.object as AnalysisTemplate);
    }
  }
  return out;
}

function secretsOf(test: AnalysisTest, runNamespace: string): SecretSource {
  const secrets = test.spec.secrets ?? [];
  return {
    async get(namespace, name, key) {
      const s = secrets.find((x) => x.name === name && (x.namespace ?? runNamespace) === namespace);
      if (!s) return { ok: false, error: `secrets "${name}" not found` };
      const value = s.data[key];
      if (value === undefined) return { ok: false, error: `key '${key}' does not exist in secret '${name}'` };
      return { ok: true, value };
    },
  };
}

async function buildRun(test: AnalysisTest, file: string): Promise<AnalysisRun> {
  if (test.spec.analysisRun) {
    const loaded = loadManifests(JSON.stringify(test.spec.analysisRun), `${file} spec.analysisRun`, { lenientProviders: true });
    if (loaded.errors.length > 0) throw new InvalidTestError(loaded.errors.map((e) => e.message).join('\n'));
    const run = loaded.resources.find((r) => r.kind === 'AnalysisRun');
    if (!run) throw new InvalidTestError(`spec.analysisRun: expected kind AnalysisRun (apiVersion ${API_VERSION})`);
    const object = structuredClone(run.object) as AnalysisRun;
    object.metadata.namespace ??= 'default';
    object.metadata.name ??= 'analysis-test';
    object.metadata.uid ??= 'analysis-test-uid';
    return object;
  }
  const req = test.spec.run!;
  const namespace = req.namespace ?? 'default';
  const templates = await loadTemplates(test, file);
  const spec = analysisRunSpecFromTemplates(
    {
      namespace,
      templates: req.templates,
      ...(req.args ? { args: req.args as never } : {}),
      ...(req.dryRun ? { dryRun: req.dryRun } : {}),
      ...(req.measurementRetention ? { measurementRetention: req.measurementRetention } : {}),
    },
    templateLookup(templates, { matchNamespace: true }),
  );
  const metadata = { name: 'analysis-test', namespace, uid: 'analysis-test-uid' };
  if (!spec.ok) {
    // The run never comes into being: report it as the Error an AnalysisRun would show.
    return { apiVersion: API_VERSION, kind: 'AnalysisRun', metadata, spec: { metrics: [] }, status: { phase: 'Error', message: spec.error } };
  }
  return { apiVersion: API_VERSION, kind: 'AnalysisRun', metadata, spec: spec.value };
}

export async function runAnalysisTest(test: AnalysisTest, file: string, providers: readonly MetricProvider<unknown>[]): Promise<TestOutcome> {
  const run = await buildRun(test, file);
  const base = parseTime(run.status?.startedAt) ?? VIRTUAL_EPOCH;
  const terminateAtText = test.spec.run?.terminateAt ?? test.spec.terminateAt;
  const terminateAt = terminateAtText ? durationMs(terminateAtText, 'spec.run.terminateAt') : undefined;
  const until = durationMs(test.spec.until ?? DEFAULT_UNTIL, 'spec.until');
  const measurer = new ScriptedMeasurer(test.spec.measurements ?? {}, providers);
  let finalRun = run;
  let traces: MeasurementTrace[] = [];
  try {
    const out = await runVirtual({
      run,
      measurer,
      secrets: secretsOf(test, run.metadata.namespace ?? 'default'),
      base,
      until,
      ...(terminateAt !== undefined ? { terminateAt } : {}),
    });
    finalRun = out.run;
    traces = out.traces;
  } catch (err) {
    if (err instanceof ScriptError) throw new InvalidTestError(err.message);
    throw err;
  }
  const view = viewOf(finalRun, base);
  const failures = compare(test.spec.expect, view, base, finalRun);
  return { file, name: test.metadata.name, passed: failures.length === 0, failures, result: view, trace: traceLines(finalRun, traces, base) };
}

function traceLines(run: AnalysisRun, traces: readonly MeasurementTrace[], base: number): string[] {
  const at = (t: string | undefined) => {
    const ms = parseTime(t);
    return ms === undefined ? '?' : `${(ms - base) / 1000}s`;
  };
  const lines = traces.filter((t) => t.phase !== 'Successful').map((t) => `at ${at(t.finishedAt)}: ${measurementWhy(t)}`);
  if (run.status?.phase && run.status.phase !== 'Running') {
    for (const why of verdictReasons(run, (metric) => traces.filter((t) => t.metric === metric))) lines.push(`verdict ${run.status.phase}: ${why}`);
  }
  return lines;
}
