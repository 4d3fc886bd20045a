/**
 * What a scenario reports, and the two renderings: a table for people, one JSON document for
 * machines. Every figure carries its baseline (measured in the same run), the ratio, the target
 * and whether it was met; `trials` holds the per-trial values the median came from.
 */

export interface Baseline {
  name: string;
  value: number;
  unit: string;
}

export interface Figure {
  /** Stable identifier, e.g. `core.sustained_rate`. */
  id: string;
  label: string;
  value: number;
  unit: string;
  baseline?: Baseline;
  /** value / baseline.value */
  ratio?: number;
  /** Human-readable target, e.g. `>= 10000 /s` or `ratio >= 0.50`. */
  target?: string;
  met?: boolean;
  /** Per-trial values (the figure is their median). */
  trials?: number[];
}

export interface ScenarioReport {
  scenario: string;
  status: 'ok' | 'skipped' | 'error';
  reason?: string;
  setup: string;
  figures: Figure[];
  notes: string[];
  durationMs: number;
  /** Profiles written for this scenario, with their top frames. */
  profiles?: { file: string; top: { frame: string; selfPercent: number }[] }[];
}

export interface BenchOptions {
  quick: boolean;
  trials: number;
  /** Directory for CPU profiles (`--profile DIR`); none when undefined. */
  profileDir?: string;
  log: (line: string) => void;
}

export type Scenario = (opts: BenchOptions) => Promise<Omit<ScenarioReport, 'durationMs' | 'scenario'>>;

export function ratio(value: number, baseline: number): number | undefined {
  if (!Number.isFinite(value) || !Number.isFinite(baseline) || baseline === 0) return undefined;
  return Number((value / baseline).toFixed(3));
}

/** A figure with its baseline and ratio filled in. */
export function figure(f: Omit<Figure, 'ratio'> & { ratio?: number }): Figure {
  const { ratio: _given, ...rest } = f;
  const out: Figure = { ...rest, value: roundFor(f.value) };
  if (f.baseline) {
    out.baseline = { ...f.baseline, value: roundFor(f.baseline.value) };
    // An explicit NaN ratio means "not meaningful" (e.g. signed excess counts): leave it out.
    const r = f.ratio ?? ratio(f.value, f.baseline.value);
    if (r !== undefined && !Number.isNaN(r)) out.ratio = r;
  }
  if (f.trials) out.trials = f.trials.map(roundFor);
  return out;
}

function roundFor(v: number): number {
  if (!Number.isFinite(v)) return v;
  const a = Math.abs(v);
  return Number(v.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : 2));
}

function fmt(v: number | undefined, unit = ''): string {
  if (v === undefined || Number.isNaN(v)) return '-';
  const a = Math.abs(v);
  const s = a >= 1000 ? Math.round(v).toLocaleString('en-US') : a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2);
  return unit ? `${s} ${unit}` : s;
}

export function renderTable(reports: ScenarioReport[]): string {
  const rows: string[][] = [['scenario', 'figure', 'value', 'baseline (same run)', 'ratio', 'target', 'met']];
  for (const r of reports) {
    if (r.status !== 'ok') {
      rows.push([r.scenario, `${r.status}: ${r.reason ?? ''}`, '', '', '', '', '']);
      continue;
    }
    for (const f of r.figures) {
      rows.push([
        r.scenario,
        f.label,
        fmt(f.value, f.unit),
        f.baseline ? `${f.baseline.name}: ${fmt(f.baseline.value, f.baseline.unit)}` : '-',
        f.ratio !== undefined ? f.ratio.toFixed(2) : '-',
        f.target ?? '',
        f.met === undefined ? '' : f.met ? 'yes' : 'NO',
      ]);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  ')];
  let prev = '';
  for (const row of rows.slice(1)) {
    if (row[0] !== prev && prev !== '') out.push('');
    prev = row[0]!;
    out.push(line(row));
  }
  return out.join('\n');
}
