/**
 * A private redis-server per test file: its own port, its own temp dir, no persistence, `--hz 100`
 * (Redis checks blocked clients' timeouts hz times per second; at the default 10 BullMQ's delayed
 * jobs start up to ~100 ms late, see stack-notes §3). Tests may FLUSHALL or kill it freely.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface RedisHandle {
  url: string;
  port: number;
  flushall(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartRedisOptions {
  hz?: number;
  /** redis-server binary. Default: `redis-server` on PATH. */
  binary?: string;
}

export const REDIS_MISSING =
  'redis-server is not installed or not on PATH. Install it (Debian: apt-get install -y --no-install-recommends redis-server) to run the Redis integration tests.';

/** True when a redis-server binary can be executed. */
export function redisServerAvailable(binary = 'redis-server'): boolean {
  const r = spawnSync(binary, ['--version'], { stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
}

export async function startRedis(opts: StartRedisOptions = {}): Promise<RedisHandle> {
  const binary = opts.binary ?? 'redis-server';
  if (!redisServerAvailable(binary)) throw new Error(REDIS_MISSING);
  let lastError: unknown;
  // A free port can be taken between probing and binding; retry with another one.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'assay-redis-'));
    const child = spawn(
      binary,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
        '--hz', String(opts.hz ?? 100), '--dir', dir, '--daemonize', 'no', '--logfile', ''],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let log = '';
    child.stdout?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    const killOnExit = (): void => void child.kill('SIGKILL');
    process.once('exit', killOnExit);
    try {
      await waitForPong(port, child, 5000);
    } catch (err) {
      lastError = new Error(`redis-server on port ${port} did not start: ${String(err)}\n${log}`);
      child.kill('SIGKILL');
      process.removeListener('exit', killOnExit);
      await rm(dir, { recursive: true, force: true });
      continue;
    }
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      flushall: async () => {
        const reply = await command(port, ['FLUSHALL']);
        if (reply !== '+OK') throw new Error(`FLUSHALL: ${reply}`);
      },
      stop: async () => {
        process.removeListener('exit', killOnExit);
        await stopChild(child);
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  throw lastError;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPong(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited with ${child.exitCode ?? child.signalCode}`);
    const reply = await command(port, ['PING']).catch(() => undefined);
    if (reply === '+PONG') return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('no PONG');
}

/** Send one command in RESP and return the first reply line (enough for PING/FLUSHALL). */
function command(port: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = '';
    sock.setTimeout(2000, () => sock.destroy(new Error('timeout')));
    sock.once('error', reject);
    sock.on('data', (d) => {
      buf += d.toString();
      const i = buf.indexOf('\r\n');
      if (i >= 0) {
        sock.end();
        resolve(buf.slice(0, i));
      }
    });
    sock.write(`*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join(''));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
