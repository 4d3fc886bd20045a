/**
 * What a measurement may store. A provider can hand back anything up to its response-body cap
 * (32 MiB over HTTP); kept whole, ten retained measurements per metric made status files of
 * hundreds of MB and every SSE client received them on every change. Argo stores the value in the
 * AnalysisRun (an etcd object of at most 1.5 MB), so a condition's verdict never depends on it:
 * conditions are evaluated on the full result before it is capped here.
 *
 * Strings over their cap are cut at a character boundary and marked: `…[truncated N bytes]`
 * (N = the UTF-8 bytes removed), so a reader knows the stored text is not the whole result.
 */
import type { Measurement } from '../api/types.js';

/** `measurement.value` (the displayed result). */
export const MAX_VALUE_BYTES = 4 * 1024;
/** `measurement.message` (errors quote the condition, itself up to 10,000 characters). */
const MAX_MESSAGE_BYTES = 16 * 1024;
/** Each `measurement.metadata` / `metricResult.metadata` value. */
const MAX_METADATA_VALUE_BYTES = 4 * 1024;
/** Metadata entries kept per measurement (the rest are dropped and counted). */
const MAX_METADATA_ENTRIES = 32;

/** `text` within `maxBytes` of UTF-8 (plus the marker), cut at a character boundary. */
export function capText(text: string, maxBytes: number): string {
  // Fast path: UTF-8 is at most 3 bytes per UTF-16 unit.
  if (text.length * 3 <= maxBytes) return text;
  const bytes = Buffer.byteLength(text);
  if (bytes <= maxBytes) return text;
  let cut = Buffer.from(text.slice(0, maxBytes)).subarray(0, maxBytes).toString('utf8');
  // A multi-byte character cut in half decodes as U+FFFD: drop it.
  if (cut.endsWith('\uFFFD') && !text.startsWith(cut)) cut = cut.slice(0, -1);
  return `${cut}…[truncated ${bytes - Buffer.byteLength(cut)} bytes]`;
}

export function capMetadata(map: Record<string, string>): Record<string, string> {
  const entries = Object.entries(map);
  const out: Record<string, string> = {};
  for (const [k, v] of entries.slice(0, MAX_METADATA_ENTRIES)) out[capText(k, 256)] = capText(v, MAX_METADATA_VALUE_BYTES);
  if (entries.length > MAX_METADATA_ENTRIES) out['assay.truncated'] = `${entries.length - MAX_METADATA_ENTRIES} more metadata entries dropped`;
  return out;
}

/** The measurement as stored: value, message and metadata within their caps. */
export function capMeasurement(m: Measurement): Measurement {
  if (m.value !== undefined) m.value = capText(m.value, MAX_VALUE_BYTES);
  if (m.message !== undefined) m.message = capText(m.message, MAX_MESSAGE_BYTES);
  if (m.metadata) m.metadata = capMetadata(m.metadata);
  return m;
}
