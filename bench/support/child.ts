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
  process.on('disconnect', () => process.exit(0));
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

/**
 * A long-lived child that answers commands: `call(cmd, args)` sends `{id, cmd, args}` and
 * resolves with the worker's `{id, reply}`. Used for servers the scenario drives over time (the
 * fake API server, BullMQ worker processes).
 */
export interface Service {
  call<T>(cmd: string, args?: unknown): Promise<T>;
  stop(): Promise<void>;
  readonly pid: number;
}

export function startService(name: string, input: unknown, opts: { execArgv?: string[]; readyTimeoutMs?: number } = {}): Promise<Service> {
  hookExit();
  const child = fork(workerPath(name), [JSON.stringify(input)], { execArgv: opts.execArgv ?? [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  track(child);
  let seq = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let ready: (() => void) | undefined;
  let failed: ((e: Error) => void) | undefined;
  child.on('message', (msg: unknown) => {
    const m = msg as { id?: number; reply?: unknown; error?: string; ready?: boolean };
    if (m.ready) return ready?.();
    if (m.id === undefined) return;
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.error !== undefined) p.reject(new Error(`${name}: ${m.error}`));
    else p.resolve(m.reply);
  });
  const exited = new Promise<void>((resolveExit) =>
    child.once('exit', (code, signal) => {
      const err = new Error(`${name} exited (${code ?? signal})`);
      for (const p of pending.values()) p.reject(err);
      pending.clear();
      failed?.(err);
      resolveExit();
    }),
  );
  const service: Service = {
    pid: child.pid ?? 0,
    call<T>(cmd: string, args?: unknown): Promise<T> {
      const id = ++seq;
      return new Promise<T>((resolveCall, rejectCall) => {
        pending.set(id, { resolve: resolveCall as (v: unknown) => void, reject: rejectCall });
        child.send({ id, cmd, args });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.send({ cmd: '__stop' });
      await exited;
      clearTimeout(killer);
    },
  };
  return new Promise<Service>((resolveStart, rejectStart) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      rejectStart(new Error(`${name} not ready after ${opts.readyTimeoutMs ?? 30_000} ms`));
    }, opts.readyTimeoutMs ?? 30_000);
    ready = () => {
      clearTimeout(t);
      resolveStart(service);
    };
    failed = (e) => {
      clearTimeout(t);
      rejectStart(e);
    };
  });
}

/** Worker side of a service: run `init`, announce ready, answer commands; `__stop` runs `stop` then exits. */
export function serviceMain<I, S>(
  init: (input: I) => Promise<S>,
  handlers: Record<string, (state: S, args: never) => Promise<unknown> | unknown>,
  stop: (state: S) => Promise<void>,
): void {
  const input = JSON.parse(process.argv[2] ?? '{}') as I;
  // The parent going away (crash, SIGKILL) must not leave us running.
  process.on('disconnect', () => process.exit(0));
  init(input).then(
    (state) => {
      process.on('message', (msg: { id?: number; cmd: string; args?: unknown }) => {
        if (msg.cmd === '__stop') {
          void stop(state).finally(() => process.exit(0));
          return;
        }
        const h = handlers[msg.cmd];
        Promise.resolve()
          .then(() => (h ? h(state, msg.args as never) : Promise.reject(new Error(`unknown command ${msg.cmd}`))))
          .then(
            (reply) => process.send!({ id: msg.id, reply: reply ?? null }),
            (err: unknown) => process.send!({ id: msg.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
          );
      });
      process.send!({ ready: true });
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
