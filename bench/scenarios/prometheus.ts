/**
 * prometheus: a real Prometheus (own process, loopback, remote-written series) queried by assay's
 * Prometheus provider through the engine, against a bare prometheus-query loop on the same
 * server with the same concurrency (64, assay's default bound per address) and the same queries.
 * Then runs whose templates share queries, with and without coalescing of identical in-flight
 * requests: requested vs issued, and issued checked against Prometheus' own request counter.
 */
import { spawnSync } from 'node:child_process';
import { startPrometheus, type PrometheusInstance } from '../../test/support/prometheus.js';
import type { Series } from '../../test/support/remote-write.js';
import { runWorker } from '../support/child.js';
import { readProfileWhenWritten, summariseProfile } from '../support/profile.js';
import { figure, type Figure, type Scenario } from '../support/report.js';
import { join } from 'node:path';
import { median } from '../support/stats.js';

const CONCURRENCY = 64;
/** Ticks in flight in the engine: as many as may wait on the server (more only queue in assay). */
const ENGINE_CONCURRENCY = 64;
const SERIES = 200;
const SHARED_QUERIES = 10;

interface AssayResult {
  perSecond: number;
  requestedPerSecond: number;
  issuedPerSecond: number;
  totalRequested: number;
  totalIssued: number;
  errors: number;
  cpu: number;
  maxInFlightPerAddress: number;
  burst?: { requested: number; issued: number; distinct: number };
}

/** Prometheus' own count of answered instant queries. */
async function serverQueryCount(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let n = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('prometheus_http_requests_total{') && line.includes('handler="/api/v1/query"')) n += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return n;
}

export const prometheus: Scenario = async (opts) => {
  const probe = spawnSync('prometheus', ['--version'], { stdio: 'ignore' });
  if (probe.error !== undefined || probe.status !== 0) {
    return { status: 'skipped', reason: 'prometheus not installed (apt-get install prometheus)', setup: '', figures: [], notes: [] };
  }
  const q = opts.quick;
  const warmupMs = q ? 400 : 2000;
  const measureMs = q ? 1000 : 4000;
  let prom: PrometheusInstance | undefined;
  const bare: number[] = [];
  const driven: number[] = [];
  const shared = { off: [] as AssayResult[], on: [] as AssayResult[] };
  const notes: string[] = [];
  const profiles: { file: string; top: { frame: string; selfPercent: number }[] }[] = [];
  try {
    prom = await startPrometheus();
    const now = Date.now();
    const series: Series[] = [];
    for (let i = 0; i < SERIES; i++) {
      series.push({
        labels: { __name__: 'bench_success_ratio', service: `svc-${i}` },
        samples: Array.from({ length: 20 }, (_, k) => ({ value: 0.95 + (i % 5) / 100, timestamp: now - (20 - k) * 15_000 })),
      });
    }
    await prom.remoteWrite(series);
    const queries = series.map((s) => `bench_success_ratio{service="${s.labels.service}"}`);
    const url = prom.url;
    for (let t = 0; t < opts.trials; t++) {
      const b = await runWorker<{ perSecond: number; errors: number }>('prometheus', { mode: 'bare', url, queries, concurrency: CONCURRENCY, warmupMs, measureMs }, { timeoutMs: 120_000 });
      bare.push(b.perSecond);
      // Enough runs that the server, not the schedule, is the limit.
      const runs = Math.min(30_000, Math.ceil(b.perSecond * 1.5));
      const before = await serverQueryCount(url);
      const a = await runWorker<AssayResult>('prometheus', { mode: 'assay', url, queries, concurrency: CONCURRENCY, engineConcurrency: ENGINE_CONCURRENCY, runs, coalesceStepMs: 0, warmupMs, measureMs }, { timeoutMs: 120_000 });
      const served = (await serverQueryCount(url)) - before;
      driven.push(a.issuedPerSecond);
      opts.log(`  prometheus: bare loop ${Math.round(b.perSecond)} q/s; assay ${Math.round(a.issuedPerSecond)} q/s with ${runs} runs (${a.errors} errors; issued ${a.totalIssued}, server saw ${served})`);
      if (a.totalIssued !== served) notes.push(`trial ${t + 1}: assay issued ${a.totalIssued} queries, Prometheus counted ${served}`);

      const sharedRuns = q ? 1000 : 2000;
      for (const mode of ['off', 'on'] as const) {
        const before2 = await serverQueryCount(url);
        const r = await runWorker<AssayResult>(
          'prometheus',
          { mode: 'assay', url, queries: queries.slice(0, SHARED_QUERIES), concurrency: CONCURRENCY, engineConcurrency: ENGINE_CONCURRENCY, runs: sharedRuns, ...(mode === 'on' ? {} : { coalesceStepMs: 0 }), burst: true, warmupMs, measureMs },
          { timeoutMs: 120_000 },
        );
        const served2 = (await serverQueryCount(url)) - before2;
        shared[mode].push(r);
        opts.log(`  prometheus: ${sharedRuns} runs sharing ${SHARED_QUERIES} queries, coalescing ${mode}: requested ${Math.round(r.requestedPerSecond)}/s, issued ${Math.round(r.issuedPerSecond)}/s (issued ${r.totalIssued}, server saw ${served2})`);
        if (r.totalIssued !== served2) notes.push(`trial ${t + 1} coalescing ${mode}: assay issued ${r.totalIssued} queries, Prometheus counted ${served2}`);
        if (r.burst) opts.log(`  prometheus: burst of ${r.burst.requested} requests over ${r.burst.distinct} distinct queries at one instant, coalescing ${mode}: issued ${r.burst.issued}`);
      }
    }
    if (opts.profileDir) {
      // `node --cpu-prof` of an assay process driving distinct queries (start-up included).
      const name = 'prometheus-assay.cpuprofile';
      await runWorker<AssayResult>(
        'prometheus',
        { mode: 'assay', url, queries, concurrency: CONCURRENCY, engineConcurrency: ENGINE_CONCURRENCY, runs: Math.ceil(median(bare) * 1.5), coalesceStepMs: 0, warmupMs, measureMs },
        { timeoutMs: 120_000, execArgv: ['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`, `--cpu-prof-name=${name}`] },
      );
      const file = join(opts.profileDir, name);
      profiles.push({ file, top: summariseProfile(await readProfileWhenWritten(file), 20, process.cwd()) });
      const bname = 'prometheus-bare.cpuprofile';
      await runWorker('prometheus', { mode: 'bare', url, queries, concurrency: CONCURRENCY, warmupMs: 500, measureMs }, { timeoutMs: 120_000, execArgv: ['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`, `--cpu-prof-name=${bname}`] });
      const bfile = join(opts.profileDir, bname);
      profiles.push({ file: bfile, top: summariseProfile(await readProfileWhenWritten(bfile), 20, process.cwd()) });
    }
  } finally {
    await prom?.stop();
  }
  const bareRate = median(bare);
  const rate = median(driven);
  const reqOff = median(shared.off.map((r) => r.requestedPerSecond));
  const issOff = median(shared.off.map((r) => r.issuedPerSecond));
  const reqOn = median(shared.on.map((r) => r.requestedPerSecond));
  const issOn = median(shared.on.map((r) => r.issuedPerSecond));
  const burstOn = shared.on.at(-1)?.burst;
  const burstOff = shared.off.at(-1)?.burst;
  const figures: Figure[] = [
    figure({
      id: 'prometheus.queries_per_second',
      label: 'queries/s assay drives (distinct queries, saturated)',
      value: rate,
      unit: '/s',
      baseline: { name: 'bare prometheus-query loop', value: bareRate, unit: '/s' },
      target: 'ratio >= 0.90',
      met: rate / bareRate >= 0.9,
      trials: driven,
    }),
    figure({
      id: 'prometheus.shared.without_coalescing',
      label: `shared queries, coalescing off: issued/s (requested ${Math.round(reqOff)}/s)`,
      value: issOff,
      unit: '/s',
      baseline: { name: 'requested', value: reqOff, unit: '/s' },
      trials: shared.off.map((r) => r.issuedPerSecond),
    }),
    figure({
      id: 'prometheus.shared.with_coalescing',
      label: `shared queries, coalescing on (default step): issued/s (requested ${Math.round(reqOn)}/s)`,
      value: issOn,
      unit: '/s',
      baseline: { name: 'requested', value: reqOn, unit: '/s' },
      trials: shared.on.map((r) => r.issuedPerSecond),
    }),
    figure({
      id: 'prometheus.burst.issued_once',
      label: `burst: ${burstOn?.requested ?? 0} requests, ${burstOn?.distinct ?? 0} distinct, same instant, coalescing on: issued`,
      value: burstOn?.issued ?? Number.NaN,
      unit: 'requests',
      baseline: { name: 'coalescing off', value: burstOff?.issued ?? Number.NaN, unit: 'requests' },
      target: '= distinct requests',
      met: burstOn !== undefined && burstOn.issued === burstOn.distinct,
    }),
    figure({
      id: 'prometheus.shared.issued_matches_server',
      label: 'coalescing on: queries issued = queries Prometheus served',
      value: shared.on.reduce((s, r) => s + r.totalIssued, 0),
      unit: 'queries',
      baseline: { name: 'requested', value: shared.on.reduce((s, r) => s + r.totalRequested, 0), unit: 'queries' },
      target: 'each distinct in-flight request issued once',
      met: !notes.some((n) => n.includes('coalescing on')),
    }),
  ];
  return {
    status: 'ok',
    setup: `prometheus (own, loopback, remote-written ${SERIES} series); ${CONCURRENCY} requests in flight (bare loop concurrency = assay's per-address bound); distinct queries: runs = 1.5 x the bare rate, interval 1s, coalescing off; shared: ${q ? 1000 : 2000} runs over ${SHARED_QUERIES} queries, coalescing at assay's default step (ASSAY_COALESCE_STEP_MS unset) vs off; ${warmupMs} ms warm-up and ${measureMs} ms window for assay and the bare loop alike`,
    figures,
    notes,
    ...(profiles.length ? { profiles } : {}),
  };
};
