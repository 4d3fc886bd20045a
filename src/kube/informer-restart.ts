/**
 * client-node stops an informer for good on any error other than 410 (which it relists on
 * itself). Every informer assay runs is kept alive the same way: on an error, restart it after a
 * delay that doubles up to 30 s, and reset the delay once it has listed again.
 *
 * It also tracks whether the informer's cache is synced: its list succeeded and no error came
 * since. `informer.start()` resolves even when the list fails (client-node reports the failure as
 * an 'error' event), so "started" says nothing; the controller's /readyz and its start-up check
 * read `synced()` instead.
 */
import type { Informer, KubernetesObject } from '@kubernetes/client-node';

const MAX_DELAY_MS = 30_000;

interface RestartOptions {
  /** Used in error reports: `informer <path>`, `restart informer <path>`. */
  path: string;
  /** First delay before a restart. Default 1 s. */
  initialDelayMs?: number;
  /** True once the owner stopped: no more restarts. */
  isStopped: () => boolean;
  onError?: (err: unknown, where: string) => void;
}

export interface KeptInformer {
  /** The first start: resolves once the list succeeded or failed (see `synced`, `lastError`). */
  start(): Promise<void>;
  /** Listed successfully, and no error since. */
  synced(): boolean;
  /** The error that unsynced it, if it is not synced. */
  lastError(): unknown;
  readonly path: string;
}

export function keepInformerRunning(informer: Informer<KubernetesObject>, opts: RestartOptions): KeptInformer {
  const initial = opts.initialDelayMs ?? 1000;
  let delay = initial;
  let synced = false;
  let failure: unknown;
  let errorsSeen = 0;
  /** Start (or restart) and mark the cache synced when no error came while it listed. */
  const start = async (): Promise<void> => {
    const before = errorsSeen;
    await informer.start();
    if (errorsSeen === before && !opts.isStopped()) {
      synced = true;
      failure = undefined;
      delay = initial;
    }
  };
  informer.on('error', (err) => {
    errorsSeen++;
    synced = false;
    failure = err;
    opts.onError?.(err, `informer ${opts.path}`);
    if (opts.isStopped()) return;
    setTimeout(() => {
      if (opts.isStopped()) return;
      start().catch((e) => opts.onError?.(e, `restart informer ${opts.path}`));
    }, delay).unref();
    delay = Math.min(delay * 2, MAX_DELAY_MS);
  });
  return { start, synced: () => synced, lastError: () => failure, path: opts.path };
}

/** The informers of one owner that are not synced, with why: for start-up errors and /readyz. */
export function unsynced(informers: readonly KeptInformer[]): { path: string; error: unknown }[] {
  return informers.filter((i) => !i.synced()).map((i) => ({ path: i.path, error: i.lastError() }));
}
