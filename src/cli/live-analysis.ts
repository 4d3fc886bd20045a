/**
 * Running one AnalysisRun live, in-process, against the real providers, with the progress a person
 * sees (a table on a terminal, one line per measurement otherwise). Shared by `assay run` and by
 * `assay promote`'s pre/post analyses so that both show the same progress and reach their verdict
 * by the same rules. Stopping (Ctrl-C, a timeout) is the caller's AbortSignal: it terminates the
 * run the way spec.terminate does, and the run still ends with a verdict.
 */
import type { AnalysisRun } from '../api/types.js';
import { isCompleted } from '../api/phase.js';
import { assemble } from '../runtime/assemble.js';
import type { AssayConfig } from '../runtime/config.js';
import type { FileSecretSource } from '../runtime/file-secrets.js';
import { MemoryRunStore } from '../store/memory-store.js';
import { runKey } from '../store/run-store.js';
import { LineProgress, TableProgress, terminalSafe, type ProgressSink } from './progress.js';
import type { Output } from './test-command.js';

export interface LiveAnalysisOptions {
  config: AssayConfig;
  io: Output;
  /** Where a table may be drawn when it is a terminal. */
  stdout: NodeJS.WriteStream;
  /** With --output json, stdout carries only the final JSON: progress goes to stderr as lines. */
  json: boolean;
  secrets?: FileSecretSource;
  /** Aborting terminates the run (spec.terminate); the run then completes with its verdict. */
  stop?: AbortSignal;
}

/** Runs `run` to completion and returns the final AnalysisRun. */
export async function runAnalysisLive(run: AnalysisRun, opts: LiveAnalysisOptions): Promise<AnalysisRun> {
  const config: AssayConfig = { ...opts.config };
  delete config.redisUrl; // a live run from the CLI is always in-process
  const { engine, close } = assemble({ config, store: new MemoryRunStore(), ...(opts.secrets ? { secrets: opts.secrets } : {}) });
  const progress: ProgressSink = opts.json
    ? new LineProgress(opts.io.err)
    : opts.stdout.isTTY
      ? new TableProgress(opts.stdout)
      : new LineProgress(opts.io.out);
  const done = new Promise<AnalysisRun>((resolve) => {
    engine.listen({
      onStatus: (_key, r) => {
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
    return final;
  } finally {
    opts.stop?.removeEventListener('abort', terminate);
    await close();
  }
}

/** `Successful`, or `Failed — Metric "x" assessed Failed due to ...`. */
export function verdictText(run: AnalysisRun): string {
  const phase = run.status?.phase || 'Error';
  // For a terminal: the message can quote backend text, whose control characters are escaped.
  return terminalSafe(run.status?.message ? `${phase} — ${run.status.message}` : phase);
}
