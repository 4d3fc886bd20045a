/**
 * `--every`: a replay per start, each with its own verdict; and a rangeQuery template, whose
 * window `now() - 10m .. now()` must be evaluated against each replayed instant. Real
 * Prometheus, known history (history.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisRun } from '../../../src/api/types.js';
import { startPrometheus, type PrometheusInstance } from '../../support/prometheus.js';
import { at, backtest, iso, prometheusMetric, template, workspace, writeHistory, type Workspace } from './history.js';

let prom: PrometheusInstance;
let ws: Workspace;
const args = () => ['service=checkout', `prometheus-address=${prom.url}`];

beforeAll(async () => {
  [prom, ws] = await Promise.all([startPrometheus(), workspace()]);
  await writeHistory(prom);
});
afterAll(async () => {
  await prom?.stop();
  await ws?.remove();
});

interface Row {
  from: string;
  to: string;
  verdict: string;
  completedAt: string | null;
  completedAfter: string | null;
  message: string;
  measurements: { time: string; value?: string; phase: string }[];
  analysisRun: AnalysisRun;
}

describe('when a replay starts every 35m', () => {
  // Starts at A+5m, A+40m, A+75m (--to A+75m is included), each stopped 1h later or at the present:
  //  A+5m:  A+5m..A+30m all 0.01 -> 6 Successful; count 6 reached at +25m      -> Successful at A+30m
  //  A+40m: A+40m 0.2 Failed (1), A+45m 0.2 Failed (2 > failureLimit 1)          -> Failed at A+45m
  //  A+75m: in the outage (no sample since A+69m, 5m lookback): empty vector, so result[0] cannot
  //         be evaluated -> Error, retried every 10 s (not 5m); the 5th consecutive error exceeds
  //         consecutiveErrorLimit 4 at +40s                                    -> Error at A+75m40s
  // The exit status is the worst verdict, Failed (1).
  it('gives one verdict per start, and exits with the worst', async () => {
    const file = await ws.file('error-ratio.yaml', template('error-ratio', [prometheusMetric()]));
    const flags = { file: [file], arg: args(), from: iso(at(5)), to: iso(at(75)), every: '35m', for: '1h' };
    const json = await backtest({ ...flags, output: 'json' });
    expect(json.code).toBe(1);
    const out = JSON.parse(json.out) as { from: string; to: string; every: string; verdict: string; replays: Row[] };
    expect(out).toMatchObject({ from: iso(at(5)), to: iso(at(75)), every: '35m0s', verdict: 'Failed' });
    expect(out.replays.map((r) => [r.from, r.verdict, r.completedAt, r.completedAfter, r.measurements.length])).toEqual([
      [iso(at(5)), 'Successful', iso(at(30)), '25m0s', 6],
      [iso(at(40)), 'Failed', iso(at(45)), '5m0s', 2],
      [iso(at(75)), 'Error', iso(at(75) + 40_000), '40s', 5],
    ]);
    // Each clock stops --for (1h) after its start, but never past the present (A+120m and a few seconds).
    expect(out.replays.slice(0, 2).map((r) => r.to)).toEqual([iso(at(65)), iso(at(100))]);
    const lastStop = Date.parse(out.replays[2]!.to);
    expect(lastStop).toBeGreaterThanOrEqual(at(120));
    expect(lastStop).toBeLessThan(at(135));
    const [ok, failed, error] = out.replays as [Row, Row, Row];
    expect(ok.measurements.map((m) => m.value)).toEqual(Array(6).fill('[0.01]'));
    expect(failed.measurements.map((m) => m.value)).toEqual(['[0.2]', '[0.2]']);
    expect(error.measurements.map((m) => m.time)).toEqual([0, 10, 20, 30, 40].map((s) => iso(at(75) + s * 1000)));
    expect(error.message).toBe(
      'Metric "error-ratio" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4): "Error Message: ' +
        'could not evaluate successCondition "result[0] < 0.05": metric result is nil or empty: no data returned from the metric provider"',
    );
    const errored = error.analysisRun.status!.metricResults![0]!;
    expect(errored).toMatchObject({ phase: 'Error', error: 5, consecutiveError: 5 });
    expect(errored.count ?? 0).toBe(0); // Error measurements do not count (omitted when 0, as Go's omitempty)

    const text = await backtest(flags);
    expect(text.code).toBe(1);
    const lines = text.out.split('\n');
    expect(lines[0]).toMatch(/^START\s+VERDICT\s+COMPLETED AT\s+AFTER\s+MEASUREMENTS\s+MESSAGE$/);
    expect(lines[1]).toMatch(new RegExp(`^${iso(at(5))}\\s+Successful\\s+${iso(at(30))}\\s+\\+25m0s\\s+6$`));
    expect(lines[2]).toMatch(new RegExp(`^${iso(at(40))}\\s+Failed\\s+${iso(at(45))}\\s+\\+5m0s\\s+2\\s+Metric "error-ratio" assessed Failed`));
    expect(lines[3]).toMatch(new RegExp(`^${iso(at(75))}\\s+Error\\s+${iso(at(75) + 40_000)}\\s+\\+40s\\s+5\\s+Metric`));
    expect(lines.at(-1)).toBe('Worst verdict: Failed (3 replays: 1 Successful, 1 Failed, 1 Error)');
  });

  it('refuses --for without --every, and an --every giving too many replays', async () => {
    const file = await ws.file('error-ratio.yaml', template('error-ratio', [prometheusMetric()]));
    const base = { file: [file], arg: args(), from: iso(at(0)), to: iso(at(60)) };
    expect(await backtest({ ...base, for: '1h' })).toMatchObject({ code: 4, err: expect.stringContaining('--for only applies with --every') });
    expect(await backtest({ ...base, every: '1s' })).toMatchObject({ code: 4, err: expect.stringContaining('gives 3601 replays') });
  });
});

describe('when the template uses a rangeQuery', () => {
  // rangeQuery now()-10m .. now() step 1m: 11 samples per measurement; success needs all < 0.05.
  // From A+30m: A+30m (window A+20..A+30, all 0.01) and A+35m (A+25..A+35) pass; A+40m sees
  // A+30..A+37 healthy and A+38..A+40 incident -> Failed (1); A+45m -> Failed (2 > 1): the run is
  // Failed at A+45m, +15m.
  it('evaluates each window against the replayed now()', async () => {
    const metric = prometheusMetric({ rangeQuery: true, successCondition: 'all(result, {# < 0.05})' });
    const file = await ws.file('range.yaml', template('error-ratio-window', [metric]));
    const r = await backtest({ file: [file], arg: args(), from: iso(at(30)), to: iso(at(90)), output: 'json' });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.out) as Row;
    expect(out).toMatchObject({ verdict: 'Failed', completedAt: iso(at(45)), completedAfter: '15m0s' });
    const healthy = (n: number) => Array(n).fill(0.01);
    const incident = (n: number) => Array(n).fill(0.2);
    expect(out.measurements.map((m) => [m.time, m.value, m.phase])).toEqual([
      [iso(at(30)), JSON.stringify(healthy(11)), 'Successful'],
      [iso(at(35)), JSON.stringify(healthy(11)), 'Successful'],
      [iso(at(40)), JSON.stringify([...healthy(8), ...incident(3)]), 'Failed'],
      [iso(at(45)), JSON.stringify([...healthy(3), ...incident(8)]), 'Failed'],
    ]);
  });
});
