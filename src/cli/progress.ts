/**
 * Showing a live run to a person: each new measurement as a line (pipes, CI logs), or a table
 * redrawn in place on a terminal. Reads only status snapshots; decides nothing.
 */
import type { AnalysisRun, Measurement } from '../api/types.js';

export interface ProgressSink {
  update(run: AnalysisRun): void;
  finish(run: AnalysisRun): void;
}

/**
 * Values shown on a terminal come from backends and manifests: control characters (ANSI escape
 * sequences, NUL, carriage returns, C1 controls, bidirectional overrides) are shown as `\xNN` /
 * `\uNNNN` instead of being interpreted by the terminal.
 */
export function terminalSafe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

function clock(t: string | undefined): string {
  return t ? new Date(t).toISOString().slice(11, 19) : '--:--:--';
}

function key(m: Measurement): string {
  return `${m.startedAt}|${m.phase}|${m.finishedAt ?? ''}`;
}

/** The why line of a measurement that did not succeed (from its decision trace), if known. */
type Explain = (metric: string, m: Measurement) => string | undefined;

/**
 * One line per measurement: `12:00:01 success-rate [0.99] Successful`, and under a measurement
 * that is not Successful its why: `  why: success-rate = [0.82]: successCondition ... is false`.
 */
export class LineProgress implements ProgressSink {
  private readonly seen = new Set<string>();
  constructor(
    private readonly write: (line: string) => void,
    private readonly explain?: Explain,
  ) {}

  update(run: AnalysisRun): void {
    for (const r of run.status?.metricResults ?? []) {
      for (const m of r.measurements ?? []) {
        const k = `${r.name}|${key(m)}`;
        if (this.seen.has(k) || m.phase === 'Running') continue;
        this.seen.add(k);
        const value = m.value !== undefined && m.value !== '' ? m.value : '-';
        const msg = m.message ? `  ${m.message}` : '';
        this.write(terminalSafe(`${clock(m.finishedAt ?? m.startedAt)}  ${r.name}  ${value}  ${m.phase}${msg}`));
        const why = m.phase !== 'Successful' ? this.explain?.(r.name, m) : undefined;
        if (why) this.write(terminalSafe(`  why: ${why}`));
      }
    }
  }

  finish(run: AnalysisRun): void {
    this.update(run);
  }
}

/** A table redrawn in place (ANSI cursor movement), one row per metric. */
export class TableProgress implements ProgressSink {
  private drawn = 0;
  constructor(private readonly stream: NodeJS.WriteStream) {}

  private render(run: AnalysisRun): string[] {
    const header = ['METRIC', 'PHASE', 'COUNT', 'OK', 'FAIL', 'INCONCL', 'ERR', 'LAST VALUE', 'AT'];
    const rows: string[][] = [header];
    for (const m of run.spec.metrics) {
      const r = run.status?.metricResults?.find((x) => x.name === m.name);
      const last = r?.measurements?.[r.measurements.length - 1];
      rows.push([
        m.name + (r?.dryRun ? ' (dry-run)' : ''),
        r?.phase ?? 'Pending',
        String(r?.count ?? 0),
        String(r?.successful ?? 0),
        String(r?.failed ?? 0),
        String(r?.inconclusive ?? 0),
        String(r?.error ?? 0),
        terminalSafe(last?.value ?? last?.message ?? '-').slice(0, 40),
        clock(last?.finishedAt ?? last?.startedAt),
      ]);
    }
    const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    const lines = rows.map((r) => terminalSafe(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()));
    lines.push(terminalSafe(`run ${run.metadata.namespace}/${run.metadata.name}: ${run.status?.phase || 'Pending'}`));
    return lines;
  }

  update(run: AnalysisRun): void {
    const lines = this.render(run);
    if (this.drawn > 0) this.stream.write(`\x1b[${this.drawn}A`);
    for (const l of lines) this.stream.write(`\x1b[2K${l}\n`);
    this.drawn = lines.length;
  }

  finish(run: AnalysisRun): void {
    this.update(run);
  }
}
