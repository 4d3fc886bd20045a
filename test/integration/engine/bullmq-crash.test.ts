/**
 * The live engine's durability on BullMQ, with real parts: real Redis, real `assay serve --role
 * worker` child processes sharing a file store (one host) or a Redis run store (hosts that share
 * nothing else; the store on its own Redis, so the queue's can be flushed), a real HTTP metric endpoint. A worker SIGKILLed in
 * the middle of a run, and a FLUSHALL of Redis mid-run, must both end with exactly the status of
 * an uninterrupted run: same verdict, counters and measurement list — nothing counted twice,
 * nothing lost.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisRun, AnalysisRunStatus } from '../../../src/api/types.js';
import { isCompleted } from '../../../src/api/phase.js';
import { BullMQScheduler } from '../../../src/scheduler/bullmq-scheduler.js';
import { FileRunStore } from '../../../src/store/file-store.js';
import { RedisRunStore } from '../../../src/store/redis-store.js';
import type { RunStore } from '../../../src/store/run-store.js';
import { buildOnce } from '../../support/build.js';
import { sendJson, startHttpServer, type TestHttpServer } from '../../support/http-server.js';
import { startRedis, type RedisHandle } from '../../support/redis.js';

const root = resolve(import.meta.dirname, '..', '..', '..');

for (const kind of ['files', 'redis'] as const) {
  describe(`BullMQ engine durability (${kind} run store)`, () => {
  let redis: RedisHandle;
  /** The Redis run store's own instance: flushing the queue's Redis must not touch the runs. */
  let storeRedis: RedisHandle | undefined;
  let metrics: TestHttpServer;
  let dir: string;
  let store: RunStore;
  let producer: BullMQScheduler;
  const queue = `crash-${randomUUID()}`;
  const workers: ChildProcess[] = [];
  const workerLogs: string[] = [];

  function startWorker(): ChildProcess {
    const storeArgs = kind === 'files' ? ['--store-dir', dir] : [];
    const child = spawn(process.execPath, [join(root, 'bin/assay.js'), 'serve', '--role', 'worker', ...storeArgs, '--port', '0', '--host', '127.0.0.1'], {
      env: {
        PATH: process.env.PATH,
        REDIS_URL: redis.url,
        ...(storeRedis ? { ASSAY_STORE_REDIS_URL: storeRedis.url } : {}),
        ASSAY_QUEUE: queue,
        ASSAY_LOG_LEVEL: 'warn',
        ASSAY_BULLMQ_LOCK_MS: '2000',
        ASSAY_BULLMQ_STALLED_MS: '500',
        ASSAY_RESYNC_MS: '1000',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const i = workerLogs.push('') - 1;
    child.stderr?.on('data', (d: Buffer) => (workerLogs[i] = (workerLogs[i] + d.toString()).slice(-3000)));
    workers.push(child);
    return child;
  }

  // Deterministic answers: the same run gives the same status however often it is interrupted.
  const run = (name: string): AnalysisRun => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: { name, namespace: 'crash' },
    spec: {
      metrics: [
        { name: 'rate', interval: '400ms', count: 8, successCondition: 'result > 0.9', provider: { web: { url: `${metrics.url}/rate`, jsonPath: '{$.v}' } } },
        {
          name: 'latency',
          interval: '400ms',
          count: 8,
          inconclusiveLimit: 8,
          successCondition: 'result < 100',
          failureCondition: 'result > 500',
          provider: { web: { url: `${metrics.url}/latency`, jsonPath: '{$.v}' } },
        },
      ],
    },
  });

  async function submit(name: string): Promise<string> {
    const created = await store.create(run(name));
    const key = `crash/${created.metadata.name}`;
    await producer.schedule(key, Date.now());
    return key;
  }

  async function waitFor(key: string, pred: (s: AnalysisRunStatus | undefined) => boolean, what: string, timeoutMs = 30_000): Promise<AnalysisRunStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = (await store.get(key))?.status;
      if (pred(s)) return s!;
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what}: ${JSON.stringify(s)}\nworker logs:\n${workerLogs.map((l, i) => `#${i}: ${l}`).join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The status without wall-clock times: what must match between interrupted and uninterrupted runs. */
  function essence(s: AnalysisRunStatus) {
    return {
      phase: s.phase,
      message: s.message,
      runSummary: s.runSummary,
      dryRunSummary: s.dryRunSummary,
      metricResults: (s.metricResults ?? [])
        .map(({ measurements, ...r }) => ({ ...r, measurements: (measurements ?? []).map((m) => ({ phase: m.phase, value: m.value, message: m.message })) }))
        .sort((a, b) => (a.name < b.name ? -1 : 1)),
    };
  }

  const measured = (s: AnalysisRunStatus | undefined) => (s?.metricResults ?? []).reduce((n, r) => n + (r.count ?? 0), 0);

  beforeAll(async () => {
    await buildOnce();
    redis = await startRedis();
    metrics = await startHttpServer((req, res) => sendJson(res, 200, { v: req.path.startsWith('/rate') ? 0.99 : 300 }));
    dir = mkdtempSync(join(tmpdir(), 'assay-crash-'));
    if (kind === 'files') store = await FileRunStore.open(dir);
    else {
      storeRedis = await startRedis();
      // The prefix `assay serve` derives from ASSAY_QUEUE, so this handle sees the workers' runs.
      store = new RedisRunStore(storeRedis.url, { prefix: `${queue}:store` });
    }
    producer = new BullMQScheduler({ connection: redis.url, queueName: queue });
  }, 120_000);

  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    await producer?.close();
    await store?.close?.();
    await metrics?.close();
    await redis?.stop();
    await storeRedis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });


    it('a worker SIGKILLed mid-run: another finishes it with the status of an uninterrupted run', async () => {
      const first = startWorker();
      const interrupted = await submit('interrupted');
      await waitFor(interrupted, (s) => measured(s) >= 5, 'a few measurements');
      first.kill('SIGKILL');
      const killedAt = await waitFor(interrupted, () => true, 'status');
      const second = startWorker();
      const finished = await waitFor(interrupted, (s) => isCompleted(s?.phase), 'the run to finish');
      expect(measured(killedAt)).toBeLessThan(16); // it really was killed mid-run

      const reference = await submit('uninterrupted');
      const expected = await waitFor(reference, (s) => isCompleted(s?.phase), 'the reference run');
      expect(essence(finished)).toEqual(essence(expected));
      expect(expected).toMatchObject({ phase: 'Successful', runSummary: { count: 2, successful: 2 } });
      expect(expected.metricResults?.find((r) => r.name === 'latency')).toMatchObject({ count: 8, inconclusive: 8 });
      second.kill('SIGTERM');
    }, 90_000);

    it('FLUSHALL on Redis mid-run: the workers resync from the store and finish the run identically', async () => {
      startWorker();
      const key = await submit('flushed');
      await waitFor(key, (s) => measured(s) >= 5, 'a few measurements');
      await redis.flushall();
      const finished = await waitFor(key, (s) => isCompleted(s?.phase), 'the run to finish after the flush');
      const reference = await submit('reference-2');
      const expected = await waitFor(reference, (s) => isCompleted(s?.phase), 'the reference run');
      expect(essence(finished)).toEqual(essence(expected));
    }, 90_000);
  });
}
