/**
 * `assay run`: create an AnalysisRun from templates (or take one) and run it live against real
 * providers, in-process, showing progress; then print the verdict. This is what a pipeline calls
 * before and after it switches traffic.
 * Exit status: 0 Successful, 1 Failed, 2 Error, 3 Inconclusive, 4 usage or invalid input.
 */
import { loadPaths } from '../api/load.js';
import type { AnalysisRun, AnalysisTemplate, AnalysisTemplateRef, Argument } from '../api/types.js';
import { verdictReasons } from '../engine/explain.js';
import { loadNotifyConfig, type NotifyConfig } from '../notify/config.js';
import { TraceLog } from '../runtime/trace-log.js';
import { FileSecretSource } from '../runtime/file-secrets.js';
import type { AssayConfig } from '../runtime/config.js';
import { analysisRunFromTemplates, templateLookup } from '../runtime/new-run.js';
import { runAnalysisLive, verdictText } from './live-analysis.js';
import type { Output } from './test-command.js';

export const EXIT_BY_PHASE: Record<string, number> = { Successful: 0, Failed: 1, Error: 2, Inconclusive: 3 };
export const EXIT_USAGE = 4;

export interface RunOptions {
  file: string[];
  template?: string[];
  arg?: string[];
  prometheus?: string;
  output?: string;
  namespace?: string;
  name?: string;
  timeout?: string;
  secrets?: string[];
  notifications?: string;
}

export class UsageError extends Error {}

export function parseArgs(pairs: readonly string[]): Argument[] {
  return pairs.map((p) => {
    const i = p.indexOf('=');
    if (i <= 0) throw new UsageError(`--arg "${p}": expected name=value`);
    return { name: p.slice(0, i), value: p.slice(i + 1) };
  });
}

/** Build the AnalysisRun described by the files and flags (templates + args, or a given run). */
export async function runFromFiles(opts: RunOptions): Promise<AnalysisRun> {
  if (opts.file.length === 0) throw new UsageError('name the templates with -f FILE (see `assay run --help`)');
  const loaded = await loadPaths(opts.file);
  if (loaded.errors.length > 0) throw new UsageError(loaded.errors.map((e) => e.message).join('\n'));
  const namespace = opts.namespace ?? 'default';
  const templates = loaded.resources.filter((r) => r.kind === 'AnalysisTemplate' || r.kind === 'ClusterAnalysisTemplate');
  const runs = loaded.resources.filter((r) => r.kind === 'AnalysisRun');
  const args = parseArgs(opts.arg ?? []);
  const name = opts.name ?? `assay-run-${Date.now().toString(36)}`;
  if (runs.length > 0 && !opts.template?.length) {
    if (runs.length > 1) throw new UsageError(`the files hold ${runs.length} AnalysisRuns; keep one, or use --template`);
    const run = structuredClone(runs[0]!.object as AnalysisRun);
    delete run.status;
    run.metadata = { ...run.metadata, namespace: run.metadata.namespace ?? namespace, name: run.metadata.name ?? name };
    return run;
  }
  if (templates.length === 0) throw new UsageError('the files hold no AnalysisTemplate, ClusterAnalysisTemplate or AnalysisRun');
  const refs: AnalysisTemplateRef[] = opts.template?.length
    ? opts.template.map((t) => (t.startsWith('cluster:') ? { templateName: t.slice(8), clusterScope: true } : { templateName: t }))
    : templates.map((t) => ({ templateName: t.name ?? '', ...(t.kind === 'ClusterAnalysisTemplate' ? { clusterScope: true } : {}) }));
  const lookup = templateLookup(templates.map((t) => t.object as AnalysisTemplate), { matchNamespace: false });
  const built = analysisRunFromTemplates({ namespace, name, templates: refs, args }, lookup);
  if (!built.ok) throw new UsageError(built.error);
  return built.value;
}

export async function runCommand(opts: RunOptions, baseConfig: AssayConfig, io: Output, stdout: NodeJS.WriteStream): Promise<number> {
  let run: AnalysisRun;
  try {
    run = await runFromFiles(opts);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`assay run: ${err.message}`);
      return EXIT_USAGE;
    }
    throw err;
  }
  const json = opts.output === 'json';
  const config: AssayConfig = { ...baseConfig, ...(opts.prometheus ? { prometheusAddress: opts.prometheus } : {}) };
  let secrets: FileSecretSource | undefined;
  try {
    if (opts.secrets?.length) secrets = await FileSecretSource.load(opts.secrets);
  } catch (err) {
    io.err(`assay run: --secrets: ${(err as Error).message}`);
    return EXIT_USAGE;
  }
  let notifyConfig: NotifyConfig | undefined;
  try {
    if (opts.notifications) {
      notifyConfig = await loadNotifyConfig(opts.notifications, { vars: config.notifyVars ?? {}, ...(secrets ? { secrets, secretNamespace: run.metadata.namespace ?? 'default' } : {}) });
    }
  } catch (err) {
    io.err(`assay run: ${(err as Error).message}`);
    return EXIT_USAGE;
  }
  const traces = new TraceLog();
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) {
      io.err('assay run: interrupted again, exiting without a verdict');
      process.exit(130);
    }
    io.err('assay run: terminating the run (Ctrl-C again to exit at once)');
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let final: AnalysisRun;
  try {
    final = await runAnalysisLive(run, {
      config,
      io,
      stdout,
      json,
      stop: stop.signal,
      traces,
      ...(secrets ? { secrets } : {}),
      ...(notifyConfig ? { notifications: notifyConfig } : {}),
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const phase = final.status?.phase ?? 'Error';
  if (json) io.out(JSON.stringify(final, null, 2));
  else {
    // The verdict stays the last line (pipelines read it with tail -1); its why comes just before.
    const key = `${final.metadata.namespace ?? 'default'}/${final.metadata.name ?? ''}`;
    if (phase !== 'Successful') for (const why of verdictReasons(final, (metric) => traces.of(key, metric))) io.out(`why: ${why}`);
    io.out(`Verdict: ${verdictText(final)}`);
  }
  return EXIT_BY_PHASE[phase] ?? 2;
}
