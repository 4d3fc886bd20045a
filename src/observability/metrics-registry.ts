/**
 * Prometheus metrics, hand-written: counters and histograms kept in process, gauges computed by
 * collectors at scrape time, all rendered in the text exposition format (version 0.0.4). The
 * format is small and stable, so a few helpers here spare a runtime dependency (prom-client).
 *
 * Labels are written in the order they are declared (Argo's own order: namespace, name, ...).
 * Prometheus does not care about label order; people reading `curl /metrics` do.
 */

/** The content type Prometheus expects for the text format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Label values escaped as the format requires: backslash, double quote and newline. */
function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A sample value as Prometheus parses it (Go float syntax, +Inf/-Inf/NaN spelled its way). */
function formatSampleValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

function labelSet(names: readonly string[], values: readonly string[]): string {
  if (names.length === 0) return '';
  return `{${names.map((n, i) => `${n}="${escapeLabelValue(values[i] ?? '')}"`).join(',')}}`;
}

function header(name: string, help: string, type: string): string[] {
  return [`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`];
}

/** One rendered sample line: `name{a="x"} 1`. */
function sampleLine(name: string, labelNames: readonly string[], labelValues: readonly string[], value: number): string {
  return `${name}${labelSet(labelNames, labelValues)} ${formatSampleValue(value)}`;
}

/** A gauge family computed at scrape time: header plus one line per sample. */
export function renderGauge(
  name: string,
  help: string,
  labelNames: readonly string[],
  samples: Iterable<{ labels: readonly string[]; value: number }>,
): string[] {
  const lines = header(name, help, 'gauge');
  for (const s of samples) lines.push(sampleLine(name, labelNames, s.labels, s.value));
  return lines;
}

interface Family {
  render(): string[];
}

/** Series are keyed by their label values; JSON keeps values with commas or quotes apart. */
const seriesKey = (values: readonly string[]): string => JSON.stringify(values);

export class Counter implements Family {
  private readonly series = new Map<string, { labels: string[]; value: number }>();

  constructor(readonly name: string, readonly help: string, readonly labelNames: readonly string[]) {}

  inc(labels: readonly string[], by = 1): void {
    const key = seriesKey(labels);
    const s = this.series.get(key);
    if (s) s.value += by;
    else this.series.set(key, { labels: [...labels], value: by });
  }

  /** Drop one series (its object is gone), so label sets do not grow without bound. */
  remove(labels: readonly string[]): void {
    this.series.delete(seriesKey(labels));
  }

  get(labels: readonly string[]): number {
    return this.series.get(seriesKey(labels))?.value ?? 0;
  }

  render(): string[] {
    const lines = header(this.name, this.help, 'counter');
    for (const s of this.series.values()) lines.push(sampleLine(this.name, this.labelNames, s.labels, s.value));
    return lines;
  }
}

interface HistogramSeries {
  labels: string[];
  /** Non-cumulative counts per bucket; the last slot is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram implements Family {
  private readonly series = new Map<string, HistogramSeries>();
  readonly buckets: readonly number[];

  constructor(readonly name: string, readonly help: string, readonly labelNames: readonly string[], buckets: readonly number[]) {
    this.buckets = [...buckets].sort((a, b) => a - b);
  }

  observe(labels: readonly string[], value: number): void {
    const key = seriesKey(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels: [...labels], counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    let i = this.buckets.findIndex((b) => value <= b);
    if (i < 0) i = this.buckets.length;
    s.counts[i] = (s.counts[i] ?? 0) + 1;
    s.sum += value;
    s.count++;
  }

  remove(labels: readonly string[]): void {
    this.series.delete(seriesKey(labels));
  }

  /** Observations so far for one series (tests, diagnostics). */
  countOf(labels: readonly string[]): number {
    return this.series.get(seriesKey(labels))?.count ?? 0;
  }

  render(): string[] {
    const lines = header(this.name, this.help, 'histogram');
    const withLe = [...this.labelNames, 'le'];
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += s.counts[i] ?? 0;
        lines.push(sampleLine(`${this.name}_bucket`, withLe, [...s.labels, formatSampleValue(bound)], cumulative));
      });
      lines.push(sampleLine(`${this.name}_bucket`, withLe, [...s.labels, '+Inf'], s.count));
      lines.push(sampleLine(`${this.name}_sum`, this.labelNames, s.labels, s.sum));
      lines.push(sampleLine(`${this.name}_count`, this.labelNames, s.labels, s.count));
    }
    return lines;
  }
}

/** Produces gauge lines at scrape time (from the run store, the template set, ...). */
type Collector = () => Promise<string[]> | string[];

/**
 * The process's metrics: stateful families registered once, plus collectors asked at each scrape.
 * A collector that fails is skipped with a comment line rather than failing the whole scrape, so
 * that one broken source (e.g. an unreadable store) does not hide the engine's own metrics.
 */
export class MetricsRegistry {
  private readonly families: Family[] = [];
  private readonly collectors: Array<{ name: string; collect: Collector }> = [];

  counter(name: string, help: string, labelNames: readonly string[]): Counter {
    const c = new Counter(name, help, labelNames);
    this.families.push(c);
    return c;
  }

  histogram(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]): Histogram {
    const h = new Histogram(name, help, labelNames, buckets);
    this.families.push(h);
    return h;
  }

  collect(name: string, collect: Collector): void {
    this.collectors.push({ name, collect });
  }

  async render(): Promise<string> {
    const lines: string[] = [];
    for (const c of this.collectors) {
      try {
        lines.push(...(await c.collect()));
      } catch (err) {
        lines.push(`# collector ${c.name} failed: ${String(err instanceof Error ? err.message : err).replace(/\n/g, ' ')}`);
      }
    }
    for (const f of this.families) lines.push(...f.render());
    return `${lines.join('\n')}\n`;
  }
}
