/**
 * assay's benchmark suite: `npm run bench` (full) or `npm run bench -- --quick` (every scenario,
 * smaller, a few minutes). Prints a table; with `--json`, one JSON document with every figure
 * (progress goes to stderr either way).
 *
 * Options:
 *   --quick            smaller workloads, one trial
 *   --json             print the JSON document instead of the table
 *   --trials N         trials per scenario (figures are medians); default 3, quick 1
 *   --only a,b         run only these scenarios (core, bullmq, prometheus, verdict, memory, kube-writes, cli-start)
 *   --profile DIR      also write CPU profiles (core, prometheus) into DIR and summarise their top frames
 *   --out FILE         also write the JSON document to FILE
 *
 * Every trial runs in fresh child processes; servers (redis-server, prometheus, the fake
 * Kubernetes API server) are started on 127.0.0.1 by the scenario that needs them and stopped
 * after it. A scenario whose server is not installed is reported as skipped.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { resolve } from 'node:path';
import { bullmq } from './scenarios/bullmq.js';
import { cliStart } from './scenarios/cli-start.js';
import { core } from './scenarios/core.js';
import { kubeWrites } from './scenarios/kube-writes.js';
import { memory } from './scenarios/memory.js';
import { prometheus } from './scenarios/prometheus.js';
import { verdict } from './scenarios/verdict.js';
import { renderTable, type BenchOptions, type Scenario, type ScenarioReport } from './support/report.js';
import { LatencyHistogram } from './support/stats.js';

const SCENARIOS: Record<string, Scenario> = {
  core,
  bullmq,
  prometheus,
  verdict,
  memory,
  'kube-writes': kubeWrites,
  'cli-start': cliStart,
};

function parseArgs(argv: string[]): { quick: boolean; json: boolean; trials?: number; only?: string[]; profileDir?: string; out?: string } {
  const out: ReturnType<typeof parseArgs> = { quick: false, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') out.quick = true;
    else if (a === '--json') out.json = true;
    else if (a.startsWith('--trials')) out.trials = Number(value());
    else if (a.startsWith('--only')) out.only = value().split(',').map((s) => s.trim());
    else if (a.startsWith('--profile')) out.profileDir = resolve(value());
    else if (a.startsWith('--out')) out.out = resolve(value());
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: npm run bench -- [--quick] [--json] [--trials N] [--only core,bullmq,...] [--profile DIR] [--out FILE]\n');
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return out;
}

/** Timer lateness of this (mostly idle) process: how noisy the machine is while a scenario runs. */
function noiseProbe(): { stop(): { p50: number; p99: number; max: number } } {
  const hist = new LatencyHistogram();
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    hist.add(now - last - 10);
    last = now;
  }, 10);
  return {
    stop() {
      clearInterval(timer);
      const r1 = (v: number): number => Number(v.toFixed(1));
      return { p50: r1(hist.percentile(50)), p99: r1(hist.percentile(99)), max: r1(hist.max) };
    },
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const names = args.only ?? Object.keys(SCENARIOS);
  for (const n of names) if (!SCENARIOS[n]) throw new Error(`unknown scenario ${n} (known: ${Object.keys(SCENARIOS).join(', ')})`);
  if (args.profileDir) mkdirSync(args.profileDir, { recursive: true });
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const opts: BenchOptions = {
    quick: args.quick,
    trials: args.trials ?? (args.quick ? 1 : 3),
    ...(args.profileDir ? { profileDir: args.profileDir } : {}),
    log,
  };
  const started = Date.now();
  const load0 = loadavg();
  const reports: ScenarioReport[] = [];
  for (const name of names) {
    log(`[bench] ${name}${opts.quick ? ' (quick)' : ''}, ${opts.trials} trial(s)`);
    const t0 = Date.now();
    const noise = noiseProbe();
    let report: ScenarioReport;
    try {
      const r = await SCENARIOS[name]!(opts);
      report = { scenario: name, ...r, durationMs: Date.now() - t0 };
    } catch (err) {
      const e = err as Error;
      log(`[bench] ${name} failed: ${e.stack ?? e.message}`);
      report = { scenario: name, status: 'error', reason: e.message.split('\n')[0] ?? String(err), setup: '', figures: [], notes: [], durationMs: Date.now() - t0 };
    }
    const n = noise.stop();
    report.notes.push(`machine noise during the scenario (10 ms timer in the idle parent process): p50 ${n.p50} ms, p99 ${n.p99} ms, max ${n.max} ms`);
    reports.push(report);
    log(`[bench] ${name}: ${report.status} in ${(report.durationMs / 1000).toFixed(1)} s`);
  }
  const cpu = cpus();
  const doc = {
    tool: 'assay bench',
    mode: opts.quick ? 'quick' : 'full',
    trials: opts.trials,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    machine: {
      cpus: cpu.length,
      cpuModel: cpu[0]?.model ?? 'unknown',
      memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
      os: `${osType()} ${release()}`,
      node: process.version,
      loadAverageAtStart: load0.map((v) => Number(v.toFixed(2))),
      loadAverageAtEnd: loadavg().map((v) => Number(v.toFixed(2))),
    },
    scenarios: reports,
  };
  if (args.out) writeFileSync(args.out, `${JSON.stringify(doc, null, 2)}\n`);
  if (args.json) process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  else {
    process.stdout.write(`assay bench (${doc.mode}, ${doc.trials} trial(s), median shown) on ${doc.machine.cpus} x ${doc.machine.cpuModel}, ${doc.machine.memoryGiB} GiB, Node ${doc.machine.node}; load average ${doc.machine.loadAverageAtStart.join(' ')} -> ${doc.machine.loadAverageAtEnd.join(' ')}\n\n`);
    process.stdout.write(`${renderTable(reports)}\n\n`);
    for (const r of reports) {
      if (r.setup) process.stdout.write(`${r.scenario}: ${r.setup}\n`);
      for (const note of r.notes) process.stdout.write(`  - ${note}\n`);
      for (const p of r.profiles ?? []) {
        process.stdout.write(`  profile ${p.file}:\n`);
        for (const f of p.top.slice(0, 12)) process.stdout.write(`    ${f.selfPercent.toFixed(1).padStart(5)}%  ${f.frame}\n`);
      }
    }
    process.stdout.write(`\ntotal ${(doc.durationMs / 1000).toFixed(1)} s\n`);
  }
  // Children and servers are stopped by their scenarios; exit even if a library left a handle open.
  process.exit(reports.some((r) => r.status === 'error') ? 1 : 0);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(2);
});
