/**
 * A bare timer loop in its own process: how late a 1 ms timer fires on this machine while a
 * trial runs beside it. The baseline for scheduling lateness (what the OS and Node's timers alone
 * cost, with nothing scheduled), and a record of how noisy the shared machine was.
 */
import { workerMain } from '../support/child.js';
import { LatencyHistogram } from '../support/stats.js';

workerMain<{ durationMs: number; delayMs?: number }, { p50: number; p99: number; max: number }>(async (input) => {
  await new Promise((r) => setTimeout(r, input.delayMs ?? 0));
  const hist = new LatencyHistogram();
  const end = performance.now() + input.durationMs;
  await new Promise<void>((resolve) => {
    let due = performance.now() + 1;
    const tick = (): void => {
      const now = performance.now();
      hist.add(now - due);
      if (now >= end) return resolve();
      due = now + 1;
      setTimeout(tick, 1);
    };
    setTimeout(tick, 1);
  });
  return { p50: hist.percentile(50), p99: hist.percentile(99), max: Number(hist.max.toFixed(1)) };
});
