/**
 * Mann-Whitney U test (Mann & Whitney 1947) with the conventions of SciPy's `mannwhitneyu`, so the
 * fixtures computed with SciPy check it exactly: U is the statistic of the first sample (here the
 * canary); method "auto" is the exact null distribution when there are no ties and either sample
 * has at most 8 values, otherwise the normal approximation with tie correction and continuity
 * correction. Plus the effect sizes that make U readable: the probability of superiority
 * U/(n1·n2) and Cliff's delta (the rank-biserial correlation, 2·PS − 1).
 */
import { normalSf } from './normal.js';

export type Alternative = 'two-sided' | 'greater' | 'less';

interface MannWhitneyResult {
  /** U of the first sample: the number of (x, y) pairs with x > y, ties counting one half. */
  u: number;
  pValue: number;
  method: 'exact' | 'asymptotic';
  /** P(X > Y) + P(X = Y)/2, estimated by U / (n1·n2). */
  probabilityOfSuperiority: number;
  /** Cliff's delta, in [-1, 1]: positive when the first sample tends to be larger. */
  cliffsDelta: number;
}

/** Mid-ranks (1-based, ties get the mean of their ranks) of the pooled samples, and the tie sizes. */
function midRanks(values: readonly number[]): { ranks: number[]; ties: number[] } {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  const ties: number[] = [];
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const rank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = rank;
    if (j > i) ties.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, ties };
}

export function mannWhitney(x: readonly number[], y: readonly number[], alternative: Alternative = 'two-sided'): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('mannWhitney needs at least one value in each sample');
  const { ranks, ties } = midRanks([...x, ...y]);
  let r1 = 0;
  for (let i = 0; i < n1; i++) r1 += ranks[i]!;
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const method = n1 > 8 && n2 > 8 ? 'asymptotic' : ties.length > 0 ? 'asymptotic' : 'exact';
  const pValue = method === 'exact' ? exactP(u1, u2, n1, n2, alternative) : asymptoticP(u1, u2, n1, n2, ties, alternative);
  const ps = u1 / (n1 * n2);
  return { u: u1, pValue, method, probabilityOfSuperiority: ps, cliffsDelta: 2 * ps - 1 };
}

function asymptoticP(u1: number, u2: number, n1: number, n2: number, ties: readonly number[], alt: Alternative): number {
  const n = n1 + n2;
  const mu = (n1 * n2) / 2;
  let tieTerm = 0;
  for (const t of ties) tieTerm += t ** 3 - t;
  const s = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  // Every value tied: the samples cannot be told apart.
  if (!(s > 0)) return 1;
  const u = alt === 'two-sided' ? Math.max(u1, u2) : alt === 'greater' ? u1 : u2;
  const z = (u - mu - 0.5) / s;
  const p = normalSf(z);
  return Math.min(1, alt === 'two-sided' ? 2 * p : p);
}

/** The exact null distribution of U (no ties): counts of rank arrangements, by dynamic programming. */
function exactP(u1: number, u2: number, n1: number, n2: number, alt: Alternative): number {
  const counts = uCounts(n1, n2);
  const total = counts.reduce((a, b) => a + b, 0);
  // P(U >= k): U is symmetric about n1·n2/2, so the upper tail of any observed value suffices.
  const upper = (k: number): number => {
    let s = 0;
    for (let u = Math.ceil(k); u < counts.length; u++) s += counts[u]!;
    return s / total;
  };
  if (alt === 'greater') return upper(u1);
  if (alt === 'less') return upper(u2);
  return Math.min(1, 2 * upper(Math.max(u1, u2)));
}

/** counts[u] = number of ways to interleave n1 and n2 values giving U = u (Mann & Whitney's recursion). */
function uCounts(n1: number, n2: number): number[] {
  // f[m][n][u] built row by row: f(m, n, u) = f(m-1, n, u-n) + f(m, n-1, u).
  let prev: number[][] = [];
  for (let m = 0; m <= n1; m++) {
    const row: number[][] = [];
    for (let n = 0; n <= n2; n++) {
      const size = m * n + 1;
      const f = new Array<number>(size).fill(0);
      if (m === 0 || n === 0) f[0] = 1;
      else {
        const a = prev[n]!;
        const b = row[n - 1]!;
        for (let u = 0; u < size; u++) f[u] = (u - n >= 0 && u - n < a.length ? a[u - n]! : 0) + (u < b.length ? b[u]! : 0);
      }
      row.push(f);
    }
    prev = row;
  }
  return prev[n2]!;
}
