/**
 * Small statistics for the benchmark: percentiles of latency samples (nearest rank), medians of
 * trial results, and a fixed-bucket histogram for streams too long to keep every sample.
 */

/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN when there are none. */
export function percentile(samples: ArrayLike<number>, p: number): number {
  const n = samples.length;
  if (n === 0) return Number.NaN;
  const sorted = Float64Array.from(samples as ArrayLike<number>).sort();
  const rank = Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1));
  return sorted[rank]!;
}

export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return Number.NaN;
  return percentile(finite, 50);
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/**
 * Latency histogram with 0.1 ms buckets up to 10 s (overflow kept in the last bucket), so that
 * millions of samples cost 100k numbers. Percentiles are bucket upper bounds (never optimistic
 * by more than 0.1 ms). Mergeable across processes.
 */
export class LatencyHistogram {
  static readonly RES = 0.1;
  static readonly MAX_MS = 10_000;
  readonly counts: Uint32Array;
  count = 0;
  max = 0;
  sum = 0;

  constructor(counts?: ArrayLike<number>) {
    this.counts = new Uint32Array(Math.ceil(LatencyHistogram.MAX_MS / LatencyHistogram.RES) + 1);
    if (counts) {
      for (let i = 0; i < counts.length && i < this.counts.length; i++) {
        this.counts[i] = counts[i]!;
        this.count += counts[i]!;
      }
    }
  }

  add(ms: number): void {
    const v = ms < 0 ? 0 : ms;
    const i = Math.min(this.counts.length - 1, Math.ceil(v / LatencyHistogram.RES));
    this.counts[i]!++;
    this.count++;
    this.sum += v;
    if (v > this.max) this.max = v;
  }

  merge(other: LatencyHistogram): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i]! += other.counts[i]!;
    this.count += other.count;
    this.sum += other.sum;
    this.max = Math.max(this.max, other.max);
  }

  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(i * LatencyHistogram.RES, this.max);
    }
    return this.max;
  }

  /** Compact form for IPC: only the non-empty buckets. */
  toJSON(): { buckets: [number, number][]; max: number; sum: number } {
    const buckets: [number, number][] = [];
    for (let i = 0; i < this.counts.length; i++) if (this.counts[i]! > 0) buckets.push([i, this.counts[i]!]);
    return { buckets, max: this.max, sum: this.sum };
  }

  static fromJSON(j: { buckets: [number, number][]; max: number; sum: number }): LatencyHistogram {
    const h = new LatencyHistogram();
    for (const [i, c] of j.buckets) {
      h.counts[i] = c;
      h.count += c;
    }
    h.max = j.max;
    h.sum = j.sum;
    return h;
  }
}

export const round = (v: number, digits = 1): number => (Number.isFinite(v) ? Number(v.toFixed(digits)) : v);
