/**
 * Instants (epoch milliseconds) to and from the RFC 3339 strings stored in status. Whole
 * seconds are written without a fraction, as Kubernetes' metav1.Time writes them.
 */
export type Instant = number;

export function formatTime(ms: Instant): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

/** Parse an RFC 3339 time; undefined for absent or unparseable values. */
export function parseTime(text: string | undefined | null): Instant | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
