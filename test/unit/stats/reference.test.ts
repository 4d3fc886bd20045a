/**
 * assay's statistics against reference values computed offline with SciPy/NumPy
 * (test/fixtures/stats/reference.json, produced by scripts/stats-reference.py; its provenance
 * block names the versions).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hodgesLehmann } from '../../../providers/compare/stats/hodges-lehmann.js';
import { mannWhitney, type Alternative } from '../../../providers/compare/stats/mann-whitney.js';
import { normalQuantile, normalSf } from '../../../providers/compare/stats/normal.js';
import { proportionsTest } from '../../../providers/compare/stats/proportions.js';
import { logEFail, logEPass } from '../../../providers/compare/stats/sequential.js';

const ref = JSON.parse(readFileSync(new URL('../../fixtures/stats/reference.json', import.meta.url), 'utf8'));

function close(actual: number, expected: number, rtol: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.max(Math.abs(expected), 1e-300) + 1e-300);
}

describe('normal distribution (scipy.stats.norm)', () => {
  for (const { z, p } of ref.normal.sf) it(`sf(${z})`, () => close(normalSf(z), p, 1e-9));
  for (const { p, z } of ref.normal.ppf) it(`ppf(${p})`, () => close(normalQuantile(p), z, 1e-9));
});

describe('Mann-Whitney U (scipy.stats.mannwhitneyu, method auto)', () => {
  for (const row of ref.mannWhitney) {
    for (const alt of ['two-sided', 'greater', 'less'] as Alternative[]) {
      it(`${row.name}, ${alt}`, () => {
        const r = mannWhitney(row.canary, row.baseline, alt);
        expect(r.u).toBe(row[alt].u);
        close(r.pValue, row[alt].pValue, 1e-9);
      });
    }
  }
});

describe('Hodges-Lehmann shift and Moses interval (numpy)', () => {
  for (const row of ref.mannWhitney) {
    it(row.name, () => {
      const r = hodgesLehmann(row.baseline, row.canary, 0.95);
      close(r.estimate, row.hodgesLehmann.estimate, 1e-12);
      if (row.hodgesLehmann.lower === null) {
        expect(r.lower).toBe(-Infinity);
        expect(r.upper).toBe(Infinity);
      } else {
        close(r.lower, row.hodgesLehmann.lower, 1e-12);
        close(r.upper, row.hodgesLehmann.upper, 1e-12);
      }
    });
  }
});

describe('two-proportion test on counts (scipy chi2_contingency without correction, norm)', () => {
  for (const row of ref.proportions) {
    for (const alt of ['two-sided', 'greater', 'less'] as Alternative[]) {
      it(`${row.name}, ${alt}`, () => {
        const r = proportionsTest(row.baseline, row.canary, alt);
        close(r.z, row.z, 1e-12);
        close(r.pValue, row[alt], 1e-8);
      });
    }
  }
});

describe('sequential sign test e-values (scipy.integrate.quad of the mixture definitions)', () => {
  for (const row of ref.sequentialEValues) {
    it(`n=${row.n} k=${row.k} margin=${row.margin}`, () => {
      close(Math.exp(logEFail(row.n, row.k)), row.eFail, 1e-8);
      close(Math.exp(logEPass(row.n, row.k, 0.5 + row.margin)), row.ePass, 1e-8);
    });
  }
});
