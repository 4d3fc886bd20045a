/**
 * Deployment shapes: a file store whose unfinished runs continue after a restart, the role checks,
 * and a split deployment (one `api` process, one `worker`) sharing a store directory and a real
 * Redis queue, where the API process sees the worker's progress only through the shared store.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisRun } from '../../../src/api/types.js';
import { configFromEnv } from '../../../src/runtime/config.js';
import { startServer } from '../../../src/composition/serve.js';
import { roleProblem, ServeError } from '../../../src/server/server.js';
import { FileRunStore } from '../../../src/store/file-store.js';
import type { TestHttpServer } from '../../support/http-server.js';
import { redisServerAvailable, startRedis, type RedisHandle } from '../../support/redis.js';
import { json, openSse, post, startMetricEndpoint, templatesDir, waitForPhase } from './helpers.js';

let metric: TestHttpServer;
let templates: Awaited<ReturnType<typeof templatesDir>>;
const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'assay-serve-store-'));
  dirs.push(dir);
  return dir;
}

beforeAll(async () => {
  metric = await startMetricEndpoint(0.95);
  templates = await templatesDir(metric.url);
});

afterAll(async () => {
  await metric?.close();
  await templates?.remove();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('when a role needs shared state', () => {
  it('refuses --role worker and --role api without REDIS_URL (their queue, and their run store unless --store-dir)', async () => {
    for (const role of ['worker', 'api'] as const) {
      const err = await startServer({ config: configFromEnv({}), role, port: 0 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ServeError);
      expect((err as Error).message).toContain('REDIS_URL');
      expect((err as Error).message).toContain('--store-dir');
    }
    expect(roleProblem('worker', { redisUrl: 'redis://x:6379' })).toBeUndefined();
    expect(roleProblem('worker', { redisUrl: 'redis://x:6379', storeDir: '/tmp/x' })).toBeUndefined();
    expect(roleProblem('all', {})).toBeUndefined();
  });

  it('refuses a --templates path that is not a directory', async () => {
    await expect(startServer({ config: configFromEnv({}), port: 0, templatesDir: '/nonexistent/assay' })).rejects.toThrow(/not a directory/);
  });
});

describe('when the server shuts down', () => {
  it('ends open event streams and stops accepting connections', async () => {
    const server = await startServer({ config: configFromEnv({}), port: 0, templatesDir: templates.dir });
    await post(`${server.url}/api/v1/runs`, { templates: [{ templateName: 'web-forever' }], name: 'endless' });
    const sse = await openSse(`${server.url}/api/v1/events`);
    await sse.waitFor((e) => e.event === 'status');
    await server.close();
    await sse.ended; // the stream ends (this test's timeout would catch one left open)
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});

describe('when the store directory holds an unfinished run', () => {
  it('continues it on start (resync)', async () => {
    const dir = await tempDir();
    const store = await FileRunStore.open(dir);
    const run: AnalysisRun = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: { name: 'left-over', namespace: 'default' },
      spec: { metrics: [{ name: 'm', count: 2, interval: '100ms', successCondition: 'result > 0.9', provider: { web: { url: `${metric.url}/m`, jsonPath: '{$.value}' } } }] },
    };
    await store.create(run);
    await store.writeStatus('default/left-over', undefined, { phase: 'Running' });
    await store.close();

    const server = await startServer({ config: configFromEnv({}), port: 0, storeDir: dir });
    try {
      const done = await waitForPhase(server.url, 'default/left-over', ['Successful']);
      expect(done.status.metricResults[0].count).toBe(2);
    } finally {
      await server.close();
    }
  });
});

describe.skipIf(!redisServerAvailable())('when the API and the worker are separate processes', () => {
  let redis: RedisHandle;

  beforeAll(async () => {
    redis = await startRedis();
  });

  afterAll(async () => {
    await redis?.stop();
  });

  it('shares runs through Redis alone when there is no --store-dir (hosts with no shared filesystem)', async () => {
    const config = { ...configFromEnv({ REDIS_URL: redis.url }), queueName: `serve-${randomUUID()}` };
    const api = await startServer({ config, role: 'api', port: 0, templatesDir: templates.dir });
    const worker = await startServer({ config, role: 'worker', port: 0 });
    try {
      const sse = await openSse(`${api.url}/api/v1/events`);
      expect((await post(`${api.url}/api/v1/runs`, { templates: [{ templateName: 'web-ok' }], name: 'no-shared-disk' })).status).toBe(201);
      await sse.waitFor((e) => e.event === 'status' && e.data.key === 'default/no-shared-disk' && e.data.phase === 'Successful', 8000);
      sse.close();
      const run = await json(await fetch(`${api.url}/api/v1/runs/default/no-shared-disk`));
      expect(run.status.metricResults[0].count).toBe(3);
      expect((await json(await fetch(`${api.url}/api/v1/runs`))).items.map((r: { name: string }) => r.name)).toContain('no-shared-disk');
    } finally {
      await api.close();
      await worker.close();
    }
  });

  it('creates on the api, measures on the worker, and streams the worker\'s progress from the shared store', async () => {
    const dir = await tempDir();
    const config = { ...configFromEnv({ REDIS_URL: redis.url }), queueName: `serve-${randomUUID()}` };
    const api = await startServer({ config, role: 'api', port: 0, storeDir: dir, templatesDir: templates.dir });
    const worker = await startServer({ config, role: 'worker', port: 0, storeDir: dir });
    try {
      const ready = await json(await fetch(`${api.url}/readyz`));
      expect(ready).toMatchObject({ ready: true, checks: { store: { ok: true }, redis: { ok: true } } });
      expect(ready.checks.scheduler).toBeUndefined();
      expect((await json(await fetch(`${worker.url}/readyz`))).checks).toMatchObject({ scheduler: { ok: true }, redis: { ok: true } });

      const sse = await openSse(`${api.url}/api/v1/events`);
      const requestsBefore = metric.requests.length;
      const res = await post(`${api.url}/api/v1/runs`, { templates: [{ templateName: 'web-ok' }], name: 'split' });
      expect(res.status).toBe(201);
      await sse.waitFor((e) => e.event === 'status' && e.data.key === 'default/split' && e.data.phase === 'Running', 8000);
      await sse.waitFor((e) => e.event === 'status' && e.data.key === 'default/split' && e.data.phase === 'Successful', 8000);
      // The API process runs no ticks; it derives Argo's events from the status transitions it sees.
      await sse.waitFor((e) => e.event === 'event' && e.data.reason === 'AnalysisRunSuccessful');
      sse.close();
      expect(metric.requests.length - requestsBefore).toBe(3);

      const workerApi = await fetch(`${worker.url}/api/v1/runs`);
      expect(workerApi.status).toBe(404);
      expect((await json(workerApi)).error.message).toContain('--role worker');
      expect(await (await fetch(`${worker.url}/metrics`)).text()).toMatch(/assay_measurement_duration_seconds_count\{provider="Web"\} 3/);
      expect(await (await fetch(`${api.url}/metrics`)).text()).toContain('analysis_run_info{namespace="default",name="split",phase="Successful"} 1');
    } finally {
      await api.close();
      await worker.close();
    }
  });
});
