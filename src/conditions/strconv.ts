/**
 * Go `strconv` behaviour needed by expr literals and Argo's asInt/asFloat: which inputs parse,
 * and the exact error texts (`strconv.ParseFloat: parsing "NotANum": invalid syntax`).
 */
import { goQuote } from '../go/format.js';
import { fail } from './types.js';

export { goQuote };

const MAX_INT64 = 2n ** 63n - 1n;
const MIN_INT64 = -(2n ** 63n);

export class NumError extends Error {
  constructor(fn: string, input: string, reason: 'invalid syntax' | 'value out of range') {
    super(`strconv.${fn}: parsing ${goQuote(input)}: ${reason}`);
  }
}

/** `strconv.ParseInt(s, 10, 64)` -> bigint, or throws NumError. */
export function parseInt64(s: string): bigint {
  if (!/^[+-]?[0-9]+$/.test(s)) throw new NumError('ParseInt', s, 'invalid syntax');
  const v = BigInt(s);
  if (v > MAX_INT64 || v < MIN_INT64) throw new NumError('ParseInt', s, 'value out of range');
  return v;
}

const DECIMAL = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const HEX_FLOAT = /^([+-]?)0[xX]((?:[0-9a-fA-F]_?)*)(?:\.((?:[0-9a-fA-F]_?)*))?[pP]([+-]?[0-9]+)$/;
const INF = /^[+-]?(?:inf|infinity)$/i;

/** `strconv.ParseFloat(s, 64)`: decimal, hex-float, inf/infinity/nan (any case). */
export function parseFloat64(s: string): number {
  if (INF.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return NaN;
  let v: number;
  if (DECIMAL.test(s)) {
    v = Number(s);
  } else {
    const m = HEX_FLOAT.exec(s);
    if (m === null || `${m[2] ?? ''}${m[3] ?? ''}`.replace(/_/g, '') === '') {
      throw new NumError('ParseFloat', s, 'invalid syntax');
    }
    const intPart = (m[2] ?? '').replace(/_/g, '');
    const frac = (m[3] ?? '').replace(/_/g, '');
    const mant = parseInt(`${intPart}${frac}` || '0', 16);
    v = mant * 2 ** (Number(m[4]) - 4 * frac.length);
    if (m[1] === '-') v = -v;
  }
  if (!Number.isFinite(v)) throw new NumError('ParseFloat', s, 'value out of range');
  return v;
}

/** Integer literal in an expression: `strconv.ParseInt(value, 0|10, 64)` with expr's wrapping message. */
export function parseIntLiteral(value: string, base: 2 | 8 | 10 | 16, kind: string): bigint {
  const fn = 'ParseInt';
  const digits = base === 10 ? value : value.slice(2);
  const valid = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[base];
  if (!valid.test(digits)) fail(`invalid ${kind} literal: ${new NumError(fn, value, 'invalid syntax').message}`);
  const prefix = { 2: '0b', 8: '0o', 10: '', 16: '0x' }[base];
  const v = BigInt(`${prefix}${digits}`);
  if (v > MAX_INT64) fail(`invalid ${kind} literal: ${new NumError(fn, value, 'value out of range').message}`);
  return v;
}

/** Float literal in an expression (`1.5`, `.5`, `1e3`). */
export function parseFloatLiteral(value: string): number {
  try {
    return parseFloat64(value);
  } catch (e) {
    return fail(`invalid float literal: ${(e as Error).message}`);
  }
}
