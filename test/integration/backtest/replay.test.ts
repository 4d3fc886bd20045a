/**
 * `assay backtest` replays against a real Prometheus holding a known history (see history.ts):
 * the verdict, the instant it is reached, the counters and the measured values must be the ones
 * Argo's rules imply for that history, measured at the historical instants, not the present.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisRun } from '../../../src/api/types.js';
import { startPrometheus, type PrometheusInstance } from '../../support/prometheus.js';
import { at, backtest, HEALTHY, INCIDENT, iso, LATEST, prometheusMetric, template, webMetric, workspace, writeHistory, type Workspace } from './history.js';

let prom: PrometheusInstance;
let ws: Workspace;
let errorRatio: string;
const args = () => ['service=checkout', `prometheus-address=${prom.url}`];

beforeAll(async () => {
  [prom, ws] = await Promise.all([startPrometheus(), workspace()]);
  await writeHistory(prom);
  errorRatio = await ws.file('error-ratio.yaml', template('error-ratio', [prometheusMetric()]));
});
afterAll(async () => {
  await prom?.stop();
  await ws?.remove();
});

interface ReplayJson {
  from: string;
  to: string;
  verdict: string;
  completedAt: string | null;
  completedAfter: string | null;
  message: string;
  measurements: { time: string; offset: string; metric: string; value?: string; phase: string }[];
  analysisRun: AnalysisRun;
}

describe('when a replay starts before the incident', () => {
  // Hand-computed (interval 5m, count 6, failureLimit 1; each measurement takes no virtual time,
  // the next is due at lastFinishedAt + 5m). From A+25m:
  //   +0   A+25m  0.01 Successful      +15m  A+40m  0.2  Failed (failed 1, not > failureLimit 1)
  //   +5m  A+30m  0.01 Successful      +20m  A+45m  0.2  Failed (failed 2 > 1) -> the run is Failed
  //   +10m A+35m  0.01 Successful
  // so completedAt = A+45m, 20m after the start; count 5 = 3 successful + 2 failed.
  it('reaches Failed at the instant Argo would, with the historical values', async () => {
    const r = await backtest({ file: [errorRatio], arg: args(), from: iso(at(25)), to: iso(at(60)), output: 'json' });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.out) as ReplayJson;
    expect(out).toMatchObject({ from: iso(at(25)), to: iso(at(60)), verdict: 'Failed', completedAt: iso(at(45)), completedAfter: '20m0s' });
    expect(out.message).toBe('Metric "error-ratio" assessed Failed due to failed (2) > failureLimit (1)');
    const status = out.analysisRun.status!;
    expect(status).toMatchObject({ phase: 'Failed', startedAt: iso(at(25)), completedAt: iso(at(45)), runSummary: { count: 1, failed: 1 } });
    const result = status.metricResults![0]!;
    expect(result).toMatchObject({ name: 'error-ratio', phase: 'Failed', count: 5, successful: 3, failed: 2 });
    expect(result).not.toHaveProperty('consecutiveError'); // zero counters are omitted, as Argo's omitempty does
    expect(result.measurements!.map((m) => [m.finishedAt, m.value, m.phase])).toEqual([
      [iso(at(25)), '[0.01]', 'Successful'],
      [iso(at(30)), '[0.01]', 'Successful'],
      [iso(at(35)), '[0.01]', 'Successful'],
      [iso(at(40)), '[0.2]', 'Failed'],
      [iso(at(45)), '[0.2]', 'Failed'],
    ]);
    // The report lists the same measurements as status.
    expect(out.measurements.map((m) => m.offset)).toEqual(['0s', '5m0s', '10m0s', '15m0s', '20m0s']);
    expect(out.measurements.map((m) => [m.time, m.value])).toEqual(result.measurements!.map((m) => [m.finishedAt, m.value]));
  });

  it('measured history, not the present: the latest sample holds a value no measurement saw', async () => {
    // Ask Prometheus directly what "now" looks like, so the test proves the difference.
    const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent('service:http_error_ratio:rate5m')}`);
    const latest = ((await res.json()) as { data: { result: { value: [number, string] }[] } }).data.result[0]!.value[1];
    expect(Number(latest)).toBe(LATEST);
    const r = await backtest({ file: [errorRatio], arg: args(), from: iso(at(0)), to: iso(at(60)), output: 'json' });
    const out = JSON.parse(r.out) as ReplayJson;
    // From A+0 the six measurements (A+0..A+25m) are all healthy: Successful once count 6 is reached at +25m.
    expect(out).toMatchObject({ verdict: 'Successful', completedAt: iso(at(25)), completedAfter: '25m0s' });
    expect(r.code).toBe(0);
    expect(out.measurements.map((m) => m.value)).toEqual(Array(6).fill(`[${HEALTHY}]`));
    expect(out.measurements.map((m) => m.value)).not.toContain(`[${LATEST}]`);
  });

  it('prints a table of measurements and the verdict line for people', async () => {
    const r = await backtest({ file: [errorRatio], arg: args(), from: iso(at(25)), to: iso(at(60)) });
    expect(r.code).toBe(1);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^TIME\s+OFFSET\s+METRIC\s+VALUE\s+PHASE\s+MESSAGE$/);
    expect(lines[1]).toMatch(new RegExp(`^${iso(at(25))}\\s+\\+0s\\s+error-ratio\\s+\\[0\\.01\\]\\s+Successful$`));
    expect(lines[5]).toMatch(new RegExp(`^${iso(at(45))}\\s+\\+20m0s\\s+error-ratio\\s+\\[${INCIDENT}\\]\\s+Failed$`));
    expect(lines.at(-1)).toBe(
      `Verdict: Failed at ${iso(at(45))} (+20m0s) — Metric "error-ratio" assessed Failed due to failed (2) > failureLimit (1)`,
    );
    expect(r.err).toBe(''); // no progress on a pipe without --progress
  });
});

describe('when the clock stops before the analysis completes', () => {
  it('reports no verdict (exit 3) and the instant the clock stopped', async () => {
    // Measurements at +0, +5m, +10m; the next is due at +15m, after --to (+12m).
    const r = await backtest({ file: [errorRatio], arg: args(), from: iso(at(0)), to: iso(at(12)), progress: true });
    expect(r.code).toBe(3);
    expect(r.out.split('\n').at(-1)).toBe(`Verdict: none — still Running when the clock stopped at ${iso(at(12))} (+12m0s)`);
    expect(r.err).toContain(`backtest: replay from ${iso(at(0))}: at +0s of +12m0s, 0 measurements`);
  });
});

describe('when a condition calls now()', () => {
  it('sees the replayed instant, not the wall clock', async () => {
    // Successful while now() < A+12m: measurements at A+0, A+5m, A+10m pass, A+15m and A+20m fail
    // -> Failed at +20m. Had now() read the wall clock (two hours later), the first two would fail.
    const file = await ws.file('clock.yaml', template('clock', [prometheusMetric({ successCondition: `now() < date("${iso(at(12))}")` })]));
    const r = await backtest({ file: [file], arg: args(), from: iso(at(0)), to: iso(at(60)), output: 'json' });
    const out = JSON.parse(r.out) as ReplayJson;
    expect(out.measurements.map((m) => m.phase)).toEqual(['Successful', 'Successful', 'Successful', 'Failed', 'Failed']);
    expect(out).toMatchObject({ verdict: 'Failed', completedAt: iso(at(20)) });
  });
});

describe('when a metric is not a Prometheus metric', () => {
  it('refuses with exit 4, naming the metric and its provider', async () => {
    const file = await ws.file('mixed.yaml', template('mixed', [prometheusMetric(), webMetric('status-page')]));
    const r = await backtest({ file: [file], arg: args(), from: iso(at(0)), to: iso(at(60)) });
    expect(r.code).toBe(4);
    expect(r.err).toBe(
      'assay backtest: metric "status-page" uses the web provider, which cannot be asked about the past; only metrics of cloudWatch, datadog, graphite, influxdb, prometheus, skywalking, wavefront (and assay/compare or assay/guard over them) can be replayed against history',
    );
    expect(r.out).toBe('');
  });

  it('refuses bad times with exit 4', async () => {
    const future = await backtest({ file: [errorRatio], arg: args(), from: '-1h', to: '+1h' });
    expect(future).toMatchObject({ code: 4, err: expect.stringContaining('--to "+1h": a backtest replays the past') });
    const reversed = await backtest({ file: [errorRatio], arg: args(), from: iso(at(60)), to: iso(at(0)) });
    expect(reversed).toMatchObject({ code: 4, err: expect.stringContaining('must be before --to') });
  });
});
