/**
 * Instants (epoch milliseconds) to and from the RFC 3339 strings stored in status. Whole
 * seconds are written without a fraction, as Kubernetes' metav1.Time writes them.
 */
export type Instant = number;

/**
 * The one time source of the code base: the reconcile reads it, the engine measures ticks with
 * it, and the scheduler's timers (scheduler/clock.ts) extend it. Tests drive it by hand.
 */
export interface Clock {
  now(): Instant;
}

/**
 * The whole-second prefix (`2024-05-01T10:00:00`) of the last second formatted: every
 * measurement formats two instants, mostly within the same second, and Date#toISOString showed
 * in the engine's profile. Only instants in years 0000-9999 take the fast path (toISOString
 * writes others with a sign and six digits).
 */
let prefixSecond = Number.NaN;
let prefix = '';
const MAX_FAST_MS = 253402300799999; // 9999-12-31T23:59:59.999Z

export function formatTime(ms: Instant): string {
  if (Number.isInteger(ms) && ms >= 0 && ms <= MAX_FAST_MS) {
    const frac = ms % 1000;
    const second = ms - frac;
    if (second !== prefixSecond) {
      prefix = new Date(second).toISOString().slice(0, 19);
      prefixSecond = second;
    }
    if (frac === 0) return `${prefix}Z`;
    return `${prefix}.${frac < 10 ? '00' : frac < 100 ? '0' : ''}${frac}Z`;
  }
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

/** Parse an RFC 3339 time; undefined for absent or unparseable values. */
export function parseTime(text: string | undefined | null): Instant | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * The instant that `formatTime(ms)` stores, as read back: status holds whole milliseconds (a
 * fraction from a sub-millisecond duration is truncated, as Date truncates it).
 */
export function storedInstant(ms: Instant): Instant {
  return Math.trunc(ms);
}
