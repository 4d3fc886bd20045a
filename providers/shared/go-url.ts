/**
 * Go's `net/url` query handling where it shapes what a provider sends: `ParseQuery` (pairs split
 * on `&`, pairs with `;` or a bad escape dropped, `+` is a space) and `Values.Encode` (keys
 * sorted, `QueryEscape`: everything but `A-Za-z0-9-_.~` percent-encoded, space as `+`).
 */

type GoValues = Map<string, string[]>;

function queryUnescape(s: string): string | undefined {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

export function goParseQuery(raw: string): GoValues {
  const values: GoValues = new Map();
  for (const part of raw.split('&')) {
    if (part === '' || part.includes(';')) continue;
    const eq = part.indexOf('=');
    const key = queryUnescape(eq < 0 ? part : part.slice(0, eq));
    const value = queryUnescape(eq < 0 ? '' : part.slice(eq + 1));
    if (key === undefined || value === undefined) continue;
    values.set(key, [...(values.get(key) ?? []), value]);
  }
  return values;
}

/** Go's `url.QueryEscape`: everything but `A-Za-z0-9-_.~` is %-escaped, a space is `+`. */
export function goQueryEscape(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function goEncodeValues(values: GoValues): string {
  return [...values.keys()]
    .sort()
    .flatMap((k) => (values.get(k) ?? []).map((v) => `${goQueryEscape(k)}=${goQueryEscape(v)}`))
    .join('&');
}

/** Argo's `IsUrl`: Go's url.Parse must succeed with a scheme and a host. */
export function isUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol !== '' && u.host !== '';
  } catch {
    return false;
  }
}
