/**
 * Nothing is lost across a restart: `assay serve` (a real child process, REDIS_URL, a store
 * directory) queues a verdict's notification while the receiver answers 500, is killed with
 * SIGKILL mid-retry (possibly mid-request: the item's lease then runs out first), and the restarted process delivers it once the receiver recovers, with the
 * same idempotency key, exactly one successful delivery. Real redis-server (test/support/redis.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildOnce } from '../../support/build.js';
import { sendJson, startHttpServer, unusedPort, type TestHttpServer } from '../../support/http-server.js';
import { startRedis, type RedisHandle } from '../../support/redis.js';
import { BIN, ROOT } from '../run-cli/cli.js';
import { post, templatesDir, waitForPhase, waitUntil } from '../server/helpers.js';

let redis: RedisHandle;
let backend: TestHttpServer;
let receiver: TestHttpServer;
let receiverStatus = 500;
let templates: Awaited<ReturnType<typeof templatesDir>>;
let dir: string;
let port: number;
const children: ChildProcess[] = [];

beforeAll(async () => {
  await buildOnce();
  redis = await startRedis();
  backend = await startHttpServer((_req, res) => sendJson(res, 200, { value: 0.5 }));
  receiver = await startHttpServer((_req, res) => sendJson(res, receiverStatus, {}));
  templates = await templatesDir(backend.url);
  dir = await mkdtemp(join(tmpdir(), 'assay-notify-restart-'));
  await writeFile(
    join(dir, 'notify.yaml'),
    `apiVersion: assay/v1alpha1
kind: NotificationConfig
timeout: 1s
retry: {maxAttempts: 50, initialDelay: 100ms, maxDelay: 300ms}
destinations:
  - name: audit
    webhook: {url: {fromEnv: ASSAY_NOTIFY_URL}, secret: {fromEnv: ASSAY_NOTIFY_SECRET}}
routes:
  - destinations: [audit]
`,
  );
  port = await unusedPort();
}, 120_000);
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await Promise.all([backend?.close(), receiver?.close(), redis?.stop()]);
  await templates?.remove();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function startServe(): ChildProcess {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    REDIS_URL: redis.url,
    ASSAY_LOG_LEVEL: 'warn',
    ASSAY_NOTIFY_URL: `${receiver.url}/hook`,
    ASSAY_NOTIFY_SECRET: 'restart-secret',
  };
  const args = ['serve', '--port', String(port), '--templates', templates.dir, '--store-dir', join(dir, 'store'), '--notifications', join(dir, 'notify.yaml')];
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => void d);
  children.push(child);
  return child;
}

const ready = (child: ChildProcess) =>
  waitUntil(
    async () => {
      if (child.exitCode !== null) throw new Error(`assay serve exited (${child.exitCode})`);
      const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
      return res?.status === 200 ? true : undefined;
    },
    20_000,
    'assay serve to be ready',
  );

it('delivers a notification queued before a SIGKILL after the restart, once', async () => {
  const first = startServe();
  await ready(first);
  const base = `http://127.0.0.1:${port}`;
  expect((await post(`${base}/api/v1/runs`, { name: 'survivor', templates: [{ templateName: 'web-ok' }] })).status).toBe(201);
  await waitForPhase(base, 'default/survivor', ['Failed'], 10_000);
  // The receiver refuses: the notification waits in Redis, being retried.
  await waitUntil(async () => (receiver.requests.length >= 2 ? true : undefined), 10_000, 'two refused attempts');
  const exited = new Promise((r) => first.once('exit', r));
  first.kill('SIGKILL');
  await exited;
  const refused = receiver.requests.length;
  receiverStatus = 200;

  const second = startServe();
  await ready(second);
  await waitUntil(async () => (receiver.requests.length > refused ? true : undefined), 20_000, 'the delivery after the restart');
  const ids = new Set(receiver.requests.map((r) => r.headers['x-assay-idempotency-key']));
  expect(ids.size).toBe(1);
  const body = JSON.parse(receiver.requests.at(-1)!.body);
  expect(body).toMatchObject({ event: 'run.completed', run: { name: 'survivor', phase: 'Failed' } });
  // Exactly one delivery answered 200: the next run's delivery comes after it, and nothing else.
  expect((await post(`${base}/api/v1/runs`, { name: 'after', templates: [{ templateName: 'web-ok' }] })).status).toBe(201);
  await waitUntil(async () => (receiver.requests.some((r) => JSON.parse(r.body).run.name === 'after') ? true : undefined), 20_000, 'the next delivery');
  const survivorAfterRestart = receiver.requests.slice(refused).filter((r) => JSON.parse(r.body).run.name === 'survivor');
  expect(survivorAfterRestart).toHaveLength(1);
  second.kill('SIGTERM');
}, 90_000);
