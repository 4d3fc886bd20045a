/**
 * Comparing a finished virtual run with an AnalysisTest's `expect` block. Every difference is
 * reported as {field, expected, got}, so a failing test says exactly what to look at.
 */
import type { AnalysisRun, MetricResult, RunSummary } from '../api/types.js';
import { parseGoDuration, formatGoDuration } from '../go/duration.js';
import { parseTime } from '../core/time.js';
import type { AnalysisTest } from './test-file.js';

export interface Failure {
  field: string;
  expected: unknown;
  got: unknown;
}

export interface TestResultView {
  phase: string;
  message: string;
  completedAt: string | null;
  runSummary: RunSummary;
  dryRunSummary: RunSummary;
  metrics: Record<string, MetricResultView>;
  measurements: Record<string, string[]>;
  values: Record<string, string[]>;
}

type MetricResultView = Omit<MetricResult, 'measurements'>;

const SUMMARY_FIELDS = ['count', 'successful', 'failed', 'inconclusive', 'error'] as const;
const COUNTER_FIELDS = [
  'count',
  'successful',
  'failed',
  'inconclusive',
  'error',
  'consecutiveError',
  'consecutiveSuccess',
] as const;

/** What the run looks like, in the shape `--output json` prints. */
export function viewOf(run: AnalysisRun, base: number): TestResultView {
  const status = run.status;
  const completed = parseTime(status?.completedAt);
  const metrics: Record<string, MetricResultView> = {};
  const measurements: Record<string, string[]> = {};
  const values: Record<string, string[]> = {};
  for (const r of status?.metricResults ?? []) {
    const { measurements: ms, ...rest } = r;
    metrics[r.name] = rest;
    measurements[r.name] = (ms ?? []).map((m) => m.phase);
    values[r.name] = (ms ?? []).map((m) => m.value ?? '');
  }
  return {
    phase: status?.phase || 'Pending',
    message: status?.message ?? '',
    completedAt: completed === undefined ? null : formatGoDuration(completed - base),
    runSummary: status?.runSummary ?? {},
    dryRunSummary: status?.dryRunSummary ?? {},
    metrics,
    measurements,
    values,
  };
}

export function compare(expect: AnalysisTest['spec']['expect'], view: TestResultView, base: number, run: AnalysisRun): Failure[] {
  const failures: Failure[] = [];
  const check = (field: string, expected: unknown, got: unknown) => {
    if (canonical(expected) !== canonical(got)) failures.push({ field, expected, got });
  };
  check('phase', expect.phase, view.phase);
  if (expect.message !== undefined) check('message', expect.message, view.message);
  if (expect.completedAt !== undefined) {
    const completed = parseTime(run.status?.completedAt);
    if (expect.completedAt === null) {
      if (completed !== undefined) failures.push({ field: 'completedAt', expected: null, got: view.completedAt });
    } else {
      const d = parseGoDuration(expect.completedAt);
      const gotMs = completed === undefined ? undefined : completed - base;
      if (!d.ok || gotMs === undefined || Math.abs(d.ms - gotMs) > 1e-6) {
        failures.push({ field: 'completedAt', expected: expect.completedAt, got: view.completedAt });
      }
    }
  }
  for (const key of ['runSummary', 'dryRunSummary'] as const) {
    const exp = expect[key];
    if (!exp) continue;
    for (const f of SUMMARY_FIELDS) check(`${key}.${f}`, exp[f] ?? 0, view[key][f] ?? 0);
  }
  for (const [name, exp] of Object.entries(expect.metrics ?? {})) {
    const got = view.metrics[name];
    if (!got) {
      failures.push({ field: `metrics.${name}`, expected: exp, got: null });
      continue;
    }
    for (const [field, value] of Object.entries(exp)) {
      let actual: unknown = (got as unknown as Record<string, unknown>)[field];
      if ((COUNTER_FIELDS as readonly string[]).includes(field)) actual ??= 0;
      if (field === 'dryRun') actual ??= false;
      if (field === 'message') actual ??= '';
      check(`metrics.${name}.${field}`, value, actual);
    }
  }
  for (const [name, exp] of Object.entries(expect.measurements ?? {})) {
    check(`measurements.${name}`, exp, view.measurements[name] ?? []);
  }
  for (const [name, exp] of Object.entries(expect.values ?? {})) {
    check(`values.${name}`, exp, view.values[name] ?? []);
  }
  return failures;
}

/** JSON with sorted keys, so that maps compare by content and not by insertion order. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)));
    }
    return value;
  });
}
