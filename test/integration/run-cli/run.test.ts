/**
 * `node bin/assay.js run` as a child process against a real Prometheus fed known, current
 * samples: the verdict and exit status must be the ones the template's conditions imply, the
 * JSON output must be the final AnalysisRun (with the --arg substituted into the query), and
 * Ctrl-C must terminate the run the way spec.terminate does, with exit status 5 (not a pass).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisRun } from '../../../src/api/types.js';
import { startPrometheus, type PrometheusInstance } from '../../support/prometheus.js';
import type { Series } from '../../support/remote-write.js';
import { workspace, type Workspace } from '../backtest/history.js';
import { ensureBuilt, runCli, startCli, waitFor } from './cli.js';

let prom: PrometheusInstance;
let ws: Workspace;
let counted: string;
let indefinite: string;

/** checkout is healthy (1% errors), payments is not (20%). */
const RATIOS: Record<string, number> = { checkout: 0.01, payments: 0.2 };

/**
 * Samples every 10 s over the last 4 minutes: an instant query at "now" finds the newest one for
 * the next minute or more (Prometheus looks back 5 minutes), longer than this suite runs.
 */
function currentSeries(): Series[] {
  const now = Date.now();
  return Object.entries(RATIOS).map(([service, value]) => ({
    labels: { __name__: 'service:http_error_ratio:rate5m', service },
    samples: Array.from({ length: 25 }, (_, i) => ({ timestamp: now - (24 - i) * 10_000, value })),
  }));
}

/** No address in the template: the run gets it from --prometheus. */
function template(name: string, countLine: string): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: ${name}
spec:
  args:
    - name: service
  metrics:
    - name: error-ratio
      interval: 1s
${countLine}      failureLimit: 1
      successCondition: result[0] < 0.05
      provider:
        prometheus:
          query: 'service:http_error_ratio:rate5m{service="{{args.service}}"}'
`;
}

beforeAll(async () => {
  [prom, ws] = await Promise.all([startPrometheus(), workspace(), ensureBuilt()]);
  await prom.remoteWrite(currentSeries());
  counted = await ws.file('counted.yaml', template('error-ratio', '      count: 3\n'));
  indefinite = await ws.file('indefinite.yaml', template('error-ratio-watch', ''));
}, 60_000);
afterAll(async () => {
  await prom?.stop();
  await ws?.remove();
});

const run = (file: string, service: string, ...flags: string[]) =>
  runCli(['run', '-f', file, '-a', `service=${service}`, '--prometheus', prom.url, ...flags]);

/** Progress lines: `12:00:01  error-ratio  [0.01]  Successful`. */
const measurementLines = (text: string) => text.split('\n').filter((l) => /^\d\d:\d\d:\d\d\s+error-ratio\s/.test(l));

describe('when assay run measures a healthy service', () => {
  // count 3, interval 1s: three measurements of 0.01 (< 0.05) at 0, 1 s and 2 s -> Successful.
  it('ends Successful with exit 0 after three measurements', async () => {
    const r = await run(counted, 'checkout');
    expect(r.code).toBe(0);
    const lines = measurementLines(r.stdout);
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l).toMatch(/error-ratio\s+\[0\.01\]\s+Successful$/);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('Verdict: Successful');
  });

  it('prints the final AnalysisRun with --output json, the --arg visible in the resolved query', async () => {
    const r = await run(counted, 'checkout', '--output', 'json');
    expect(r.code).toBe(0);
    const ar = JSON.parse(r.stdout) as AnalysisRun;
    expect(ar).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', status: { phase: 'Successful', runSummary: { count: 1, successful: 1 } } });
    expect(ar.spec.args).toEqual([{ name: 'service', value: 'checkout' }]);
    const result = ar.status!.metricResults![0]!;
    expect(result.metadata).toEqual({ ResolvedPrometheusQuery: 'service:http_error_ratio:rate5m{service="checkout"}' });
    expect(result).toMatchObject({ phase: 'Successful', count: 3, successful: 3 });
    expect(result.measurements!.map((m) => m.value)).toEqual(['[0.01]', '[0.01]', '[0.01]']);
    // interval: 1s: each measurement is due a full second after the previous one finished.
    const finished = result.measurements!.map((m) => Date.parse(m.finishedAt!));
    for (let i = 1; i < finished.length; i++) expect(finished[i]! - finished[i - 1]!).toBeGreaterThanOrEqual(1000);
    // Progress goes to stderr so that stdout stays one JSON document.
    expect(measurementLines(r.stderr)).toHaveLength(3);
  });
});

describe('when assay run measures a failing service', () => {
  // 0.2 fails `result[0] < 0.05`; failureLimit 1 tolerates the first, the second fails the run at ~1 s.
  it('ends Failed with exit 1 and the failure limit in the message', async () => {
    const r = await run(counted, 'payments');
    expect(r.code).toBe(1);
    const lines = measurementLines(r.stdout);
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).toMatch(/error-ratio\s+\[0\.2\]\s+Failed$/);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(
      'Verdict: Failed — Metric "error-ratio" assessed Failed due to failed (2) > failureLimit (1)',
    );
  });
});

describe('when assay run is interrupted with Ctrl-C', () => {
  // No count: the metric would run forever (--timeout bounds it). SIGINT sets spec.terminate; a
  // terminating run with a Successful measurement is Successful "Run Terminated" — but the exit
  // status is 5: an interrupted analysis is not a pass.
  it('terminates the run: status Successful, "Run Terminated", exit 5', async () => {
    const cli = startCli(['run', '-f', indefinite, '-a', 'service=checkout', '--prometheus', prom.url, '--timeout', '10m']);
    try {
      // Generous: a loaded CI machine may take many seconds to start a Node process.
      await waitFor(() => measurementLines(cli.stdout()).length >= 1, 90_000, 'the first measurement');
      cli.child.kill('SIGINT');
      const r = await cli.exited;
      expect(r.code).toBe(5);
      expect(r.stderr).toContain('assay run: terminating the run');
      expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(
        'Verdict: none — stopped by SIGINT before the analysis reached its own verdict (run status: Successful — Run Terminated); exit 5',
      );
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    }
  }, 150_000);
});
