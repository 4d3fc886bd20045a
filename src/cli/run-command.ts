/**
 * `assay run`: create an AnalysisRun from templates (or take one) and run it live against real
 * providers, in-process, showing progress; then print the verdict. This is what a pipeline calls
 * before and after it switches traffic.
 * Exit status: 0 Successful, 1 Failed, 2 Error, 3 Inconclusive, 4 usage or invalid input,
 * 5 stopped before its own verdict (SIGINT, SIGTERM, --timeout). Argo's terminate semantics decide
 * the run's status (a terminated run is usually Successful, "Run Terminated"); they must not
 * decide a pipeline's exit status, or a cancelled CI job would promote a release.
 */
import { loadPaths } from '../api/load.js';
import type { AnalysisRun, AnalysisTemplate, AnalysisTemplateRef, Argument } from '../api/types.js';
import { verdictReasons } from '../core/explain.js';
import { loadNotifyConfig, type NotifyConfig } from '../notify/config.js';
import { TraceLog } from '../runtime/trace-log.js';
import { secretsFromFiles } from '../composition/engine.js';
import type { SecretSource } from '../reconcile/ports.js';
import type { AssayConfig } from '../runtime/config.js';
import { analysisRunFromTemplates, templateLookup } from '../runtime/new-run.js';
import { parseGoDuration } from '../go/duration.js';
import { collectTemplates, flattenTemplates } from '../core/templates.js';
import { EXIT_BY_PHASE, EXIT_INTERRUPTED, EXIT_USAGE } from './exit-codes.js';
import { runAnalysisLive, verdictText } from './live-analysis.js';
import { applyArgs, explainUnresolvedArg, indefiniteMessage, indefiniteMetrics, overridePrometheus, unknownArgs } from './run-guards.js';
import { terminalSafe } from './progress.js';
import type { Output } from './test-command.js';

export { EXIT_BY_PHASE, EXIT_INTERRUPTED, EXIT_USAGE };

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
export async function runFromFiles(opts: RunOptions, defaultName?: string): Promise<AnalysisRun> {
  if (opts.file.length === 0) throw new UsageError('name the templates with -f FILE (see `assay run --help`)');
  const loaded = await loadPaths(opts.file);
  if (loaded.errors.length > 0) throw new UsageError(loaded.errors.map((e) => e.message).join('\n'));
  const templates = loaded.resources.filter((r) => r.kind === 'AnalysisTemplate' || r.kind === 'ClusterAnalysisTemplate');
  const runs = loaded.resources.filter((r) => r.kind === 'AnalysisRun');
  const args = parseArgs(opts.arg ?? []);
  const name = opts.name ?? defaultName ?? `assay-run-${Date.now().toString(36)}`;
  let run: AnalysisRun;
  if (runs.length > 0 && !opts.template?.length) {
    if (runs.length > 1) throw new UsageError(`the files hold ${runs.length} AnalysisRuns; keep one, or use --template`);
    const given = structuredClone(runs[0]!.object as AnalysisRun);
    delete given.status;
    // -n and --name, when given, win over the manifest's: a flag is never ignored.
    given.metadata = {
      ...given.metadata,
      namespace: opts.namespace ?? given.metadata.namespace ?? 'default',
      name: opts.name ?? given.metadata.name ?? name,
    };
    const withArgs = applyArgs(given, args);
    if (!withArgs.ok) throw new UsageError(withArgs.error);
    run = withArgs.value;
  } else {
    if (templates.length === 0) throw new UsageError('the files hold no AnalysisTemplate, ClusterAnalysisTemplate or AnalysisRun');
    const namespace = opts.namespace ?? 'default';
    const refs: AnalysisTemplateRef[] = opts.template?.length
      ? opts.template.map((t) => (t.startsWith('cluster:') ? { templateName: t.slice(8), clusterScope: true } : { templateName: t }))
      : templates.map((t) => ({ templateName: t.name ?? '', ...(t.kind === 'ClusterAnalysisTemplate' ? { clusterScope: true } : {}) }));
    const lookup = templateLookup(templates.map((t) => t.object as AnalysisTemplate), { matchNamespace: false });
    // Argo's MergeArgs drops an arg no template declares; a misspelt -a name must not vanish.
    const collected = collectTemplates(refs, namespace, lookup);
    const flat = collected.ok ? flattenTemplates(collected.value) : undefined;
    if (flat?.ok) {
      const unknown = unknownArgs(args, flat.value.args);
      if (unknown) throw new UsageError(unknown);
    }
    const built = analysisRunFromTemplates({ namespace, name, templates: refs, args }, lookup);
    if (!built.ok) throw new UsageError(explainUnresolvedArg(built.error));
    run = built.value;
  }
  const overridden = overridePrometheus(run, opts.prometheus);
  if (!overridden.ok) throw new UsageError(overridden.error);
  return overridden.value;
}

/** --timeout DURATION (Go syntax, as intervals): milliseconds, or a usage error. */
function parseTimeout(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const d = parseGoDuration(text);
  if (!d.ok) throw new UsageError(`--timeout "${text}": ${d.error}`);
  if (d.ms <= 0) throw new UsageError(`--timeout "${text}": must be greater than 0`);
  return d.ms;
}

export async function runCommand(opts: RunOptions, baseConfig: AssayConfig, io: Output, stdout: NodeJS.WriteStream): Promise<number> {
  let run: AnalysisRun;
  let timeoutMs: number | undefined;
  try {
    timeoutMs = parseTimeout(opts.timeout);
    run = await runFromFiles(opts);
    const forever = indefiniteMetrics(run);
    if (forever.length > 0 && timeoutMs === undefined) throw new UsageError(indefiniteMessage(forever));
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`assay run: ${err.message}`);
      return EXIT_USAGE;
    }
    throw err;
  }
  const json = opts.output === 'json';
  // --prometheus is already in every prometheus metric's address (run-guards.ts).
  const config: AssayConfig = { ...baseConfig };
  let secrets: SecretSource | undefined;
  try {
    secrets = await secretsFromFiles(opts.secrets);
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
  /** Why the run was stopped from outside, if it was: then the exit status is 5 whatever the phase. */
  let stoppedBy: string | undefined;
  const stopper = new AbortController();
  const stop = (why: string, note: string) => {
    if (stoppedBy !== undefined) {
      io.err(`assay run: ${why} again, exiting at once without a verdict (exit ${EXIT_INTERRUPTED})`);
      process.exit(EXIT_INTERRUPTED);
    }
    stoppedBy = why;
    io.err(`assay run: ${note}`);
    stopper.abort();
  };
  const onSigint = () => stop('SIGINT', 'terminating the run (Ctrl-C again to exit at once)');
  const onSigterm = () => stop('SIGTERM', 'SIGTERM: terminating the run');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => stop(`--timeout ${opts.timeout}`, `--timeout ${opts.timeout} reached: terminating the run`), timeoutMs);
  let final: AnalysisRun;
  try {
    final = await runAnalysisLive(run, {
      config,
      io,
      stdout,
      json,
      stop: stopper.signal,
      traces,
      ...(secrets ? { secrets } : {}),
      ...(notifyConfig ? { notifications: notifyConfig } : {}),
    });
  } finally {
    if (timer) clearTimeout(timer);
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
  const phase = final.status?.phase ?? 'Error';
  const external = stoppedBy ?? (run.spec.terminate ? 'spec.terminate in the manifest' : undefined);
  // JSON escapes C0 controls itself; DEL, C1 and bidirectional controls are escaped too (still valid JSON).
  if (json) io.out(JSON.stringify(final, null, 2).replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  if (external !== undefined) {
    // The status follows Argo (a terminated run is usually Successful); the exit status must not.
    const why = `stopped by ${external} before the analysis reached its own verdict`;
    if (json) io.err(`assay run: ${why} (run status ${verdictText(final)}): exit ${EXIT_INTERRUPTED}`);
    else io.out(`Verdict: none — ${why} (run status: ${verdictText(final)}); exit ${EXIT_INTERRUPTED}`);
    return EXIT_INTERRUPTED;
  }
  if (!json) {
    // The verdict stays the last line (pipelines read it with tail -1); its why comes just before.
    const key = `${final.metadata.namespace ?? 'default'}/${final.metadata.name ?? ''}`;
    if (phase !== 'Successful') for (const why of verdictReasons(final, (metric) => traces.of(key, metric))) io.out(terminalSafe(`why: ${why}`));
    io.out(`Verdict: ${verdictText(final)}`);
  }
  return EXIT_BY_PHASE[phase] ?? 2;
}
