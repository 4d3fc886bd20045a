/**
 * Two-proportion z-test on counts (e.g. errors out of requests), pooled under the null hypothesis
 * of equal rates: z = (p1 − p0) / sqrt(p̂(1 − p̂)(1/n0 + 1/n1)). Testing the counts, not the
 * pre-divided ratios, weighs each version by its traffic: 2 errors in 10 requests is weak
 * evidence, 200 in 1,000 is strong. Two-sided p equals the χ² test of the 2×2 table without
 * continuity correction (SciPy `chi2_contingency(correction=False)`), which the fixtures check.
 */
import { normalSf } from './normal.js';
import type { Alternative } from './mann-whitney.js';

interface ProportionsResult {
  baselineRate: number;
  canaryRate: number;
  /** canaryRate − baselineRate. */
  difference: number;
  z: number;
  pValue: number;
}

export interface Counts {
  events: number;
  total: number;
}

export function proportionsTest(baseline: Counts, canary: Counts, alternative: Alternative = 'two-sided'): ProportionsResult {
  for (const [name, c] of [['baseline', baseline], ['canary', canary]] as const) {
    if (!(c.total > 0) || c.events < 0 || c.events > c.total) {
      throw new RangeError(`${name} counts must have 0 <= events <= total and total > 0 (got ${c.events} of ${c.total})`);
    }
  }
  const p0 = baseline.events / baseline.total;
  const p1 = canary.events / canary.total;
  const pooled = (baseline.events + canary.events) / (baseline.total + canary.total);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / baseline.total + 1 / canary.total));
  // Both rates 0 or both 1: no evidence of any difference.
  const z = se === 0 ? 0 : (p1 - p0) / se;
  const pValue =
    alternative === 'two-sided' ? Math.min(1, 2 * normalSf(Math.abs(z))) : alternative === 'greater' ? normalSf(z) : normalSf(-z);
  return { baselineRate: p0, canaryRate: p1, difference: p1 - p0, z, pValue };
}
