/**
 * client-node stops an informer for good on any error other than 410 (which it relists on
 * itself). Every informer assay runs is kept alive the same way: on an error, restart it after a
 * delay that doubles up to 30 s, and reset the delay once it is connected again.
 */
import type { Informer, KubernetesObject } from '@kubernetes/client-node';

const MAX_DELAY_MS = 30_000;

export interface RestartOptions {
  /** Used in error reports: `informer <path>`, `restart informer <path>`. */
  path: string;
  /** First delay before a restart. Default 1 s. */
  initialDelayMs?: number;
  /** True once the owner stopped: no more restarts. */
  isStopped: () => boolean;
  onError?: (err: unknown, where: string) => void;
}

export function keepInformerRunning(informer: Informer<KubernetesObject>, opts: RestartOptions): void {
  const initial = opts.initialDelayMs ?? 1000;
  let delay = initial;
  informer.on('error', (err) => {
    opts.onError?.(err, `informer ${opts.path}`);
    if (opts.isStopped()) return;
    setTimeout(() => {
      if (opts.isStopped()) return;
      informer.start().then(
        () => (delay = initial),
        (e) => opts.onError?.(e, `restart informer ${opts.path}`),
      );
    }, delay).unref();
    delay = Math.min(delay * 2, MAX_DELAY_MS);
  });
  informer.on('connect', () => (delay = initial));
}
