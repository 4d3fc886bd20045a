/**
 * `assay backtest`: replay an analysis against metric history on a virtual clock, so a team
 * can see what verdict a template would have given, and when, during a past incident.
 *
 * The replay is `assay test`'s virtual clock (the real resolution, scheduling and assessment)
 * with the real providers as the measurer (those that declare `historical`): each query is evaluated at the virtual
 * instant (an instant query AT that time; rangeQuery start/end expressions against it).
 * Exit status: 0 Successful, 1 Failed, 2 Error, 3 Inconclusive (or no verdict before the clock
 * stopped), 4 usage or invalid input; with --every, the worst verdict of all replays.
 */
import type { AnalysisRun } from '../api/types.js';
import type { MetricProvider } from '../metric/provider.js';
import { isCompleted, type Phase } from '../api/phase.js';
import { planReplays, unreplayableMetrics, type Plan } from '../backtest/plan.js';
import { LineReplayProgress, noProgress, type ProgressStream, type ReplayProgress } from '../backtest/progress.js';
import { replayRun, type ReplayOutcome } from '../backtest/replay.js';
import { everyJson, everyLines, measurementLines, replayJson, verdictLine, worstVerdict } from '../backtest/report.js';
import { builtinProviders, noSecrets, providerEnvOf } from '../runtime/assemble.js';
import { FileSecretSource } from '../runtime/file-secrets.js';
import type { SecretSource } from '../reconcile/ports.js';
import type { AssayConfig } from '../runtime/config.js';
import { ProviderMeasurer } from '../runtime/provider-measurer.js';
import { EXIT_BY_PHASE, EXIT_USAGE, runFromFiles, UsageError, type RunOptions } from './run-command.js';
import type { Output } from './test-command.js';

export interface BacktestOptions extends RunOptions {
  from: string;
  to?: string;
  every?: string;
  for?: string;
  progress?: boolean;
}

/** Running/Pending at the end of the window: no verdict, which a pipeline must not read as a pass. */
const EXIT_NO_VERDICT = EXIT_BY_PHASE.Inconclusive ?? 3;

export function exitFor(verdict: Phase): number {
  return isCompleted(verdict) ? (EXIT_BY_PHASE[verdict] ?? 2) : EXIT_NO_VERDICT;
}

// Paragraphs without hard line breaks: commander wraps them to the terminal's width.
export const BACKTEST_DESCRIPTION = [
  'Replays an analysis against metric history. The AnalysisRun that the templates (and --arg) describe runs on a ' +
    'virtual clock that starts at --from, exactly as the live engine would run it (initialDelay, interval, count, ' +
    'limits, the 10 s retry after an Error), and every query is evaluated at its historical instant: an instant query ' +
    'AT that time, a rangeQuery with now() being that time. It prints each measurement and the verdict the analysis ' +
    "would have reached, and when. Use it to tune a template on last week's incidents before it gates a release.",
  'Times (--from, --to): RFC 3339 (2026-11-20T14:00:00Z), "now", or a duration before now (-6h or 6h: six hours ago).',
  'One replay starts at --from and its clock stops at --to. With --every D, a replay starts at --from, --from+D, ... ' +
    'up to --to ("had the rollout started at each of these times, what would the verdict have been?"); each runs ' +
    'until it completes, --for after its start, or the present.',
  'Only metrics whose provider can be asked about the past are replayed: prometheus (instant query at the instant, ' +
    'rangeQuery against it), graphite (from/until), cloudWatch (StartTime/EndTime), and the other providers that ' +
    'anchor their query window at the instant. A template with any other provider (web, job, influxdb, whose Flux ' +
    'query carries its own range, ...) is refused, naming the metric and its provider.',
  'Exit status: 0 Successful, 1 Failed, 2 Error, 3 Inconclusive or no verdict before the clock stopped, 4 usage or ' +
    'invalid input. With --every: the worst verdict of all replays.',
].join('\n\n');

export const BACKTEST_EXAMPLES =
  '\nExamples:\n' +
  '  # What would the error-ratio analysis have said during yesterday\'s 14:00 incident?\n' +
  '  assay backtest -f examples/backtest/error-ratio.yaml -a service=checkout \\\n' +
  '    -a prometheus-address=http://localhost:9090 --from 2026-11-20T13:45:00Z --to 2026-11-20T15:00:00Z\n\n' +
  '  TIME                  OFFSET   METRIC       VALUE   PHASE       MESSAGE\n' +
  '  2026-11-20T13:45:00Z  +0s      error-ratio  [0.01]  Successful\n' +
  '  ...\n' +
  '  Verdict: Failed at 2026-11-20T14:05:00Z (+20m0s) — Metric "error-ratio" assessed Failed due to failed (2) > failureLimit (1)\n\n' +
  '  # Had a rollout started every 30 minutes over the last day, which ones would it have stopped?\n' +
  '  assay backtest -f examples/backtest/error-ratio.yaml -a service=checkout --prometheus http://localhost:9090 \\\n' +
  '    --from -24h --to -1h --every 30m --for 1h\n\n' +
  '  # The same, for a tool: the final AnalysisRun of each replay with its verdict\n' +
  '  assay backtest -f error-ratio.yaml --from -6h --to now -o json | jq \'.verdict, .completedAt\'';

export interface BacktestIo extends Output {
  /** Where progress goes (stderr): its isTTY decides whether progress is shown by default. */
  progress: ProgressStream;
  /** The real clock: the present (for relative times and the end of history) and progress pacing. */
  wall: () => number;
}

function prepare(
  opts: BacktestOptions,
  run: AnalysisRun,
  now: number,
  providers: readonly MetricProvider<unknown>[],
): { ok: true; plan: Plan } | { ok: false; errors: string[] } {
  const refused = unreplayableMetrics(run, providers);
  if (refused.length > 0) return { ok: false, errors: refused };
  const plan = planReplays(
    {
      from: opts.from,
      to: opts.to ?? 'now',
      ...(opts.every !== undefined ? { every: opts.every } : {}),
      ...(opts.for !== undefined ? { for: opts.for } : {}),
    },
    now,
  );
  return plan.ok ? { ok: true, plan: plan.value } : { ok: false, errors: [plan.error] };
}

export async function backtestCommand(opts: BacktestOptions, config: AssayConfig, io: BacktestIo): Promise<number> {
  let run: AnalysisRun;
  try {
    run = await runFromFiles({ ...opts, name: opts.name ?? 'assay-backtest' });
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`assay backtest: ${err.message}`);
    return EXIT_USAGE;
  }
  const all = builtinProviders();
  const prepared = prepare(opts, run, io.wall(), all);
  if (!prepared.ok) {
    for (const e of prepared.errors) io.err(`assay backtest: ${e}`);
    return EXIT_USAGE;
  }
  const { plan } = prepared;

  let secrets: SecretSource = noSecrets;
  try {
    if (opts.secrets?.length) secrets = await FileSecretSource.load(opts.secrets);
  } catch (err) {
    io.err(`assay backtest: --secrets: ${(err as Error).message}`);
    return EXIT_USAGE;
  }
  const address = opts.prometheus ?? config.prometheusAddress;
  const measurer = new ProviderMeasurer({
    // Only providers that can be asked about the past, and assay's plugin sources over them.
    providers: all.filter((p) => p.historical === true || p.key.startsWith('plugin/assay/')),
    env: { ...providerEnvOf(config), ...(address !== undefined ? { prometheusAddress: address } : {}) },
    secrets,
  });
  const progress: ReplayProgress = opts.progress || io.progress.isTTY ? new LineReplayProgress(io.progress, io.wall) : noProgress;
  const outcomes: ReplayOutcome[] = [];
  try {
    for (const [i, replay] of plan.replays.entries()) {
      progress.start(i + 1, plan.replays.length, replay.start, replay.stop);
      outcomes.push(await replayRun(run, replay, { measurer, secrets, onMeasurement: (m) => progress.measured(m.at) }));
    }
  } finally {
    progress.done();
    await measurer.close();
  }

  const json = opts.output === 'json';
  if (plan.every === undefined) {
    const only = outcomes[0]!;
    if (json) io.out(JSON.stringify(replayJson(only), null, 2));
    else {
      for (const line of measurementLines(only)) io.out(line);
      io.out('');
      io.out(verdictLine(only));
    }
    return exitFor(only.verdict);
  }
  if (json) io.out(JSON.stringify(everyJson(plan, outcomes), null, 2));
  else for (const line of everyLines(outcomes)) io.out(line);
  return exitFor(worstVerdict(outcomes));
}
