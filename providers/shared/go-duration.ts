/**
 * Go `time.ParseDuration`, for provider fields Argo reads as Go durations (Prometheus
 * `rangeQuery.step`). Error texts are Go's, because Argo wraps them into the measurement message
 * (`failed to parse rangeQuery.step as duration: time: unknown unit "d" in duration "1d"`).
 */
import { goQuote } from './go-format.js';

export type GoDuration = { ok: true; seconds: number } | { ok: false; error: string };

const UNIT_SECONDS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  'µs': 1e-6, // U+00B5 micro sign
  'μs': 1e-6, // U+03BC Greek mu
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

/** Largest duration Go can represent (int64 nanoseconds), in seconds. */
const MAX_SECONDS = 9223372036.854775807;

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

export function parseGoDuration(text: string): GoDuration {
  const invalid: GoDuration = { ok: false, error: `time: invalid duration ${goQuote(text)}` };
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s.startsWith('-');
    s = s.slice(1);
  }
  if (s === '0') return { ok: true, seconds: 0 };
  if (s === '') return invalid;
  let total = 0;
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]))) return invalid;
    let i = 0;
    while (isDigit(s[i])) i++;
    const whole = s.slice(0, i);
    s = s.slice(i);
    let frac = '';
    if (s.startsWith('.')) {
      let j = 1;
      while (isDigit(s[j])) j++;
      frac = s.slice(1, j);
      s = s.slice(j);
    }
    if (whole === '' && frac === '') return invalid; // "." alone
    let u = 0;
    while (u < s.length && s[u] !== '.' && !isDigit(s[u])) u++;
    if (u === 0) return { ok: false, error: `time: missing unit in duration ${goQuote(text)}` };
    const unit = s.slice(0, u);
    s = s.slice(u);
    const scale = UNIT_SECONDS[unit];
    if (scale === undefined) {
      return { ok: false, error: `time: unknown unit ${goQuote(unit)} in duration ${goQuote(text)}` };
    }
    total += (whole === '' ? 0 : Number(whole)) * scale + (frac === '' ? 0 : Number(`0.${frac}`)) * scale;
    if (!Number.isFinite(total) || total > MAX_SECONDS) return invalid;
  }
  return { ok: true, seconds: negative ? -total : total };
}
