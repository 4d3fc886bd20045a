/**
 * HTTP header records as Go's net/http treats them. Kept apart from the HTTP client (http.ts) so
 * that config parsers, and `assay lint` through them, do not load node:http and node:https.
 */

/** Go's Header.Set semantics on a plain record: case-insensitive replace. */
export function setHeader(headers: Record<string, string>, name: string, value: string): void {
  for (const k of Object.keys(headers)) if (k.toLowerCase() === name.toLowerCase()) delete headers[k];
  headers[name] = value;
}
