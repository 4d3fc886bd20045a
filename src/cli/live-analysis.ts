/**
 * Running one AnalysisRun live, in-process, against the real providers, with the progress a person
 * sees (a table on a terminal, one line per measurement otherwise). Shared by `assay run` and by
 * `assay promote`'s pre/post analyses so that both show the same progress and reach their verdict
 * by the same rules. Stopping (Ctrl-C, a timeout) is the caller's AbortSignal: it terminates the
 * run the way spec.terminate does, and the run still ends with a verdict.
 */
import type { AnalysisRun, Measurement } from '../api/types.js';
import { measurementWhy } from '../core/trace.js';
import type { NotifyConfig } from '../notify/config.js';
import { Notifier } from '../notify/notifier.js';
import { createLogger } from '../runtime/logger.js';
import { TraceLog } from '../runtime/trace-log.js';
import { isCompleted } from '../api/phase.js';
import { liveAnalysisEngine } from '../composition/live.js';
import { notificationOutbox } from '../composition/engine.js';
import type { AssayConfig } from '../runtime/config.js';
import type { SecretSource } from '../reconcile/ports.js';
import { runKey } from '../store/run-store.js';
import { LineProgress, TableProgress, terminalSafe, type ProgressSink } from './progress.js';
import type { Output } from './test-command.js';

interface LiveAnalysisOptions {
  config: AssayConfig;
  io: Output;
  /** Where a table may be drawn when it is a terminal. */
  stdout: NodeJS.WriteStream;
  /** With --output json, stdout carries only the final JSON: progress goes to stderr as lines. */
  json: boolean;
  secrets?: SecretSource;
  /** Aborting terminates the run (spec.terminate); the run then completes with its verdict. */
  stop?: AbortSignal;
  /** Where the decision traces go (the caller reads them for the verdict's why); a new log otherwise. */
  traces?: TraceLog;
  /** `--notifications FILE`, parsed: the verdict is delivered before this returns (up to NOTIFY_DRAIN_MS). */
  notifications?: NotifyConfig;
}

/** How long a live run waits, after the verdict, for notifications still being delivered. */
const NOTIFY_DRAIN_MS = 30_000;

/** Runs `run` to completion and returns the final AnalysisRun. */
export async function runAnalysisLive(run: AnalysisRun, opts: LiveAnalysisOptions): Promise<AnalysisRun> {
  const { engine, close } = await liveAnalysisEngine(opts.config, opts.secrets);
  const traces = opts.traces ?? new TraceLog();
  // The why line under a measurement that did not succeed, from its decision trace.
  const explain = (metric: string, m: Measurement): string | undefined => {
    const t = traces.of(runKey(run), metric).find((x) => x.startedAt === m.startedAt && x.finishedAt === m.finishedAt);
    return t ? measurementWhy(t) : undefined;
  };
  const progress: ProgressSink = opts.json
    ? new LineProgress(opts.io.err, explain)
    : opts.stdout.isTTY
      ? new TableProgress(opts.stdout)
      : new LineProgress(opts.io.out, explain);
  // Delivery failures are logged (JSON lines) on stderr; the verdict and exit status are unaffected.
  const notifier = opts.notifications
    ? await Notifier.start({ config: opts.notifications, outbox: await notificationOutbox(undefined), log: createLogger({ level: 'warn', destination: process.stderr }), tracesOf: (k, m) => traces.of(k, m) })
    : undefined;
  const done = new Promise<AnalysisRun>((resolve) => {
    engine.listen({
      onTraces: (k, r, ts) => traces.record(k, r, ts),
      onStatus: (k, r, previous) => {
        notifier?.onStatus(k, r, previous);
        progress.update(r);
        if (isCompleted(r.status?.phase)) resolve(r);
      },
    });
  });
  const key = runKey(await engine.submit(run));
  const terminate = () => void engine.terminate(key);
  if (opts.stop?.aborted) terminate();
  opts.stop?.addEventListener('abort', terminate, { once: true });
  try {
    await engine.start();
    const final = await done;
    progress.finish(final);
    if (!opts.json && opts.stdout.isTTY) {
      // On a terminal the table showed only the last values: list what did not succeed, with why.
      for (const t of Object.values(traces.get(key).metrics).flat()) {
        if (t.phase !== 'Successful') opts.io.out(`  ${t.finishedAt ?? ''}  why: ${measurementWhy(t)}`);
      }
    }
    return final;
  } finally {
    opts.stop?.removeEventListener('abort', terminate);
    await close();
    if (notifier) {
      const left = await notifier.dispatcher.drain(NOTIFY_DRAIN_MS);
      if (left > 0) opts.io.err(`assay: ${left} notification(s) not delivered within ${NOTIFY_DRAIN_MS / 1000}s; giving up on them`);
      await notifier.close();
    }
  }
}

/** `Successful`, or `Failed — Metric "x" assessed Failed due to ...`. */
export function verdictText(run: AnalysisRun): string {
  const phase = run.status?.phase || 'Error';
  // For a terminal: the message can quote backend text, whose control characters are escaped.
  return terminalSafe(run.status?.message ? `${phase} — ${run.status.message}` : phase);
}
