/**
 * Seeded simulations of the decision rules under repeated looks, the situation of a live analysis
 * that measures every interval and stops at the first "fail":
 * - A/A (both versions identical): the sequential test's false-alarm rate stays <= α within its
 *   binomial confidence bound, while a naive Mann-Whitney re-run at every look exceeds α.
 * - A/B (the canary worse by a documented effect size): the power each rule reaches.
 * The figures are printed so docs/statistics.md can quote them.
 */
import { seededRandom } from '../../support/seeded-random.js';
import { describe, expect, it } from 'vitest';
import { mannWhitney } from '../../../providers/compare/stats/mann-whitney.js';
import { sequentialSignTest } from '../../../providers/compare/stats/sequential.js';

const ALPHA = 0.05;
const EXPERIMENTS = 1000;
const LOOKS = 20;
const PER_LOOK = 5; // new points per version between looks (5 minutes of 1-minute points)

const rng = seededRandom;

function normals(rand: () => number, n: number, mean: number): number[] {
  const out: number[] = [];
  while (out.length < n) {
    const u = 1 - rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    out.push(mean + r * Math.cos(2 * Math.PI * v), mean + r * Math.sin(2 * Math.PI * v));
  }
  return out.slice(0, n);
}

interface Rates {
  sequential: number;
  naiveMannWhitney: number;
  sequentialPassed: number;
  meanLooksToDecision: number;
}

/** Run EXPERIMENTS releases whose canary mean is shifted by `shift` standard deviations. */
function simulate(seed: number, shift: number): Rates {
  const rand = rng(seed);
  let seqFail = 0;
  let seqPass = 0;
  let naiveFail = 0;
  let looksToDecision = 0;
  for (let e = 0; e < EXPERIMENTS; e++) {
    const baseline = normals(rand, LOOKS * PER_LOOK, 0);
    const canary = normals(rand, LOOKS * PER_LOOK, shift);
    let seqDecided = false;
    let naiveDecided = false;
    for (let look = 1; look <= LOOKS; look++) {
      const n = look * PER_LOOK;
      const b = baseline.slice(0, n);
      const c = canary.slice(0, n);
      if (!seqDecided) {
        const s = sequentialSignTest(b, c, { alpha: ALPHA, worse: 'higher', margin: 0.1 });
        if (s.decision !== 'continue') {
          seqDecided = true;
          looksToDecision += look;
          if (s.decision === 'fail') seqFail++;
          else seqPass++;
        }
      }
      // The naive rule: a fixed-horizon one-sided test, re-run at every look, "fail" at p < α.
      if (!naiveDecided && mannWhitney(c, b, 'greater').pValue < ALPHA) {
        naiveDecided = true;
        naiveFail++;
      }
    }
    if (!seqDecided) looksToDecision += LOOKS;
  }
  return {
    sequential: seqFail / EXPERIMENTS,
    naiveMannWhitney: naiveFail / EXPERIMENTS,
    sequentialPassed: seqPass / EXPERIMENTS,
    meanLooksToDecision: looksToDecision / EXPERIMENTS,
  };
}

/** Upper end of the one-sided 99% normal-approximation interval around α for EXPERIMENTS trials. */
const upperBound = ALPHA + 2.326 * Math.sqrt((ALPHA * (1 - ALPHA)) / EXPERIMENTS);
const lowerBound = ALPHA - 2.326 * Math.sqrt((ALPHA * (1 - ALPHA)) / EXPERIMENTS);

describe('repeated looks (seeded simulation)', () => {
  it('A/A: the sequential test keeps false alarms <= α; re-running Mann-Whitney at every look does not', () => {
    const r = simulate(1, 0);
    console.log(`A/A, ${EXPERIMENTS} releases x ${LOOKS} looks: sequential false-fail ${r.sequential}, naive Mann-Whitney false-fail ${r.naiveMannWhitney}, sequential passed ${r.sequentialPassed} (mean looks ${r.meanLooksToDecision})`);
    expect(r.sequential).toBeLessThanOrEqual(upperBound);
    expect(r.naiveMannWhitney).toBeGreaterThan(upperBound);
    // Identical versions are often cleared early rather than left undecided (margin 0.1, 100 pairs at most).
    expect(r.sequentialPassed).toBeGreaterThan(0.25);
  }, 120_000);

  it('A/A: a single fixed-horizon Mann-Whitney is calibrated (the test itself is right; peeking is the problem)', () => {
    const rand = rng(2);
    let fails = 0;
    for (let e = 0; e < EXPERIMENTS; e++) {
      if (mannWhitney(normals(rand, 50, 0), normals(rand, 50, 0), 'greater').pValue < ALPHA) fails++;
    }
    const rate = fails / EXPERIMENTS;
    expect(rate).toBeLessThanOrEqual(upperBound);
    expect(rate).toBeGreaterThanOrEqual(lowerBound);
  });

  for (const [shift, minPower] of [
    [0.5, 0.5],
    [1, 0.97],
  ] as const) {
    it(`A/B: canary worse by ${shift} standard deviation(s) is caught with power >= ${minPower}`, () => {
      const r = simulate(10 + shift * 10, shift);
      console.log(`A/B shift ${shift} sd: sequential power ${r.sequential} (mean looks ${r.meanLooksToDecision}), wrongly passed ${r.sequentialPassed}`);
      expect(r.sequential).toBeGreaterThanOrEqual(minPower);
      expect(r.sequentialPassed).toBeLessThanOrEqual(ALPHA);
    }, 120_000);
  }
});
