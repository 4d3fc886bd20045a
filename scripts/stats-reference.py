#!/usr/bin/env python3
"""Reference values for assay's statistics (providers/compare/stats), computed with SciPy/NumPy.

Run:  python3 scripts/stats-reference.py > test/fixtures/stats/reference.json
Provenance is written into the file (package versions); the vitest suite
test/unit/stats/reference.test.ts checks assay's implementation against it.
"""
import json
import sys

import numpy as np
import scipy
from scipy import integrate, stats

rng = np.random.default_rng(20261205)


def r(xs):
    return [float(round(v, 6)) for v in xs]


samples = [
    ("small, no ties (exact)", [1.1, 2.3, 3.7, 4.2, 5.9], [3.3, 4.4, 5.5, 6.6, 7.7, 8.8]),
    ("docs example with ties", [1, 2, 3, 4, 5], [3, 4, 5, 6, 7, 8]),
    ("one value each", [1.0], [2.0]),
    ("n=8 vs 20, no ties (exact)", r(rng.normal(0, 1, 8)), r(rng.normal(0.5, 1, 20))),
    ("n=30 vs 30 normal shift 0.8", r(rng.normal(0, 1, 30)), r(rng.normal(0.8, 1, 30))),
    ("n=60 vs 45 identical distribution", r(rng.normal(10, 2, 60)), r(rng.normal(10, 2, 45))),
    ("latency-like lognormal, canary slower", r(rng.lognormal(4, 0.3, 40)), r(rng.lognormal(4.2, 0.3, 40))),
    ("heavy ties (rounded)", [float(v) for v in np.round(rng.normal(5, 1, 25))], [float(v) for v in np.round(rng.normal(5.5, 1, 25))]),
    ("n=3 vs 4 exact", [0.91, 0.95, 0.97], [0.80, 0.85, 0.99, 0.70]),
]

mw = []
for name, x, y in samples:
    # x is the canary (first sample), y the baseline, as assay calls it.
    row = {"name": name, "canary": x, "baseline": y}
    for alt in ("two-sided", "greater", "less"):
        res = stats.mannwhitneyu(x, y, alternative=alt, method="auto")
        row[alt] = {"u": float(res.statistic), "pValue": float(res.pvalue)}
    # Hodges-Lehmann: median of canary - baseline over all pairs, and the Moses interval
    # [D(C+1), D(N-C)] with C from the normal approximation.
    d = np.sort(np.subtract.outer(np.asarray(x), np.asarray(y)).ravel())
    n1, n2 = len(y), len(x)
    z = stats.norm.ppf(0.975)
    c = int(np.floor(n1 * n2 / 2 - z * np.sqrt(n1 * n2 * (n1 + n2 + 1) / 12)))
    row["hodgesLehmann"] = {
        "estimate": float(np.median(d)),
        "lower": float(d[c]) if c >= 0 else None,
        "upper": float(d[len(d) - 1 - c]) if c >= 0 else None,
    }
    mw.append(row)

proportions = []
for name, b, c in [
    ("1% vs 2% on 10k requests", (100, 10000), (200, 10000)),
    ("equal rates", (50, 5000), (10, 1000)),
    ("small counts", (1, 40), (4, 38)),
    ("canary better", (300, 20000), (20, 4000)),
]:
    table = [[c[0], c[1] - c[0]], [b[0], b[1] - b[0]]]
    chi2, p, _, _ = stats.chi2_contingency(table, correction=False)
    p0, p1 = b[0] / b[1], c[0] / c[1]
    pooled = (b[0] + c[0]) / (b[1] + c[1])
    zval = (p1 - p0) / np.sqrt(pooled * (1 - pooled) * (1 / b[1] + 1 / c[1]))
    proportions.append({
        "name": name,
        "baseline": {"events": b[0], "total": b[1]},
        "canary": {"events": c[0], "total": c[1]},
        "z": float(zval),
        "two-sided": float(p),
        "greater": float(stats.norm.sf(zval)),
        "less": float(stats.norm.cdf(zval)),
    })

# Mixture e-values of the sequential sign test, by numerical integration of their definitions.
evalues = []
for n, k, margin in [(10, 9, 0.1), (20, 15, 0.1), (30, 12, 0.1), (50, 20, 0.1), (100, 70, 0.05), (8, 0, 0.2), (1, 1, 0.1)]:
    p0 = 0.5 + margin
    e_fail, _ = integrate.quad(lambda q: 2.0 * (q / 0.5) ** k * ((1 - q) / 0.5) ** (n - k), 0.5, 1, epsabs=0, epsrel=1e-12, limit=200)
    e_pass, _ = integrate.quad(lambda q: (1 / p0) * (q / p0) ** k * ((1 - q) / (1 - p0)) ** (n - k), 0, p0, epsabs=0, epsrel=1e-12, limit=200)
    evalues.append({"n": n, "k": k, "margin": margin, "eFail": e_fail, "ePass": e_pass})

normal = {
    "sf": [{"z": z, "p": float(stats.norm.sf(z))} for z in (-3.0, -1.0, 0.0, 0.3, 0.5, 1.0, 1.959963984540054, 2.5, 4.0, 5.0, 8.0, 12.0)],
    "ppf": [{"p": p, "z": float(stats.norm.ppf(p))} for p in (1e-10, 0.001, 0.025, 0.3, 0.5, 0.975, 0.999)],
}

json.dump({
    "provenance": {
        "script": "scripts/stats-reference.py",
        "python": sys.version.split()[0],
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "functions": "scipy.stats.mannwhitneyu(method='auto'), numpy median/sort of pairwise differences, scipy.stats.norm, scipy.stats.chi2_contingency(correction=False), scipy.integrate.quad",
    },
    "mannWhitney": mw,
    "proportions": proportions,
    "sequentialEValues": evalues,
    "normal": normal,
}, sys.stdout, indent=1)
print()
