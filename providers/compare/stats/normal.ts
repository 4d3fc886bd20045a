/**
 * The standard normal distribution: survival function and quantile, accurate to well below the
 * tolerances the fixtures check (relative 1e-9 for the tail, 1e-12 for the quantile after one
 * Newton step). Written from the published algorithms cited at each function.
 */

/**
 * erfc(x) for x >= 0 by W. J. Cody's rational Chebyshev approximations ("Rational Chebyshev
 * approximations for the error function", Math. Comp. 23, 1969), as tabulated in his CALERF.
 */
function erfcNonNegative(x: number): number {
  if (x < 0.5) {
    const a = [3.1611237438705656, 113.86415415105016, 377.485237685302, 3209.3775891384694, 0.18577770618460315];
    const b = [23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.236833439171];
    const z = x * x;
    let num = a[4]! * z;
    let den = z;
    for (let i = 0; i < 3; i++) {
      num = (num + a[i]!) * z;
      den = (den + b[i]!) * z;
    }
    return 1 - (x * (num + a[3]!)) / (den + b[3]!);
  }
  if (x <= 4) {
    const c = [
      0.5641884969886701, 8.883149794388376, 66.11919063714163, 298.63513819740013, 881.952221241769, 1712.0476126340707,
      2051.0783778260716, 1230.3393547979972, 2.1531153547440383e-8,
    ];
    const d = [15.744926110709835, 117.6939508913125, 537.1811018620099, 1621.3895745666903, 3290.799235733460, 4362.619090143247, 3439.3676741437216, 1230.3393548037495];
    let num = c[8]! * x;
    let den = x;
    for (let i = 0; i < 7; i++) {
      num = (num + c[i]!) * x;
      den = (den + d[i]!) * x;
    }
    const r = (num + c[7]!) / (den + d[7]!);
    return expTail(x) * r;
  }
  if (x >= 27) return 0;
  const p = [0.30532663496123236, 0.36034489994980445, 0.12578172611122926, 0.016083785148742275, 6.587491615298378e-4, 0.016315387137302097];
  const q = [2.568520192289822, 1.8729528499234604, 0.5279051029514285, 0.06051834131244132, 0.0023352049762686918];
  const z = 1 / (x * x);
  let num = p[5]! * z;
  let den = z;
  for (let i = 0; i < 4; i++) {
    num = (num + p[i]!) * z;
    den = (den + q[i]!) * z;
  }
  let r = (z * (num + p[4]!)) / (den + q[4]!);
  r = (1 / Math.sqrt(Math.PI) - r) / x;
  return expTail(x) * r;
}

/** exp(-x²) computed in two parts, as Cody does, so that the rounding of x² does not cost digits. */
function expTail(x: number): number {
  const xs = Math.trunc(x * 16) / 16;
  const del = (x - xs) * (x + xs);
  return Math.exp(-xs * xs) * Math.exp(-del);
}

function erfc(x: number): number {
  return x >= 0 ? erfcNonNegative(x) : 2 - erfcNonNegative(-x);
}

/** P(Z > z) for a standard normal Z. */
export function normalSf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  return 0.5 * erfc(z / Math.SQRT2);
}

/** P(Z <= z). */
function normalCdf(z: number): number {
  return normalSf(-z);
}

/**
 * The p-quantile: P. J. Acklam's rational approximation (relative error 1.15e-9), refined by one
 * Halley step against normalCdf.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    return NaN;
  }
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let x: number;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - low) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}
