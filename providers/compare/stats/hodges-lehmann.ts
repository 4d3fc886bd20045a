/**
 * Hodges-Lehmann estimate of the shift between two samples (Hodges & Lehmann 1963): the median
 * of all pairwise differences y_j − x_i, with the distribution-free confidence interval that
 * inverts the Mann-Whitney test (Moses 1953; Hollander, Wolfe & Chicken, Nonparametric
 * Statistical Methods, 3rd ed., §4.3), using the normal approximation for the critical value:
 * C = floor(n1·n2/2 − z(1−α/2)·sqrt(n1·n2·(n1+n2+1)/12)), interval [D(C+1), D(n1·n2−C)] over
 * the sorted differences D. When C < 0 the samples are too small for that confidence level and
 * the interval is unbounded.
 */
import { normalQuantile } from './normal.js';

interface ShiftEstimate {
  /** Median of y − x over all pairs: how much larger y (the canary) tends to be. */
  estimate: number;
  /** Confidence interval for the shift at `confidence`; -Infinity/Infinity when unbounded. */
  lower: number;
  upper: number;
  confidence: number;
}

/** Pairs above this count are subsampled on a fixed grid: sorting millions of differences per measurement is not worth it. */
const MAX_PAIRS = 250_000;

export function hodgesLehmann(x: readonly number[], y: readonly number[], confidence = 0.95): ShiftEstimate {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('hodgesLehmann needs at least one value in each sample');
  const xs = thin(x, n2);
  const diffs = new Float64Array(xs.length * n2);
  let k = 0;
  for (const yj of y) for (const xi of xs) diffs[k++] = yj - xi;
  diffs.sort();
  const n = diffs.length;
  const estimate = n % 2 === 1 ? diffs[(n - 1) / 2]! : (diffs[n / 2 - 1]! + diffs[n / 2]!) / 2;
  const m1 = xs.length;
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const c = Math.floor((m1 * n2) / 2 - z * Math.sqrt((m1 * n2 * (m1 + n2 + 1)) / 12));
  if (c < 0) return { estimate, lower: -Infinity, upper: Infinity, confidence };
  return { estimate, lower: diffs[c]!, upper: diffs[n - 1 - c]!, confidence };
}

/** Every value of x when the pair count is small; otherwise evenly spaced order statistics of x. */
function thin(x: readonly number[], n2: number): readonly number[] {
  if (x.length * n2 <= MAX_PAIRS) return x;
  const keep = Math.max(1, Math.floor(MAX_PAIRS / n2));
  const sorted = [...x].sort((a, b) => a - b);
  return Array.from({ length: keep }, (_, i) => sorted[Math.floor(((i + 0.5) * sorted.length) / keep)]!);
}
