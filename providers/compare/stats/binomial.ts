/** Log-space helpers for binomial tails, exact for the sample sizes an analysis sees (thousands). */

const logFactorials: number[] = [0];

/** ln(n!) by summation, memoised: exact to rounding, no Stirling error for the small n that matter. */
function logFactorial(n: number): number {
  for (let i = logFactorials.length; i <= n; i++) logFactorials.push(logFactorials[i - 1]! + Math.log(i));
  return logFactorials[n]!;
}

function logChoose(n: number, k: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

/** ln(exp(a) + exp(b)) without overflow. */
function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/** ln P(Binomial(n, p) >= k). */
export function logBinomialUpperTail(n: number, p: number, k: number): number {
  if (k <= 0) return 0;
  if (k > n) return -Infinity;
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  let acc = -Infinity;
  for (let i = k; i <= n; i++) acc = logAddExp(acc, logChoose(n, i) + i * lp + (n - i) * lq);
  return Math.min(0, acc);
}

/** ln B(a, b) for positive integers. */
export function logBetaInt(a: number, b: number): number {
  return logFactorial(a - 1) + logFactorial(b - 1) - logFactorial(a + b - 1);
}
