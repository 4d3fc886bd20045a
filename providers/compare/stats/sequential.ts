/**
 * An always-valid sequential test of "is the canary worse than the baseline?", safe to look at
 * after every measurement (Ramdas, Grünwald, Vovk & Shafer, "Game-theoretic statistics and safe
 * anytime-valid inference", Statistical Science 2023; Robbins 1970 for mixture martingales).
 *
 * Samples are paired in time order (the i-th baseline value with the i-th canary value, as two
 * range queries over the same window and step give them). Each untied pair is a Bernoulli trial
 * X = 1 when the canary is worse. If the versions behave alike, X is a fair coin whatever the
 * metric's distribution (the sign test's null hypothesis), so:
 *
 * - E_fail is the likelihood ratio of the trials under a uniform mixture of "worse" rates
 *   q ∈ (1/2, 1) against q = 1/2. It is a nonnegative supermartingale under every rate <= 1/2, so
 *   by Ville's inequality P(E_fail ever reaches 1/α) <= α: deciding "fail" the first time it
 *   does keeps the false-alarm rate at α however often the analysis looks.
 * - E_pass tests the opposite hypothesis, "the canary is worse in at least 1/2 + margin of the
 *   pairs", with a uniform mixture over q ∈ (0, 1/2 + margin); reaching 1/α decides "pass" with
 *   the same guarantee.
 *
 * Both have closed forms through the Beta function and binomial tails:
 *   E_fail(k of n) = 2^(n+1) · B(k+1, n−k+1) · P(Bin(n+1, 1/2) <= k)
 *   E_pass(k of n) = B(k+1, n−k+1) · P(Bin(n+1, p0) >= k+1) / (p0^(k+1) · (1−p0)^(n−k)),  p0 = 1/2 + margin
 * and the decision uses the running maximum over the prefixes seen so far, which Ville's
 * inequality covers as well.
 */
import { logBetaInt, logBinomialUpperTail } from './binomial.js';

type Worse = 'higher' | 'lower';

interface SequentialResult {
  decision: 'fail' | 'pass' | 'continue';
  /** Untied pairs used, and how many of them had the canary worse. */
  pairs: number;
  worse: number;
  /** Largest e-values reached over the prefixes (evidence against each null hypothesis). */
  eFail: number;
  ePass: number;
  /** The always-valid p-values min(1, 1/max E). */
  pFail: number;
  pPass: number;
}

export function sequentialSignTest(
  baseline: readonly number[],
  canary: readonly number[],
  opts: { alpha: number; worse: Worse; margin: number },
): SequentialResult {
  const p0 = 0.5 + opts.margin;
  const threshold = Math.log(1 / opts.alpha);
  let n = 0;
  let k = 0;
  let maxFail = 0; // ln E, E_0 = 1
  let maxPass = 0;
  const len = Math.min(baseline.length, canary.length);
  for (let i = 0; i < len; i++) {
    const b = baseline[i]!;
    const c = canary[i]!;
    if (!Number.isFinite(b) || !Number.isFinite(c) || b === c) continue;
    n++;
    if (opts.worse === 'higher' ? c > b : c < b) k++;
    maxFail = Math.max(maxFail, logEFail(n, k));
    maxPass = Math.max(maxPass, logEPass(n, k, p0));
  }
  const failed = maxFail >= threshold;
  const passed = maxPass >= threshold;
  // Both at once needs margin so large that the hypotheses overlap little; the worse reading wins.
  const decision = failed ? 'fail' : passed ? 'pass' : 'continue';
  return { decision, pairs: n, worse: k, eFail: Math.exp(maxFail), ePass: Math.exp(maxPass), pFail: Math.min(1, Math.exp(-maxFail)), pPass: Math.min(1, Math.exp(-maxPass)) };
}

export function logEFail(n: number, k: number): number {
  // P(Bin(n+1, 1/2) <= k) = P(Bin(n+1, 1/2) >= n+1-k) by symmetry.
  return (n + 1) * Math.LN2 + logBetaInt(k + 1, n - k + 1) + logBinomialUpperTail(n + 1, 0.5, n + 1 - k);
}

export function logEPass(n: number, k: number, p0: number): number {
  return logBetaInt(k + 1, n - k + 1) + logBinomialUpperTail(n + 1, p0, k + 1) - (k + 1) * Math.log(p0) - (n - k) * Math.log1p(-p0);
}
