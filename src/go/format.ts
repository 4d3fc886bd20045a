/**
 * Go formatting and parsing primitives whose output leaks into Argo's user-visible strings:
 * measurement values (`strconv.FormatFloat(v,'f',-1,64)`, `json.Marshal`) and error messages
 * (`%q`, `%v`, `strconv.ParseFloat`, `strconv.Atoi`). One copy, shared by the engine, the
 * conditions and the providers, so that every message is byte-for-byte what Argo would write.
 * A leaf module: it imports nothing.
 */

/** Go `strconv.Quote` (`%q`) for the strings that appear in messages: URLs, durations, queries. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const named: Record<string, string> = {
      '"': '\\"', '\\': '\\\\', '\x07': '\\a', '\b': '\\b', '\f': '\\f',
      '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v',
    };
    const esc = named[ch];
    if (esc !== undefined) out += esc;
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp >= 0x80 && cp < 0xa0) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Expand JS exponent notation (`1.5e-7`, `1e+21`) into plain decimal digits. */
function expandExponent(s: string): string {
  const e = s.indexOf('e');
  if (e < 0) return s;
  const sign = s.startsWith('-') ? '-' : '';
  const mantissa = s.slice(sign.length, e);
  const exp = Number(s.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = mantissa.replace('.', '');
  const point = (dot < 0 ? mantissa.length : dot) + exp; // position of the decimal point in `digits`
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/**
 * Go `strconv.FormatFloat(v, 'f', -1, 64)`, which is Prometheus' `SampleValue.String()`:
 * shortest round-trip digits, never an exponent, `NaN`, `+Inf`, `-Inf`, and `-0`.
 */
export function formatFloatF(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  return expandExponent(String(v));
}

/**
 * Go `strconv.ParseFloat(s, 64)` for the values Prometheus puts on the wire (`"0.5"`, `"NaN"`,
 * `"+Inf"`, `"-Inf"`, `"1e-7"`). Returns undefined where Go would return a syntax error.
 * (`parseFloat` is not used: it reads `"+Inf"` as NaN and accepts trailing garbage.)
 */
export function parseGoFloat(s: string): number | undefined {
  const lower = s.toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(lower)) return lower.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(lower)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(lower)) return undefined;
  return Number(s); // out-of-range values become ±Inf; Go returns ±Inf too (with ErrRange)
}

function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Go `encoding/json` string encoding: HTML-safe (`<>&` escaped), U+2028/2029 escaped. */
export function goJsonString(s: string): string {
  // Go never emits lone surrogates: invalid UTF-16 becomes U+FFFD before encoding.
  const wellFormed = s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  return JSON.stringify(wellFormed)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Go `json.Marshal` of a decoded JSON value (`map[string]any`, `[]any`, float64, string, bool,
 * nil): no spaces, map keys sorted bytewise, HTML characters escaped. Number formatting of
 * `JSON.stringify` already matches Go's float encoder (exponent below 1e-6 and from 1e21),
 * except for negative zero. NaN and ±Inf cannot be JSON (Go fails); they are written as
 * Prometheus writes them. `keyOrder: 'preserve'` keeps insertion order, for Go structs whose
 * field order is known (the metric JSON that placeholder errors quote).
 */
export function goJsonMarshal(v: unknown, keyOrder: 'sorted' | 'preserve' = 'sorted'): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return formatFloatF(v);
    return Object.is(v, -0) ? '-0' : JSON.stringify(v);
  }
  if (typeof v === 'string') return goJsonString(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map((x) => goJsonMarshal(x, keyOrder)).join(',')}]`;
  if (typeof v === 'object') {
    const obj = v as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
    if (keyOrder === 'sorted') keys.sort(compareUtf8);
    return `{${keys.map((k) => `${goJsonString(k)}:${goJsonMarshal(obj[k], keyOrder)}`).join(',')}}`;
  }
  return 'null';
}

/** Go `%v` of a float64, i.e. `strconv.FormatFloat(v, 'g', -1, 64)`. */
function formatFloatV(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  // Shortest %g switches to an exponent when the decimal exponent is < -4 or >= 6 (strconv
  // fixes the precision at 6 for that decision), with at least two exponent digits: 1e+06.
  const [mant, expStr] = v.toExponential().split('e') as [string, string];
  const exp = Number(expStr);
  if (exp < -4 || exp >= 6) {
    const abs = Math.abs(exp);
    return `${mant}e${exp < 0 ? '-' : '+'}${abs < 10 ? `0${abs}` : abs}`;
  }
  return expandExponent(String(v));
}

/** Go `%v` of a decoded JSON value, used in JSONPath errors (`map[a:1 b:[x y]] is not ...`). */
export function goSprintV(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'number') return formatFloatV(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goSprintV).join(' ')}]`;
  if (typeof v === 'object') {
    const obj = v as Record<string, unknown>;
    const keys = Object.keys(obj).sort(compareUtf8);
    return `map[${keys.map((k) => `${k}:${goSprintV(obj[k])}`).join(' ')}]`;
  }
  return String(v);
}

/** Go `strconv.Atoi` as used by IntOrString.IntValue(): a failed parse is 0. */
export function goAtoi(s: string): number {
  if (!/^[+-]?[0-9]+$/.test(s)) return 0;
  const n = Number(s);
  if (!Number.isSafeInteger(n) && Math.abs(n) > 9223372036854775807) return 0;
  return n;
}
