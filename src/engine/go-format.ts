/**
 * Go formatting primitives that leak into Argo's user-visible strings: `strconv.Quote` (`%q`),
 * `strconv.FormatFloat(v, 'f', -1, 64)` (Prometheus values), and `encoding/json.Marshal`
 * (web values, the metric JSON quoted in placeholder errors). Reproduced so messages match.
 */

/** Go `strconv.Quote`: double-quoted, Go escapes, printable Unicode kept as is. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp >= 0x80 && cp < 0xa0) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else if (cp === 0xfffd && ch !== '\ufffd') out += '\\ufffd';
    else out += ch;
  }
  return out + '"';
}

/** Go `strconv.FormatFloat(v, 'f', -1, 64)`: shortest round-trip digits, never an exponent. */
export function formatFloatF(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  const s = String(v);
  const e = s.indexOf('e');
  if (e < 0) return s;
  // Expand JS exponent notation (used below 1e-6 and from 1e21) into plain digits.
  const mantissa = s.slice(0, e);
  const exp = Number(s.slice(e + 1));
  const neg = mantissa.startsWith('-');
  const digitsWithDot = neg ? mantissa.slice(1) : mantissa;
  const dot = digitsWithDot.indexOf('.');
  const digits = digitsWithDot.replace('.', '');
  const pointPos = (dot < 0 ? digitsWithDot.length : dot) + exp;
  let plain: string;
  if (pointPos <= 0) plain = `0.${'0'.repeat(-pointPos)}${digits}`;
  else if (pointPos >= digits.length) plain = digits + '0'.repeat(pointPos - digits.length);
  else plain = `${digits.slice(0, pointPos)}.${digits.slice(pointPos)}`;
  return neg ? `-${plain}` : plain;
}

/** Go `encoding/json` float encoding (`%g`-like with Go's exponent cut-offs). */
function goJsonFloat(v: number): string {
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
    // Go prints e-07 as e-7 after its cleanup, which matches JS's exponent form.
    return String(v).replace('e+', 'e+');
  }
  return formatFloatF(v);
}

/** Go `json.Marshal` string encoding, including its HTML-safe escapes of <, > and &. */
export function goJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return out + '"';
}

/**
 * Go `json.Marshal` of a decoded JSON value (`interface{}`): map keys sorted, no spaces.
 * NaN and ±Inf cannot be JSON; Go would fail, so they are written as Prometheus does (NaN, +Inf).
 * `keyOrder: 'preserve'` keeps insertion order, as for Go structs whose field order is known.
 */
export function goJsonMarshal(value: unknown, keyOrder: 'sorted' | 'preserve' = 'sorted'): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goJsonString(value);
  if (typeof value === 'number') return Number.isFinite(value) ? goJsonFloat(value) : formatFloatF(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return `[${value.map((v) => goJsonMarshal(v, keyOrder)).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value as object);
    if (keyOrder === 'sorted') keys.sort();
    const parts: string[] = [];
    for (const k of keys) {
      const v = (value as Record<string, unknown>)[k];
      if (v === undefined) continue;
      parts.push(`${goJsonString(k)}:${goJsonMarshal(v, keyOrder)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return goJsonString(String(value));
}

/** Go `strconv.Atoi` as used by IntOrString.IntValue(): a failed parse is 0. */
export function goAtoi(s: string): number {
  if (!/^[+-]?[0-9]+$/.test(s)) return 0;
  const n = Number(s);
  if (!Number.isSafeInteger(n) && Math.abs(n) > 9223372036854775807) return 0;
  return n;
}
