/**
 * Instants (epoch milliseconds) to and from the RFC 3339 strings stored in status. Whole
 * seconds are written without a fraction, as Kubernetes' metav1.Time writes them.
 */
export type Instant = number;

export function formatTime(ms: Instant): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

/**
 * Parsed times by text: the same few timestamps of a run are read on every reconcile, and
 * Date.parse showed in the engine's profile. Bounded; cleared when full.
 */
const parsed = new Map<string, number>();
const PARSED_MAX = 50_000;

/** Parse an RFC 3339 time; undefined for absent or unparseable values. */
export function parseTime(text: string | undefined | null): Instant | undefined {
  if (!text) return undefined;
  let ms = parsed.get(text);
  if (ms === undefined) {
    ms = Date.parse(text);
    if (parsed.size >= PARSED_MAX) parsed.clear();
    parsed.set(text, ms);
  }
  return Number.isNaN(ms) ? undefined : ms;
}
