/**
 * `assay backtest` of assay/compare templates against a real Prometheus holding two hours of a
 * baseline's and a canary's p95 latency: a canary that degrades at minute 40 is judged Failed,
 * a canary whose series is identical to the baseline's is not. Each query is evaluated at its
 * historical instant, so the verdict depends on when the degradation is in the window.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type PrometheusInstance } from '../../support/prometheus.js';
import type { Series } from '../../support/remote-write.js';
import { at, iso, workspace, type Workspace } from '../backtest/history.js';
import { ensureBuilt, runCli } from '../run-cli/cli.js';

let prom: PrometheusInstance;
let ws: Workspace;

/** Deterministic jitter in [-0.004, 0.004] so that values are rarely tied. */
const jitter = (k: number, salt: number): number => (((k * 7919 + salt * 104729) % 97) / 97 - 0.5) * 0.008;
const DEGRADES_AT = 40;

function series(version: string, value: (k: number) => number): Series {
  const samples = [];
  for (let k = 0; k <= 120; k++) samples.push({ timestamp: at(k), value: value(k) });
  return { labels: { __name__: 'http_latency_p95_seconds', service: 'checkout', version }, samples };
}

beforeAll(async () => {
  [prom, ws] = await Promise.all([startPrometheus(), workspace(), ensureBuilt()]);
  const baseline = (k: number) => 0.1 + jitter(k, 1);
  await prom.remoteWrite([
    series('baseline', baseline),
    series('degraded', (k) => 0.1 + jitter(k, 2) + (k >= DEGRADES_AT ? 0.03 : 0)),
    series('same', baseline),
  ]);
}, 60_000);
afterAll(async () => {
  await prom?.stop();
  await ws?.remove();
});

function template(method: 'mann-whitney' | 'sequential'): string {
  const source = (version: string) => `
              prometheus:
                address: '{{args.prometheus-address}}'
                query: 'http_latency_p95_seconds{service="checkout",version="${version}"}'
                rangeQuery: {start: 'now() - duration("10m")', end: 'now()', step: 1m}`;
  // The sequential test looks at every point since the start: give it the whole replay.
  const limits = method === 'sequential' ? '\n      inconclusiveLimit: 16\n      consecutiveSuccessLimit: 1' : '';
  return `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: latency-${method}}
spec:
  args: [{name: prometheus-address}, {name: canary}]
  metrics:
    - name: latency-vs-baseline
      interval: 5m
      count: ${method === 'sequential' ? 16 : 8}${limits}
      successCondition: result.decision == "pass"
      failureCondition: result.decision == "fail"
      provider:
        plugin:
          assay/compare:
            method: ${method}
            ${method === 'sequential' ? 'window: run' : 'alpha: 0.01'}
            baseline:${source('baseline')}
            canary:${source('{{args.canary}}')}
`;
}

async function backtest(method: 'mann-whitney' | 'sequential', canary: string) {
  const file = await ws.file(`${method}.yaml`, template(method));
  return runCli(['backtest', '-f', file, '-a', `prometheus-address=${prom.url}`, '-a', `canary=${canary}`, '--from', iso(at(20)), '--to', iso(at(110)), '--output', 'json']);
}

describe('assay backtest with assay/compare on a real Prometheus', () => {
  it('Mann-Whitney: a canary that degrades at minute 40 is Failed once the window holds the degradation', async () => {
    const r = await backtest('mann-whitney', 'degraded');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.verdict).toBe('Failed');
    // Started at minute 20: the first looks (20..35) see a healthy canary; failure comes after 40.
    const minutes = Number(/^(\d+)m/.exec(out.completedAfter)?.[1]);
    expect(minutes + 20).toBeGreaterThanOrEqual(DEGRADES_AT);
  }, 120_000);

  it('Mann-Whitney: a canary identical to the baseline is not Failed', async () => {
    const r = await backtest('mann-whitney', 'same');
    expect(JSON.parse(r.stdout).verdict).toBe('Successful');
    expect(r.code).toBe(0);
  }, 120_000);

  it('sequential (window: run): the degraded canary is Failed', async () => {
    const degraded = await backtest('sequential', 'degraded');
    expect(JSON.parse(degraded.stdout).verdict).toBe('Failed');
    expect(degraded.code).toBe(1);
  }, 120_000);

  it('sequential (window: run): a canary identical to the baseline is not Failed', async () => {
    const same = await backtest('sequential', 'same');
    expect(JSON.parse(same.stdout).verdict).not.toBe('Failed');
    expect(same.code).not.toBe(1);
  }, 120_000);
});
