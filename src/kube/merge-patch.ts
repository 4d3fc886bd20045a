/**
 * RFC 7386 JSON merge patch between two JSON documents: the smallest patch that turns `from`
 * into `to`. Removed keys become null, arrays are replaced whole (merge patch cannot edit an
 * array), unchanged keys are left out. Pure. Used to write AnalysisRun status the way Argo does
 * (a merge patch on the main resource, only when something changed).
 */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => equal(a[k], b[k]));
  }
  return false;
}

/** The merge patch from `from` to `to`, or undefined when they are equal. */
export function mergePatchDiff(from: unknown, to: unknown): Json | undefined {
  if (equal(from, to)) return undefined;
  if (!isObject(from) || !isObject(to)) return (to === undefined ? null : to) as Json;
  const patch: Record<string, Json> = {};
  for (const key of Object.keys(from)) {
    if (from[key] !== undefined && (!(key in to) || to[key] === undefined)) patch[key] = null;
  }
  for (const [key, value] of Object.entries(to)) {
    if (value === undefined) continue;
    const d = mergePatchDiff(from[key], value);
    if (d !== undefined) patch[key] = d;
  }
  return patch;
}

/** Apply a merge patch (RFC 7386), for tests and for keeping a local copy in step. */
function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}
