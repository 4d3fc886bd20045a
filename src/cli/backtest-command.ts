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
import { historicalProviders, replayMeasurement } from '../composition/history.js';
import { secretsFromFiles } from '../composition/engine.js';
import type { SecretSource } from '../reconcile/ports.js';
import type { AssayConfig } from '../runtime/config.js';
import { EXIT_BY_PHASE, EXIT_USAGE } from './exit-codes.js';
import { runFromFiles, UsageError, type RunOptions } from './run-command.js';
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

function exitFor(verdict: Phase): number {
  return isCompleted(verdict) ? (EXIT_BY_PHASE[verdict] ?? 2) : EXIT_NO_VERDICT;
}

interface BacktestIo extends Output {
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
    run = await runFromFiles(opts, 'assay-backtest');
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`assay backtest: ${err.message}`);
    return EXIT_USAGE;
  }
  const providers = historicalProviders();
  const prepared = prepare(opts, run, io.wall(), providers);
  if (!prepared.ok) {
    for (const e of prepared.errors) io.err(`assay backtest: ${e}`);
    return EXIT_USAGE;
  }
  const { plan } = prepared;

  let secrets: SecretSource | undefined;
  try {
    secrets = await secretsFromFiles(opts.secrets);
  } catch (err) {
    io.err(`assay backtest: --secrets: ${(err as Error).message}`);
    return EXIT_USAGE;
  }
  const { measurer, secrets: replaySecrets } = replayMeasurement(config, providers, secrets);
  const progress: ReplayProgress = opts.progress || io.progress.isTTY ? new LineReplayProgress(io.progress, io.wall) : noProgress;
  const outcomes: ReplayOutcome[] = [];
  try {
    for (const [i, replay] of plan.replays.entries()) {
      progress.start(i + 1, plan.replays.length, replay.start, replay.stop);
      outcomes.push(await replayRun(run, replay, { measurer, secrets: replaySecrets, onMeasurement: (m) => progress.measured(m.at) }));
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
