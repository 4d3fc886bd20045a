/**
 * Go's `time.ParseDuration`, reproduced so that intervals, initial delays and error messages
 * match Argo exactly (`invalid interval string: time: unknown unit "d" in duration "1d"`).
 * Returns milliseconds (fractions allowed: Go durations have nanosecond resolution).
 */
import { goQuote } from './format.js';

type DurationResult = { ok: true; ms: number } | { ok: false; error: string };

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3, // U+00B5 micro sign
  'μs': 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

const MAX_NS = 9223372036854775807; // int64 max, as a double

export function parseGoDuration(text: string): DurationResult {
  const orig = text;
  const invalid = (): DurationResult => ({ ok: false, error: `time: invalid duration ${goQuote(orig)}` });
  let s = text;
  let neg = false;
  if (s !== '') {
    const c = s[0];
    if (c === '-' || c === '+') {
      neg = c === '-';
      s = s.slice(1);
    }
  }
  if (s === '0') return { ok: true, ms: 0 };
  if (s === '') return invalid();
  let totalNs = 0;
  while (s !== '') {
    // The next character must be [0-9.]
    if (!(s[0] === '.' || (s[0]! >= '0' && s[0]! <= '9'))) return invalid();
    let i = 0;
    while (i < s.length && s[i]! >= '0' && s[i]! <= '9') i++;
    const intPart = s.slice(0, i);
    s = s.slice(i);
    let fracPart = '';
    if (s[0] === '.') {
      s = s.slice(1);
      let j = 0;
      while (j < s.length && s[j]! >= '0' && s[j]! <= '9') j++;
      fracPart = s.slice(0, j);
      s = s.slice(j);
    }
    if (intPart === '' && fracPart === '') return invalid(); // "." or ".s"
    let u = 0;
    while (u < s.length && s[u] !== '.' && !(s[u]! >= '0' && s[u]! <= '9')) u++;
    if (u === 0) return { ok: false, error: `time: missing unit in duration ${goQuote(orig)}` };
    const unit = s.slice(0, u);
    s = s.slice(u);
    const scale = UNIT_NS[unit];
    if (scale === undefined) {
      return { ok: false, error: `time: unknown unit ${goQuote(unit)} in duration ${goQuote(orig)}` };
    }
    const whole = intPart === '' ? 0 : Number(intPart);
    const frac = fracPart === '' ? 0 : Number(`0.${fracPart}`);
    const ns = whole * scale + frac * scale;
    if (!Number.isFinite(ns) || whole * scale > MAX_NS) return invalid();
    totalNs += ns;
    if (totalNs > MAX_NS) return invalid();
  }
  const ms = totalNs / 1e6;
  return { ok: true, ms: neg ? -ms : ms };
}

/** Go's `Duration.String()` (e.g. `1m30s`, `1.5s`, `0s`), used when reporting durations. */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let ns = Math.round(Math.abs(ms) * 1e6);
  let out: string;
  if (ns < 1e9) {
    // Sub-second durations use the smallest unit that keeps an integer part.
    if (ns < 1e3) out = `${ns}ns`;
    else if (ns < 1e6) out = `${trimFrac(ns / 1e3)}µs`;
    else out = `${trimFrac(ns / 1e6)}ms`;
  } else {
    const h = Math.floor(ns / 3600e9);
    ns -= h * 3600e9;
    const m = Math.floor(ns / 60e9);
    ns -= m * 60e9;
    const sec = trimFrac(ns / 1e9);
    out = h > 0 ? `${h}h${m}m${sec}s` : m > 0 ? `${m}m${sec}s` : `${sec}s`;
  }
  return neg ? `-${out}` : out;
}

function trimFrac(n: number): string {
  return String(Number(n.toFixed(9)));
}
