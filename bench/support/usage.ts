/**
 * What a measurement window cost the process that ran it: CPU time, time spent in garbage
 * collection (V8's `gc` performance entries, i.e. pauses on the main thread) and the resident set
 * at the end. Reported next to every ratio so that a rate is never read without its price.
 */
import { PerformanceObserver } from 'node:perf_hooks';

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
  stop(): Usage;
}

/** Start measuring now; `stop()` ends the window. */
export function startUsage(): UsageMeter {
  let gcMs = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration;
  });
  obs.observe({ entryTypes: ['gc'] });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  return {
    stop() {
      const elapsedMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      // Entries are delivered asynchronously; take what is buffered, then stop observing.
      for (const e of obs.takeRecords()) gcMs += e.duration;
      obs.disconnect();
      const cpuMs = (cpu.user + cpu.system) / 1000;
      return { elapsedMs, cpuMs, gcMs, gcShare: cpuMs > 0 ? gcMs / cpuMs : 0, rssBytes: process.memoryUsage().rss };
    },
  };
}
