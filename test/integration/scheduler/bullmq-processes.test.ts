/**
 * BullMQScheduler across real processes: worker processes are `node` children running the real
 * adapter source (fixtures/tick-worker.mjs loads the TypeScript through fixtures/ts-hooks.mjs), so
 * what is killed with SIGKILL, or shares the queue, is the production code path, not a mimic.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BullMQScheduler } from '../../../src/scheduler/bullmq-scheduler.js';
import { Recorder, sleep, waitFor } from '../../contract/scheduler-helpers.js';
import { startRedis, type RedisHandle } from '../../support/redis.js';

const PREFIX = 'assaytest';
const LOCK_MS = 2000;
const STALLED_MS = 500;
const WORKER = fileURLToPath(new URL('./fixtures/tick-worker.mjs', import.meta.url));

interface WorkerEvent {
  ev: string;
  t: number;
  worker: string;
  key?: string;
  message?: string;
}

class WorkerProcess {
  readonly events: WorkerEvent[] = [];
  private stderr = '';
  readonly exited: Promise<number | string | null>;

  constructor(readonly child: ChildProcess) {
    let buf = '';
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.startsWith('{')) this.events.push(JSON.parse(line) as WorkerEvent);
      }
    });
    child.stderr?.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    this.exited = new Promise((r) => child.once('exit', (code, signal) => r(code ?? signal)));
  }

  starts(): WorkerEvent[] {
    return this.events.filter((e) => e.ev === 'start');
  }

  async ready(): Promise<void> {
    await waitFor(() => this.events.some((e) => e.ev === 'ready') || this.child.exitCode !== null, 15_000, 'worker ready');
    if (this.child.exitCode !== null) throw new Error(`worker exited ${this.child.exitCode}: ${this.stderr}`);
  }
}

let redis: RedisHandle;
let raw: Redis;
const children: WorkerProcess[] = [];
const schedulers: BullMQScheduler[] = [];
const queues = new Set<string>();

function spawnWorker(cfg: Record<string, unknown>): WorkerProcess {
  const child = spawn(process.execPath, [WORKER, JSON.stringify({ url: redis.url, prefix: PREFIX,
    lockDurationMs: LOCK_MS, stalledIntervalMs: STALLED_MS, ...cfg })], { stdio: ['ignore', 'pipe', 'pipe'] });
  const w = new WorkerProcess(child);
  children.push(w);
  return w;
}

function scheduler(queueName: string): BullMQScheduler {
  queues.add(queueName);
  const s = new BullMQScheduler({ connection: redis.url, queueName, prefix: PREFIX, lockDurationMs: LOCK_MS,
    stalledIntervalMs: STALLED_MS });
  schedulers.push(s);
  return s;
}

beforeAll(async () => {
  redis = await startRedis();
  raw = new Redis(redis.url);
});

afterEach(async () => {
  for (const w of children.splice(0)) {
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await w.exited;
  }
  await Promise.all(schedulers.splice(0).map((s) => s.close()));
  await redis.flushall();
});

afterAll(async () => {
  await raw?.quit();
  await redis?.stop();
});

describe('BullMQScheduler with worker processes', () => {
  describe('when the worker running a tick is killed with SIGKILL', () => {
    it('another worker re-runs the tick within lockDuration + stalledInterval, even after two crashes', async () => {
      const q = randomUUID();
      const a = spawnWorker({ queueName: q, workerId: 'a', mode: 'hang' });
      const b = spawnWorker({ queueName: q, workerId: 'b', mode: 'hang' });
      await Promise.all([a.ready(), b.ready()]);
      const producer = scheduler(q);
      await producer.schedule('ns/crashy', Date.now());

      // First crash: whichever child took the tick dies mid-tick.
      await waitFor(() => a.starts().length + b.starts().length === 1, 5000, 'first start');
      const [first, second] = a.starts().length === 1 ? [a, b] : [b, a];
      first.child.kill('SIGKILL');
      const kill1 = Date.now();
      await first.exited;

      // The other child gets the stalled job, and dies too.
      await waitFor(() => second.starts().length === 1, 6000, 'start after first crash');
      const rerun1 = second.starts()[0]!.t - kill1;
      second.child.kill('SIGKILL');
      const kill2 = Date.now();
      await second.exited;

      // A third worker (this process) completes it: the job was not failed by the two stalls.
      const rec = new Recorder();
      await producer.start(rec.handler());
      await waitFor(() => rec.ends.length === 1, 6000, 'start after second crash');
      const rerun2 = rec.starts[0]!.at - kill2;
      console.info(`[BullMQScheduler] SIGKILL -> re-run: ${rerun1} ms, then ${rerun2} ms (lock ${LOCK_MS} ms, stalled check ${STALLED_MS} ms)`);
      // Worst case: the lock was just renewed (it lives LOCK_MS), then one stalled check marks the
      // job and the next one (STALLED_MS later) moves it back to wait: ~3 s, plus scheduling noise.
      // Not before the lock could have expired (a lower bound holds on a loaded machine too); the
      // upper bound is the generous waitFor above, not a clock assertion.
      for (const d of [rerun1, rerun2]) expect(d).toBeGreaterThan(LOCK_MS / 2 - 100);
      expect(rec.starts.map((x) => x.key)).toEqual(['ns/crashy']);
      await waitFor(async () => (await producer.pending()).size === 0, 2000, 'nothing pending');
      await sleep(300);
      expect(rec.starts.length).toBe(1);
    });
  });

  describe('when two worker processes share a queue', () => {
    it('both take ticks and no run is ever active in two places at once', async () => {
      const q = randomUUID();
      const ns = `assaytest-share:${q}`;
      const ticksPerRun = 10;
      const cfg = { queueName: q, mode: 'share', ns, ticksPerRun, concurrency: 4 };
      const a = spawnWorker({ ...cfg, workerId: 'a' });
      const b = spawnWorker({ ...cfg, workerId: 'b' });
      await Promise.all([a.ready(), b.ready()]);
      const producer = scheduler(q);
      const keys = Array.from({ length: 40 }, (_, i) => `ns/shared-${i}`);
      await Promise.all(keys.map((k) => producer.schedule(k, Date.now())));

      // Meanwhile a third process-side client keeps asking for ticks of random runs "now", so
      // requests land on runs that are active in the other processes (follow-ups) or pending.
      const until = Date.now() + 1500;
      while (Date.now() < until) {
        const pick = Array.from({ length: 8 }, () => keys[Math.floor(Math.random() * keys.length)]!);
        await Promise.all(pick.map((k) => producer.schedule(k, Date.now())));
        await sleep(15);
      }
      await waitFor(async () => {
        const counts = await raw.hgetall(`${ns}:count`);
        return keys.every((k) => Number(counts[k] ?? 0) >= ticksPerRun) && (await producer.pending()).size === 0
          && (await raw.llen(`${PREFIX}:${q}:active`)) === 0;
      }, 20_000, 'all runs done');

      const byWorker = await raw.hgetall(`${ns}:by-worker`);
      const total = Number(byWorker.a ?? 0) + Number(byWorker.b ?? 0);
      console.info(`[BullMQScheduler] two processes: ${total} ticks, a=${byWorker.a} b=${byWorker.b}`);
      expect(await raw.get(`${ns}:violations`)).toBeNull();
      expect(total).toBeGreaterThanOrEqual(keys.length * ticksPerRun);
      expect(Number(byWorker.a)).toBeGreaterThan(total / 10);
      expect(Number(byWorker.b)).toBeGreaterThan(total / 10);
      expect([...a.events, ...b.events].filter((e) => e.ev === 'error')).toEqual([]);

      // SIGTERM -> close(): both drain and exit cleanly.
      a.child.kill('SIGTERM');
      b.child.kill('SIGTERM');
      expect(await a.exited).toBe(0);
      expect(await b.exited).toBe(0);
    });
  });
});
