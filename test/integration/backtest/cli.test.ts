/**
 * `node bin/assay.js backtest` as a child process (after `npm run build`), replaying the shipped
 * example template (examples/backtest/error-ratio.yaml) against raw request counters in a real
 * Prometheus: what a user types, what they read, and the exit status a pipeline sees.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type PrometheusInstance } from '../../support/prometheus.js';
import { ensureBuilt, ROOT, runCli } from '../run-cli/cli.js';
import { at, iso, prometheusMetric, template, webMetric, workspace, writeRequestCounters, type Workspace } from './history.js';

const EXAMPLE = join(ROOT, 'examples/backtest/error-ratio.yaml');
let prom: PrometheusInstance;
let ws: Workspace;

beforeAll(async () => {
  [prom, ws] = await Promise.all([startPrometheus(), workspace(), ensureBuilt()]);
  await writeRequestCounters(prom);
}, 60_000);
afterAll(async () => {
  await prom?.stop();
  await ws?.remove();
});

const example = (...flags: string[]) =>
  runCli(['backtest', '-f', EXAMPLE, '-a', 'service=checkout', '-a', `prometheus-address=${prom.url}`, ...flags]);

/** The VALUE column of the measurement rows, as numbers ("[0.01]" -> 0.01). */
function values(stdout: string): number[] {
  return [...stdout.matchAll(/^\S+Z\s+\+\S+\s+error-ratio\s+\[([^\]]+)\]/gm)].map((m) => Number(m[1]));
}

describe('when the example template is replayed from the command line', () => {
  // 5xx share of sum(rate(...[5m])): 1% until minute 38, 20% after. From A+25m the measurements at
  // A+25m, A+30m, A+35m see only healthy minutes; A+40m's 5-minute window already holds three
  // incident minutes (Failed 1), A+45m only incident ones (Failed 2 > failureLimit 1): Failed, +20m.
  it('prints the measurements and "Verdict: Failed at ..." and exits 1', async () => {
    const r = await example('--from', iso(at(25)), '--to', iso(at(60)));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const v = values(r.stdout);
    expect(v).toHaveLength(5);
    for (const healthy of v.slice(0, 3)) expect(healthy).toBeCloseTo(0.01, 9);
    // The exact share depends on how many minutes of each kind the window holds (Prometheus 2 and 3
    // differ on the window's left edge); both are well above 5%.
    for (const bad of v.slice(3)) expect(bad).toBeGreaterThan(0.1);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(
      `Verdict: Failed at ${iso(at(45))} (+20m0s) — Metric "error-ratio" assessed Failed due to failed (2) > failureLimit (1)`,
    );
  });

  it('exits 0 for a quiet period, with relative times accepted', async () => {
    // From A+5m (rate() needs the 5 minutes of counters before it) to A+35m: six healthy
    // measurements, A+5m..A+30m, Successful once count 6 is reached at +25m.
    const minutesAgo = Math.round((Date.now() - at(0)) / 60_000);
    const r = await example('--from', iso(at(5)), '--to', iso(at(35)));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Verdict: Successful at ${iso(at(30))} (+25m0s)`);
    // Relative to the child's own clock: about A+5m to A+35m, healthy throughout whatever the seconds.
    const relative = await example('--from', `-${minutesAgo - 5}m`, '--to', `${minutesAgo - 35}m`, '--output', 'json');
    expect(relative.code).toBe(0);
    expect(JSON.parse(relative.stdout)).toMatchObject({ verdict: 'Successful', completedAfter: '25m0s' });
  });

  it('exits 4 and names the metric for a template with a web metric', async () => {
    const file = await ws.file('web.yaml', template('mixed', [prometheusMetric(), webMetric('status-page')]));
    const r = await runCli(['backtest', '-f', file, '-a', 'service=checkout', '-a', `prometheus-address=${prom.url}`, '--from', '-1h']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('metric "status-page" uses the web provider');
    expect(r.stdout).toBe('');
  });

  it('teaches with an example in --help', async () => {
    const r = await runCli(['backtest', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('assay backtest -f examples/backtest/error-ratio.yaml');
    expect(r.stdout).toContain('--every <duration>');
  });
});
