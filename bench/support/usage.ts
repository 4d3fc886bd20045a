/**
 * What a measurement window cost the process that ran it: CPU time, time spent in garbage
 * collection (V8's `gc` performance entries, i.e. pauses on the main thread) and the resident set
 * at the end. Reported next to every ratio so that a rate is never read without its price.
 */
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

export interface Usage {
  elapsedMs: number;
  /** User + system CPU of this process in the window, ms. */
  cpuMs: number;
  /** Main-thread GC pause time in the window, ms. */
  gcMs: number;
  /** gcMs / cpuMs: the share of busy CPU spent collecting. */
  gcShare: number;
  /** Resident set size at the end of the window, bytes. */
  rssBytes: number;
}

export interface UsageMeter {
  stop(): Promise<Usage>;
}

/** Start measuring now; `stop()` ends the window. */
export function startUsage(): UsageMeter {
  const entries: PerformanceEntry[] = [];
  const obs = new PerformanceObserver((list) => void entries.push(...list.getEntries()));
  obs.observe({ entryTypes: ['gc'] });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  return {
    async stop() {
      const t1 = performance.now();
      const cpu = process.cpuUsage(cpu0);
      const rssBytes = process.memoryUsage().rss;
      // Node queues gc entries from a native callback that runs when the event loop turns; a loop
      // that only awaits resolved promises (the bare loop) never turns it during the window. Let it
      // turn, then count the pauses that started inside the window.
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      entries.push(...obs.takeRecords());
      obs.disconnect();
      let gcMs = 0;
      for (const e of entries) if (e.startTime >= t0 && e.startTime < t1) gcMs += e.duration;
      const cpuMs = (cpu.user + cpu.system) / 1000;
      return { elapsedMs: t1 - t0, cpuMs, gcMs, gcShare: cpuMs > 0 ? gcMs / cpuMs : 0, rssBytes };
    },
  };
}
