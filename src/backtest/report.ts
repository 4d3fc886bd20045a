/**
 * What a backtest prints: pure functions from replay outcomes to lines (for people) or to JSON
 * values (for tools). Times are absolute (RFC 3339, UTC) with the offset from the replay's start,
 * because a person tuning a template reasons in both: "14:20, twenty minutes in".
 */
import { isCompleted, isWorse, type Phase } from '../api/phase.js';
import type { AnalysisRun } from '../api/types.js';
import { formatGoDuration } from '../go/duration.js';
import { formatTime } from '../core/time.js';
import { formatOffset, type Plan } from './plan.js';
import type { ReplayOutcome } from './replay.js';

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
}

/** One row per measurement, in the order they were taken. */
export function measurementLines(o: ReplayOutcome): string[] {
  if (o.measurements.length === 0) return ['(no measurements were taken)'];
  const rows = [['TIME', 'OFFSET', 'METRIC', 'VALUE', 'PHASE', 'MESSAGE']];
  for (const m of o.measurements) {
    rows.push([formatTime(m.at), formatOffset(m.at - o.start), m.metric, m.value ?? '-', m.phase, m.message ?? '']);
  }
  return table(rows);
}

/** `Verdict: Failed at 2026-11-20T14:20:00Z (+20m0s) — <message>`. */
export function verdictLine(o: ReplayOutcome): string {
  const message = o.message !== '' ? ` — ${o.message}` : '';
  if (isCompleted(o.verdict) && o.completedAt !== undefined) {
    return `Verdict: ${o.verdict} at ${formatTime(o.completedAt)} (${formatOffset(o.completedAt - o.start)})${message}`;
  }
  if (isCompleted(o.verdict)) return `Verdict: ${o.verdict}${message}`; // a spec error: Argo sets no completedAt
  return `Verdict: none — still ${o.verdict} when the clock stopped at ${formatTime(o.stop)} (${formatOffset(o.stop - o.start)})`;
}

/** The worst verdict, by Argo's order (Successful < Running < Pending < Inconclusive < Error < Failed). */
export function worstVerdict(outcomes: readonly ReplayOutcome[]): Phase {
  let worst: Phase = 'Successful';
  for (const o of outcomes) if (isWorse(worst, o.verdict)) worst = o.verdict;
  return worst;
}

/** `--every`: one row per start, then how the verdicts are spread. */
export function everyLines(outcomes: readonly ReplayOutcome[]): string[] {
  const rows = [['START', 'VERDICT', 'COMPLETED AT', 'AFTER', 'MEASUREMENTS', 'MESSAGE']];
  for (const o of outcomes) {
    const done = o.completedAt !== undefined;
    rows.push([
      formatTime(o.start),
      isCompleted(o.verdict) ? o.verdict : `(${o.verdict})`,
      done ? formatTime(o.completedAt!) : '-',
      done ? formatOffset(o.completedAt! - o.start) : '-',
      String(o.measurements.length),
      isCompleted(o.verdict) ? o.message : `no verdict by ${formatTime(o.stop)}`,
    ]);
  }
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o.verdict, (counts.get(o.verdict) ?? 0) + 1);
  const spread = [...counts].map(([v, n]) => `${n} ${v}`).join(', ');
  return [...table(rows), '', `Worst verdict: ${worstVerdict(outcomes)} (${outcomes.length} replays: ${spread})`];
}

export interface ReplayJson {
  from: string;
  to: string;
  verdict: Phase;
  completedAt: string | null;
  /** Go duration from the replay's start to completedAt. */
  completedAfter: string | null;
  message: string;
  measurements: { time: string; offset: string; metric: string; value?: string; phase: string; message?: string }[];
  analysisRun: AnalysisRun;
}

export function replayJson(o: ReplayOutcome): ReplayJson {
  return {
    from: formatTime(o.start),
    to: formatTime(o.stop),
    verdict: o.verdict,
    completedAt: o.completedAt !== undefined ? formatTime(o.completedAt) : null,
    completedAfter: o.completedAt !== undefined ? formatGoDuration(o.completedAt - o.start) : null,
    message: o.message,
    measurements: o.measurements.map((m) => ({
      time: formatTime(m.at),
      offset: formatGoDuration(m.at - o.start),
      metric: m.metric,
      ...(m.value !== undefined ? { value: m.value } : {}),
      phase: m.phase,
      ...(m.message !== undefined ? { message: m.message } : {}),
    })),
    analysisRun: o.run,
  };
}

export function everyJson(plan: Plan, outcomes: readonly ReplayOutcome[]): Record<string, unknown> {
  return {
    from: formatTime(plan.from),
    to: formatTime(plan.to),
    every: formatGoDuration(plan.every ?? 0),
    verdict: worstVerdict(outcomes),
    replays: outcomes.map(replayJson),
  };
}
