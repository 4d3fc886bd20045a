/**
 * One assay worker process on BullMQ: the engine with the BullMQ scheduler, the Redis run store
 * `assay serve` uses with REDIS_URL (src/store/redis-store.ts, shared with the other workers) and
 * the instant provider. The parent seeds the
 * runs and asks for measurement windows; every worker reports what it measured in the window and
 * how late its ticks started (from the status: see probes.ts).
 */
import { assemble } from '../../src/composition/engine.js';
import { liveProviders } from '../../src/composition/provider-registry.js';
import { BullMQScheduler } from '../../src/scheduler/bullmq-scheduler.js';
import { serviceMain } from '../support/child.js';
import { instantProvider } from '../support/fixtures.js';
import { LatenessProbe, Window } from '../support/probes.js';
import { RedisRunStore } from '../../src/store/redis-store.js';
import { startUsage } from '../support/usage.js';

interface Input {
  redisUrl: string;
  storeUrl: string;
  queueName: string;
  concurrency: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

serviceMain(
  async (input: Input) => {
    const window = new Window();
    const store = new LatenessProbe(new RedisRunStore(input.storeUrl), window, 1000);
    let measurements = 0;
    const assembly = await assemble({
      config: { logLevel: 'silent', queueName: input.queueName },
      store,
      scheduler: new BullMQScheduler({ connection: input.redisUrl, queueName: input.queueName }),
      providers: [...liveProviders(), instantProvider({ onMeasure: () => void (window.contains(Date.now()) && measurements++) })],
    });
    await assembly.engine.start(input.concurrency);
    return { window, store, assembly, count: () => measurements, reset: () => (measurements = 0) };
  },
  {
    /** Measure between two absolute instants; reply after the second. */
    async window(s, args: { start: number; end: number }) {
      s.reset();
      s.store.hist.counts.fill(0);
      s.store.hist.count = 0;
      s.store.hist.max = 0;
      s.store.hist.sum = 0;
      s.store.early = 0;
      s.store.noDue = 0;
      s.window.start = args.start;
      s.window.end = args.end;
      await sleep(args.start - Date.now());
      const meter = startUsage();
      await sleep(args.end - Date.now() + 20);
      const usage = await meter.stop();
      return { measurements: s.count(), early: s.store.early, noDue: s.store.noDue, lateness: s.store.hist.toJSON(), cpu: usage.cpuMs / usage.elapsedMs, usage };
    },
  },
  async (s) => {
    await s.assembly.close();
    await s.store.close();
  },
);
