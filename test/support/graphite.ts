/**
 * A real Graphite for tests (Debian `graphite-carbon` + `graphite-web`): carbon-cache and
 * graphite-web's development server, each on free 127.0.0.1 ports, with everything (whisper
 * files, sqlite database, logs, pid files) in a throw-away directory, so nothing in /etc or
 * /var is touched. Samples go in over carbon's plaintext protocol with explicit timestamps
 * (retention 10s:2d, so tests can write hours of history); graphite-web reads carbon's cache,
 * so a written sample is visible to the Render API without waiting for a flush.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unusedPort } from './http-server.js';

export interface GraphiteInstance {
  /** graphite-web's base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** Write `[metric, value, epochSeconds]` samples over the plaintext protocol. */
  write(samples: ReadonlyArray<readonly [string, number, number]>): Promise<void>;
  /** Wait until the Render API shows at least `count` non-null points for `target` in [from, until]. */
  waitFor(target: string, count: number, from: number, until: number): Promise<void>;
  stop(): Promise<void>;
}

/** Why Graphite cannot run here, or undefined when its programs are installed. */
export function graphiteMissing(): string | undefined {
  const missing = ['/usr/bin/carbon-cache', '/usr/bin/graphite-manage'].filter((p) => !existsSync(p));
  return missing.length === 0 ? undefined : `Graphite is not installed (${missing.join(', ')} missing): apt-get install graphite-carbon graphite-web`;
}

function exited(proc: ChildProcess): Promise<void> {
  return proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise((r) => proc.once('exit', () => r()));
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    proc.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    proc.on('error', reject);
    proc.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${err}`))));
  });
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, logs: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms:\n${logs()}`);
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startGraphite(): Promise<GraphiteInstance> {
  const dir = await mkdtemp(join(tmpdir(), 'assay-graphite-'));
  const [linePort, picklePort, cachePort, webPort] = [await unusedPort(), await unusedPort(), await unusedPort(), await unusedPort()];
  for (const sub of ['conf', 'storage/whisper', 'log/webapp', 'pid']) await mkdir(join(dir, sub), { recursive: true });
  const conf = join(dir, 'conf');
  await writeFile(join(conf, 'storage-schemas.conf'), '[default]\npattern = .*\nretentions = 10s:2d\n');
  await writeFile(join(conf, 'storage-aggregation.conf'), '[default]\npattern = .*\nxFilesFactor = 0\naggregationMethod = average\n');
  await writeFile(
    join(conf, 'carbon.conf'),
    [
      '[cache]',
      `STORAGE_DIR = ${dir}/storage/`,
      `LOCAL_DATA_DIR = ${dir}/storage/whisper/`,
      `CONF_DIR = ${conf}/`,
      `LOG_DIR = ${dir}/log/`,
      `PID_DIR = ${dir}/pid/`,
      'ENABLE_LOGROTATION = False',
      'MAX_CACHE_SIZE = inf',
      'MAX_UPDATES_PER_SECOND = inf',
      'MAX_CREATES_PER_MINUTE = inf',
      'LINE_RECEIVER_INTERFACE = 127.0.0.1',
      `LINE_RECEIVER_PORT = ${linePort}`,
      'PICKLE_RECEIVER_INTERFACE = 127.0.0.1',
      `PICKLE_RECEIVER_PORT = ${picklePort}`,
      'CACHE_QUERY_INTERFACE = 127.0.0.1',
      `CACHE_QUERY_PORT = ${cachePort}`,
      'ENABLE_UDP_LISTENER = False',
      'LOG_LISTENER_CONN_SUCCESS = False',
      '',
    ].join('\n'),
  );
  await writeFile(
    join(conf, 'gsettings.py'),
    [
      'from graphite.settings import *',
      "SECRET_KEY = 'assay-test-only'",
      `STORAGE_DIR = '${dir}/storage/'`,
      `WHISPER_DIR = '${dir}/storage/whisper/'`,
      'STANDARD_DIRS = [WHISPER_DIR]',
      `LOG_DIR = '${dir}/log/webapp/'`,
      `INDEX_FILE = '${dir}/storage/index'`,
      `CARBONLINK_HOSTS = ['127.0.0.1:${cachePort}']`,
      `DATABASES = {'default': {'NAME': '${dir}/graphite.db', 'ENGINE': 'django.db.backends.sqlite3'}}`,
      'ALLOWED_HOSTS = ["*"]',
      '',
    ].join('\n'),
  );
  const env = { ...process.env, PYTHONPATH: conf, DJANGO_SETTINGS_MODULE: 'gsettings' };
  let logs = '';
  const capture = (proc: ChildProcess, name: string): void => {
    proc.stdout?.on('data', (c: Buffer) => (logs += `[${name}] ${c.toString()}`));
    proc.stderr?.on('data', (c: Buffer) => (logs += `[${name}] ${c.toString()}`));
  };
  const carbon = spawn('carbon-cache', [`--config=${conf}/carbon.conf`, '--nodaemon', 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  capture(carbon, 'carbon');
  let web: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    for (const proc of [web, carbon]) {
      if (proc === undefined) continue;
      proc.kill('SIGKILL');
      await exited(proc);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await run('graphite-manage', ['migrate', '--run-syncdb', '-v', '0'], env);
    web = spawn('graphite-manage', ['runserver', `127.0.0.1:${webPort}`, '--noreload'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    capture(web, 'web');
    const url = `http://127.0.0.1:${webPort}`;
    await until('carbon-cache', () => listening(linePort), 20_000, () => logs);
    await until('graphite-web', async () => (await fetch(`${url}/render?target=none&format=json`)).ok, 30_000, () => logs);
    return {
      url,
      write: (samples) =>
        new Promise((resolve, reject) => {
          const socket = connect(linePort, '127.0.0.1', () => {
            socket.end(samples.map(([m, v, t]) => `${m} ${v} ${t}\n`).join(''), () => resolve());
          });
          socket.once('error', reject);
        }),
      async waitFor(target, count, from, untilTs) {
        const q = `target=${encodeURIComponent(target)}&from=${from}&until=${untilTs}&format=json`;
        await until(
          `${count} points of ${target}`,
          async () => {
            const series = (await (await fetch(`${url}/render?${q}`)).json()) as { datapoints: [number | null, number][] }[];
            return (series[0]?.datapoints.filter(([v]) => v !== null).length ?? 0) >= count;
          },
          20_000,
          () => logs,
        );
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
