/**
 * cli-start: how long the `assay` command takes to start and finish for the commands people run
 * most often and in CI loops — `assay --version`, `assay lint FILE`, `assay test FILE` — against
 * `node -e 0` (Node's own start) measured in the same run, interleaved so that machine noise hits
 * both alike. Median of N runs each; target ≤ 3× `node -e 0`. The CLI imports a command's module
 * only when it runs (src/cli/main.ts), so none of these load @kubernetes/client-node or BullMQ.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { figure, type Figure, type Scenario } from '../support/report.js';
import { median } from '../support/stats.js';

const TARGET_RATIO = 3;

/** README's example: a template and the AnalysisTest of it a user keeps beside it. */
const TEMPLATE = `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: success-rate}
spec:
  args: [{name: service-name}]
  metrics:
    - name: success-rate
      interval: 1m
      count: 3
      successCondition: result[0] >= 0.95
      provider:
        prometheus:
          address: http://prometheus:9090
          query: sum(rate(http_requests_total{service="{{args.service-name}}",code!~"5.."}[5m])) / sum(rate(http_requests_total{service="{{args.service-name}}"}[5m]))
`;
const TEST = `apiVersion: assay/v1alpha1
kind: AnalysisTest
metadata: {name: fails on the third bad sample}
spec:
  templates: [{file: success-rate.yaml}]
  run:
    templates: [{templateName: success-rate}]
    args: [{name: service-name, value: checkout}]
  measurements:
    success-rate: [{value: [0.99]}, {value: [0.98]}, {value: [0.5]}]
  expect:
    phase: Failed
    message: 'Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)'
    completedAt: 2m
    runSummary: {count: 1, failed: 1}
`;

/** Repository root: this file runs from dist/bench/scenarios. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!dir.endsWith('/dist') && dir !== '/') dir = dirname(dir);
  return dirname(dir);
}

interface Command {
  id: string;
  label: string;
  args: string[];
  /** The exit status the command must have: a timing of a failing command would be meaningless. */
  status: number;
}

/**
 * CPU time (user + system, ms) of this process's waited-for children, from /proc/self/stat
 * (cutime, cstime; clock ticks of 10 ms): less sensitive than wall time to a loaded machine.
 * Undefined off Linux.
 */
function childCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the command name start at field 3 (state): cutime is field 16, cstime 17.
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return undefined;
  }
}

interface Sample {
  wallMs: number;
  cpuMs: number | undefined;
}

function timeOnce(root: string, c: { args: string[]; status: number; label: string }): Sample {
  const cpu0 = childCpuMs();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, c.args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '' } });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu1 = childCpuMs();
  if (r.status !== c.status) throw new Error(`${c.label} exited ${r.status} (expected ${c.status}): ${r.stderr.toString().slice(0, 400)}`);
  return { wallMs, cpuMs: cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0 };
}

export const cliStart: Scenario = async (opts) => {
  const root = repoRoot();
  const bin = join(root, 'bin/assay.js');
  const runs = opts.quick ? 5 : 15;
  const baseline: Command = { id: 'node', label: 'node -e 0', args: ['-e', '0'], status: 0 };
  const dir = mkdtempSync(join(tmpdir(), 'assay-bench-cli-'));
  writeFileSync(join(dir, 'success-rate.yaml'), TEMPLATE);
  writeFileSync(join(dir, 'success-rate.test.yaml'), TEST);
  const commands: Command[] = [
    { id: 'version', label: 'assay --version', args: [bin, '--version'], status: 0 },
    { id: 'lint', label: 'assay lint success-rate.yaml', args: [bin, 'lint', join(dir, 'success-rate.yaml')], status: 0 },
    { id: 'test', label: 'assay test success-rate.test.yaml', args: [bin, 'test', join(dir, 'success-rate.test.yaml')], status: 0 },
  ];
  try {
    return measure(commands, baseline, runs, root, opts);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

function measure(commands: Command[], baseline: Command, runs: number, root: string, opts: Parameters<Scenario>[0]): Awaited<ReturnType<Scenario>> {
  // Warm the file system cache once, untimed.
  timeOnce(root, baseline);
  for (const c of commands) timeOnce(root, c);
  const base: Sample[] = [];
  const times = new Map<string, Sample[]>(commands.map((c) => [c.id, []]));
  for (let i = 0; i < runs; i++) {
    for (const c of commands) {
      base.push(timeOnce(root, baseline));
      times.get(c.id)!.push(timeOnce(root, c));
    }
  }
  const nodeMs = median(base.map((s) => s.wallMs));
  const cpuOf = (samples: Sample[]) => (samples.every((s) => s.cpuMs !== undefined) ? median(samples.map((s) => s.cpuMs!)) : undefined);
  const nodeCpu = cpuOf(base);
  const figures: Figure[] = [];
  for (const c of commands) {
    const samples = times.get(c.id)!;
    const f = figure({
      id: `cli-start.${c.id}`,
      label: c.label,
      value: median(samples.map((s) => s.wallMs)),
      unit: 'ms',
      baseline: { name: 'node -e 0', value: nodeMs, unit: 'ms' },
      target: `ratio <= ${TARGET_RATIO}`,
      trials: samples.map((s) => s.wallMs),
    });
    f.met = (f.ratio ?? Infinity) <= TARGET_RATIO;
    figures.push(f);
    const cpu = cpuOf(samples);
    if (cpu !== undefined && nodeCpu !== undefined) {
      // CPU time: what the command costs, whatever else the machine is doing (no target).
      figures.push(figure({ id: `cli-start.${c.id}_cpu`, label: `${c.label} (CPU time)`, value: cpu, unit: 'ms', baseline: { name: 'node -e 0', value: nodeCpu, unit: 'ms' } }));
    }
    opts.log(`  cli-start: ${c.label}: ${f.value} ms, ${f.ratio}x node -e 0 (${f.baseline!.value} ms); CPU ${cpu ?? '-'} ms vs ${nodeCpu ?? '-'} ms`);
  }
  return {
    status: 'ok',
    setup: `README's success-rate template and its one AnalysisTest; ${runs} runs of each command, each paired with a run of \`node -e 0\` (median of ${runs * commands.length}); wall time from spawn to exit`,
    figures,
    notes: [
      ...figures.filter((f) => f.target).map((f) => `${f.label}: ${f.value} ms = ${f.ratio}x node -e 0 (${f.baseline!.value} ms), target <= ${TARGET_RATIO}x: ${f.met ? 'met' : 'NOT met'}`),
      'wall time includes waiting for a CPU: on a loaded machine compare the CPU-time rows (user + system of the child)',
    ],
  };
}
