/**
 * The one redaction of secret values, used wherever text can reach output (status, events, logs,
 * SSE, `assay run` output). A secret reaches text not only as itself: Go's %q quoting of a URL
 * (`Get "http://…"`) escapes `"` and `\`, JSON escapes them again, a backend may echo a query
 * string percent-encoded. So each secret is expanded into the forms those transformations give
 * it, and every occurrence of any form is masked.
 *
 * Overlapping secrets (`1a2b3c` and `3c4d5e` in `1a2b3c4d5e`) are masked as one span: replacing
 * one secret and then the next would leave part of the second behind (`*****4d5e`).
 */
import { goQuote } from '../go/format.js';

export const MASK = '*****';

const variantCache = new Map<string, readonly string[]>();

function tryEncode(f: () => string): string | undefined {
  try {
    return f();
  } catch {
    return undefined; // lone surrogates cannot be percent-encoded
  }
}

const lowerHex = (s: string): string => s.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase());

/** The forms of one secret that output can contain, longest first. */
function secretVariants(secret: string): readonly string[] {
  let out = variantCache.get(secret);
  if (out !== undefined) return out;
  const forms = new Set<string>([secret]);
  const goInner = goQuote(secret).slice(1, -1);
  const jsonInner = JSON.stringify(secret).slice(1, -1);
  forms.add(goInner);
  forms.add(jsonInner);
  // Go's json.Marshal also escapes <, >, & (HTML-safe) and U+2028/2029.
  forms.add(jsonInner.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  // A Go-quoted message inside a JSON document (a status file, an SSE frame, a log line).
  forms.add(JSON.stringify(goInner).slice(1, -1));
  for (const enc of [
    tryEncode(() => encodeURIComponent(secret)),
    tryEncode(() => encodeURI(secret)),
    tryEncode(() => new URLSearchParams({ q: secret }).toString().slice(2)),
    tryEncode(() => new URL(`http://h/?${secret}`).search.slice(1)),
    tryEncode(() => new URL(`http://h/${secret}`).pathname.slice(1)),
    tryEncode(() => encodeURIComponent(secret).replace(/%20/g, '+')),
  ]) {
    if (enc === undefined) continue;
    forms.add(enc);
    forms.add(lowerHex(enc));
  }
  out = [...forms].filter((f) => f !== '').sort((a, b) => b.length - a.length);
  if (variantCache.size >= 1000) variantCache.clear();
  variantCache.set(secret, out);
  return out;
}

/** `text` with every form of every secret masked; overlapping matches merge into one mask. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  if (text === '' || secrets.length === 0) return text;
  const spans: Array<[number, number]> = [];
  for (const secret of secrets) {
    if (secret === '') continue;
    for (const form of secretVariants(secret)) {
      let at = text.indexOf(form);
      let last: [number, number] | undefined;
      while (at >= 0) {
        const end = at + form.length;
        // Consecutive matches of one form that touch or overlap extend the same span.
        if (last !== undefined && at <= last[1]) last[1] = Math.max(last[1], end);
        else spans.push((last = [at, end]));
        at = text.indexOf(form, at + 1);
      }
    }
  }
  if (spans.length === 0) return text;
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let pos = 0;
  let cur: [number, number] | undefined;
  for (const s of spans) {
    if (cur !== undefined && s[0] <= cur[1]) {
      cur[1] = Math.max(cur[1], s[1]);
      continue;
    }
    if (cur !== undefined) {
      out += text.slice(pos, cur[0]) + MASK;
      pos = cur[1];
    }
    cur = [s[0], s[1]];
  }
  out += text.slice(pos, cur![0]) + MASK + text.slice(cur![1]);
  return out;
}
