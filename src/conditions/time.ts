/**
 * The parts of Go's `time` package that expr exposes: ParseDuration, Parse/ParseInLocation with
 * reference layouts ("2006-01-02 15:04:05"), and LoadLocation. IANA zones are resolved with Intl;
 * "Local" is treated as UTC (the controller runs in a UTC container and assay must be deterministic).
 */
import { fail, GoLocation, GoTime, UTC } from './types.js';
import { goQuote } from './strconv.js';

const UNITS: Record<string, bigint> = {
  ns: 1n, us: 1000n, 'µs': 1000n, 'μs': 1000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n,
};
const MAX_DURATION = 2n ** 63n - 1n;

/** Go `time.ParseDuration`. */
export function parseDuration(orig: string): bigint {
  const invalid = (): never => fail(`time: invalid duration ${goQuote(orig)}`);
  let s = orig;
  let neg = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') invalid();
  let total = 0n;
  while (s !== '') {
    const m = /^([0-9]*)(?:\.([0-9]*))?/.exec(s);
    const intPart = m?.[1] ?? '';
    const fracPart = m?.[2];
    if (intPart === '' && (fracPart === undefined || fracPart === '')) invalid();
    s = s.slice(m?.[0].length ?? 0);
    const unitMatch = /^[^0-9.]+/.exec(s);
    if (unitMatch === null) fail(`time: missing unit in duration ${goQuote(orig)}`);
    const u = unitMatch[0];
    const unit = Object.hasOwn(UNITS, u) ? UNITS[u] : undefined;
    if (unit === undefined) fail(`time: unknown unit ${goQuote(u)} in duration ${goQuote(orig)}`);
    s = s.slice(u.length);
    let v = BigInt(intPart || '0') * unit;
    if (fracPart) v += (BigInt(fracPart) * unit) / 10n ** BigInt(fracPart.length);
    total += v;
    if (total > MAX_DURATION + (neg ? 1n : 0n)) invalid();
  }
  return neg ? -total : total;
}

/** Go `time.LoadLocation`. */
export function loadLocation(name: string): GoLocation {
  if (name === '' || name === 'UTC' || name === 'Local') return UTC;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
  } catch {
    return fail(`unknown time zone ${name}`);
  }
  return new GoLocation(name);
}

/** Offset (ms east of UTC) of `loc` at the instant `utcMs`. */
function offsetAt(loc: GoLocation, utcMs: number): number {
  if (loc.name === 'UTC') return 0;
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: loc.name, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(utcMs));
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(utcMs / 1000) * 1000;
}

/** Wall clock in `loc` -> UTC ms (two refinements cover DST transitions). */
function wallToUtc(loc: GoLocation, wallMs: number): number {
  const first = wallMs - offsetAt(loc, wallMs);
  return wallMs - offsetAt(loc, first);
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Layout chunks, longest first (Go's nextStdChunk). */
const CHUNKS = [
  'January', 'Monday', '-07:00:00', 'Z07:00:00', '-070000', 'Z070000', '-07:00', 'Z07:00', '-0700', 'Z0700',
  '2006', 'Jan', 'Mon', 'MST', '002', '__2', '-07', 'Z07', '01', '02', '03', '04', '05', '06', '15', '_2', 'PM', 'pm',
  '1', '2', '3', '4', '5',
];

interface Fields {
  year: number; month: number; day: number; hour: number; min: number; sec: number; nsec: number;
  pm: boolean | null; offsetSec: number | null; zoneAbbr: string | null;
}

/** Go `time.Parse` (loc = UTC) / `time.ParseInLocation`. */
export function parseTime(layout: string, value: string, loc: GoLocation = UTC): GoTime {
  const bad = (chunk: string, rest: string): never =>
    fail(`parsing time ${goQuote(value)} as ${goQuote(layout)}: cannot parse ${goQuote(rest)} as ${goQuote(chunk)}`);
  const f: Fields = { year: 1, month: 1, day: 1, hour: 0, min: 0, sec: 0, nsec: 0, pm: null, offsetSec: null, zoneAbbr: null };
  let l = layout;
  let v = value;
  const num = (chunk: string, min: number, max: number): number => {
    const m = new RegExp(`^[0-9]{${min},${max}}`).exec(v);
    if (!m) return bad(chunk, v);
    v = v.slice(m[0].length);
    return Number(m[0]);
  };
  while (l !== '') {
    const frac = /^[.,](0+|9+)(?![0-9])/.exec(l);
    const chunk = frac ? frac[0] : CHUNKS.find((c) => l.startsWith(c));
    if (chunk === undefined) {
      if (v[0] !== l[0]) bad(l, v);
      l = l.slice(1);
      v = v.slice(1);
      continue;
    }
    l = l.slice(chunk.length);
    if (frac) {
      const m = /^[.,]([0-9]+)/.exec(v);
      const zeros = frac[1]?.startsWith('0') ?? false;
      if (!m && !zeros) continue; // `.999` makes the fraction optional
      if (!m || (zeros && (m[1] ?? '').length !== chunk.length - 1)) bad(chunk, v);
      f.nsec = Number(((m?.[1] ?? '') + '000000000').slice(0, 9));
      v = v.slice(m?.[0].length ?? 0);
      continue;
    }
    switch (chunk) {
      case '2006': f.year = num(chunk, 4, 4); break;
      case '06': { const y = num(chunk, 2, 2); f.year = y >= 69 ? 1900 + y : 2000 + y; break; }
      case 'January': case 'Jan': {
        const i = MONTHS.findIndex((m) => v.toLowerCase().startsWith((chunk === 'Jan' ? m.slice(0, 3) : m).toLowerCase()));
        if (i < 0) bad(chunk, v);
        v = v.slice(chunk === 'Jan' ? 3 : (MONTHS[i] ?? '').length);
        f.month = i + 1;
        break;
      }
      case 'Monday': case 'Mon': {
        const i = DAYS.findIndex((d) => v.toLowerCase().startsWith((chunk === 'Mon' ? d.slice(0, 3) : d).toLowerCase()));
        if (i < 0) bad(chunk, v);
        v = v.slice(chunk === 'Mon' ? 3 : (DAYS[i] ?? '').length);
        break;
      }
      case '01': f.month = num(chunk, 2, 2); break;
      case '1': f.month = num(chunk, 1, 2); break;
      case '02': f.day = num(chunk, 2, 2); break;
      case '_2': if (v[0] === ' ') v = v.slice(1); f.day = num(chunk, 1, 2); break;
      case '2': f.day = num(chunk, 1, 2); break;
      case '002': case '__2': num(chunk, 1, 3); break; // day of year: accepted, not applied
      case '15': f.hour = num(chunk, 1, 2); break;
      case '03': case '3': f.hour = num(chunk, chunk.length, 2); break;
      case '04': case '4': f.min = num(chunk, chunk.length, 2); break;
      case '05': case '5': {
        f.sec = num(chunk, chunk.length, 2);
        // Go accepts a fractional second after the seconds even when the layout has none.
        const m = /^[.,]([0-9]+)/.exec(v);
        if (m && !/^[.,][09]/.test(l)) {
          f.nsec = Number(((m[1] ?? '') + '000000000').slice(0, 9));
          v = v.slice(m[0].length);
        }
        break;
      }
      case 'PM': case 'pm': {
        const ampm = v.slice(0, 2).toUpperCase();
        if (ampm !== 'AM' && ampm !== 'PM') bad(chunk, v);
        f.pm = ampm === 'PM';
        v = v.slice(2);
        break;
      }
      case 'MST': {
        const m = /^(UTC|[A-Z]{3,5}|[+-][0-9]{2,4})/.exec(v);
        if (!m) bad(chunk, v);
        f.zoneAbbr = m?.[0] ?? null;
        v = v.slice(m?.[0].length ?? 0);
        break;
      }
      default: {
        // Numeric zone offsets; the Z forms also accept a literal "Z" for UTC.
        if (chunk.startsWith('Z') && v[0] === 'Z') {
          f.offsetSec = 0;
          v = v.slice(1);
          break;
        }
        const shape = chunk.replace(/^Z/, '-').replace(/[0-9]/g, '9');
        const re = new RegExp(`^[+-]${shape.slice(1).replace(/9/g, '[0-9]')}`);
        const m = re.exec(v);
        if (!m) bad(chunk, v);
        const digits = (m?.[0] ?? '').replace(/[^0-9]/g, '');
        const secs = Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2, 4) || 0) * 60 + Number(digits.slice(4, 6) || 0);
        f.offsetSec = v[0] === '-' ? -secs : secs;
        v = v.slice(m?.[0].length ?? 0);
      }
    }
  }
  if (v !== '') fail(`parsing time ${goQuote(value)}: extra text: ${goQuote(v)}`);
  return build(f, value, loc);
}

function build(f: Fields, value: string, loc: GoLocation): GoTime {
  const range = (what: string): never => fail(`parsing time ${goQuote(value)}: ${what} out of range`);
  if (f.pm !== null) {
    if (f.hour < 1 || f.hour > 12) range('hour');
    if (f.pm && f.hour < 12) f.hour += 12;
    else if (!f.pm && f.hour === 12) f.hour = 0;
  }
  if (f.month < 1 || f.month > 12) range('month');
  const daysIn = new Date(Date.UTC(f.year, f.month, 0)).getUTCDate();
  if (f.day < 1 || f.day > daysIn) range('day');
  if (f.hour > 23) range('hour');
  if (f.min > 59) range('minute');
  if (f.sec > 59) range('second');
  const d = new Date(0);
  d.setUTCFullYear(f.year, f.month - 1, f.day);
  d.setUTCHours(f.hour, f.min, f.sec, 0);
  const wall = d.getTime();
  let utcMs: number;
  let outLoc = loc;
  if (f.offsetSec !== null) {
    utcMs = wall - f.offsetSec * 1000;
  } else if (f.zoneAbbr !== null && f.zoneAbbr !== 'UTC') {
    // Unknown abbreviations get a fabricated zero-offset location (Go's documented behaviour).
    utcMs = wall;
    outLoc = new GoLocation(f.zoneAbbr);
  } else {
    utcMs = f.zoneAbbr === 'UTC' ? wall : wallToUtc(loc, wall);
  }
  return new GoTime(BigInt(utcMs) * 1_000_000n + BigInt(f.nsec), outLoc);
}

/** The layouts `date(s)` tries when no layout is given. */
export const DEFAULT_LAYOUTS = [
  '2006-01-02', '15:04:05', '2006-01-02 15:04:05', '2006-01-02T15:04:05Z07:00',
  '02 Jan 06 15:04 MST', 'Monday, 02-Jan-06 15:04:05 MST', 'Mon, 02 Jan 2006 15:04:05 MST',
];

export function timeToMs(t: GoTime): number {
  return Number(t.ns / 1_000_000n);
}
