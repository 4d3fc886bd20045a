/**
 * A known two-hour history written into a real Prometheus, and helpers to backtest templates
 * against it (in-process, through the same command function the CLI calls).
 *
 * Timeline, one sample per minute at A + k minutes (A = two hours before the last whole minute):
 *   k in [0, 38)    0.01   healthy
 *   k in [38, 70)   0.2    incident: the error ratio degrades at minute 38
 *   k in [70, 80)   —      no samples (a scrape outage: queries find nothing from ~A+75m)
 *   k in [80, 120]  0.03   recovered; this is also the LATEST value, which a replay must not see
 * Measurement instants below are whole minutes that never fall on a phase boundary, so the
 * assertions do not depend on Prometheus' lookback-window edges.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backtestCommand, type BacktestOptions } from '../../../src/cli/backtest-command.js';
import type { PrometheusInstance } from '../../support/prometheus.js';
import type { Series } from '../../support/remote-write.js';

export const MINUTE = 60_000;
/** The last whole minute before the suite started: the newest sample. */
export const NOW = Math.floor(Date.now() / MINUTE) * MINUTE;
/** Minute 0 of the history. */
export const A = NOW - 120 * MINUTE;
export const at = (minutes: number): number => A + minutes * MINUTE;
export const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

export const HEALTHY = 0.01;
export const INCIDENT = 0.2;
export const LATEST = 0.03;

export function errorRatioAt(k: number): number | undefined {
  if (k < 38) return HEALTHY;
  if (k < 70) return INCIDENT;
  if (k < 80) return undefined;
  return LATEST;
}

export async function writeHistory(prom: PrometheusInstance): Promise<void> {
  const samples = [];
  for (let k = 0; k <= 120; k++) {
    const value = errorRatioAt(k);
    if (value !== undefined) samples.push({ timestamp: at(k), value });
  }
  const series: Series = { labels: { __name__: 'service:http_error_ratio:rate5m', service: 'checkout' }, samples };
  await prom.remoteWrite([series]);
}

/**
 * Raw request counters for the same timeline, as the example template
 * (examples/backtest/error-ratio.yaml) reads them: per minute, 100 requests of which 1 (healthy),
 * 20 (incident) or 3 (recovered) are 5xx; no samples during the outage.
 */
export async function writeRequestCounters(prom: PrometheusInstance): Promise<void> {
  const ok: Series = { labels: { __name__: 'http_requests_total', service: 'checkout', code: '200' }, samples: [] };
  const failed: Series = { labels: { __name__: 'http_requests_total', service: 'checkout', code: '500' }, samples: [] };
  let errors = 0;
  let total = 0;
  for (let k = 0; k <= 120; k++) {
    const ratio = errorRatioAt(k);
    if (ratio === undefined) continue;
    errors += Math.round(ratio * 100);
    total += 100;
    ok.samples.push({ timestamp: at(k), value: total - errors });
    failed.samples.push({ timestamp: at(k), value: errors });
  }
  await prom.remoteWrite([ok, failed]);
}

export interface MetricOptions {
  name?: string;
  successCondition?: string;
  provider?: string;
}

/** A template in the spirit of examples/backtest/error-ratio.yaml, reading the series above. */
export function template(name: string, metrics: string[]): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: ${name}
spec:
  args:
    - name: service
    - name: prometheus-address
  metrics:
${metrics.join('')}`;
}

export function prometheusMetric(o: MetricOptions & { rangeQuery?: boolean } = {}): string {
  const range = o.rangeQuery ? `\n          rangeQuery: {start: 'now() - duration("10m")', end: 'now()', step: 1m}` : '';
  return `    - name: ${o.name ?? 'error-ratio'}
      interval: 5m
      count: 6
      failureLimit: 1
      successCondition: '${o.successCondition ?? 'result[0] < 0.05'}'
      provider:
        prometheus:
          address: '{{args.prometheus-address}}'
          query: 'service:http_error_ratio:rate5m{service="{{args.service}}"}'${range}
`;
}

export function webMetric(name: string): string {
  return `    - name: ${name}
      interval: 1m
      successCondition: result == "ok"
      provider:
        web:
          url: http://status.example.com/health
`;
}

export interface Workspace {
  file(name: string, text: string): Promise<string>;
  remove(): Promise<void>;
}

export async function workspace(): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), 'assay-backtest-'));
  return {
    async file(name, text) {
      const path = join(dir, name);
      await writeFile(path, text);
      return path;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface Captured {
  code: number;
  out: string;
  err: string;
}

/** Run the backtest command in-process with captured output and a non-terminal stderr. */
export async function backtest(opts: Omit<BacktestOptions, 'file'> & { file: string[] }): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await backtestCommand(
    { namespace: 'default', output: 'text', ...opts },
    { logLevel: 'silent', queueName: 'unused' },
    {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      progress: { isTTY: false, write: (t) => err.push(t.trimEnd()) },
      wall: () => Date.now(),
    },
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}
