/**
 * Child processes of the benchmark: every scenario trial runs in a fresh Node process (a clean
 * heap, its own event loop, an RSS that belongs to it alone). The parent keeps a registry and
 * kills whatever is still running when it exits, is interrupted, or a trial times out.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const live = new Set<ChildProcess>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const killAll = (): void => {
    for (const c of live) c.kill('SIGKILL');
  };
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      killAll();
      process.exit(130);
    });
  }
}

/** Register a child spawned elsewhere (redis, prometheus) for cleanup on exit. */
export function track(child: ChildProcess): void {
  hookExit();
  live.add(child);
  child.once('exit', () => live.delete(child));
}

export interface ChildOptions {
  execArgv?: string[];
  timeoutMs: number;
  env?: Record<string, string>;
  /** Messages other than the final result (progress, requests). */
  onMessage?: (msg: unknown, child: ChildProcess) => void;
}

/** The path of a compiled worker module beside this file's compiled location. */
export function workerPath(name: string): string {
  return resolve(import.meta.dirname, '..', 'workers', `${name}.js`);
}

/**
 * Fork `dist/bench/workers/<name>.js` with `input` as JSON in argv[2]; resolve with the first
 * message of shape `{result}` (the worker then exits), reject on `{error}`, a crash or a timeout.
 */
export function runWorker<T>(name: string, input: unknown, opts: ChildOptions): Promise<T> {
  hookExit();
  return new Promise<T>((resolvePromise, reject) => {
    const child = fork(workerPath(name), [JSON.stringify(input)], {
      execArgv: opts.execArgv ?? [],
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    track(child);
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(new Error(`worker ${name} timed out after ${opts.timeoutMs} ms`));
    }, opts.timeoutMs);
    child.on('message', (msg: unknown) => {
      const m = msg as { result?: T; error?: string };
      if (m && typeof m === 'object' && 'result' in m) {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolvePromise(m.result as T);
      } else if (m && typeof m === 'object' && 'error' in m) {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new Error(`worker ${name}: ${m.error}`));
      } else opts.onMessage?.(msg, child);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      reject(new Error(`worker ${name} exited (${code ?? signal}) without a result`));
    });
  });
}

/** Worker side: read the input, run, send the result (or the error), exit. */
export function workerMain<I, R>(fn: (input: I) => Promise<R>): void {
  const input = JSON.parse(process.argv[2] ?? '{}') as I;
  fn(input).then(
    (result) => {
      process.send!({ result }, () => process.exit(0));
    },
    (err: unknown) => {
      const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
      process.send!({ error: text }, () => process.exit(1));
    },
  );
}
