import { randomInt } from 'node:crypto';
import type { JsonObject, KubeObject } from './types.js';

export function isPlainObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Objects are stored and handed out as copies so callers can never alias the store. */
export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/**
 * Custom resources are served from map[string]interface{} in the apiserver, and Go's JSON encoder
 * sorts map keys. Reproducing that keeps responses byte-for-byte shaped like a real server's.
 */
export function sortKeysDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeysDeep);
  if (!isPlainObject(v)) return v;
  const out: JsonObject = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeysDeep(v[k]);
  return out;
}

/** metav1.Time serializes as RFC 3339 with second precision, always UTC. */
export function rfc3339(d: Date = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Re-serialize a client-sent timestamp the way the typed apiserver would (seconds or micros). */
export function normalizeTime(v: unknown, micro: boolean): unknown {
  if (typeof v !== 'string' || v === '') return v;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return v;
  if (!micro) return rfc3339(d);
  // Keep sub-millisecond digits the client sent; Date only holds milliseconds.
  const frac = /\.(\d+)/.exec(v)?.[1] ?? '';
  return rfc3339(d).replace(/Z$/, `.${(frac + '000000').slice(0, 6)}Z`);
}

// The apiserver's name generator alphabet (no vowels, no confusable characters).
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';
export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHANUMS[randomInt(ALPHANUMS.length)];
  return s;
}

export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

export function objectKey(obj: KubeObject): string {
  const ns = obj.metadata.namespace;
  return ns ? `${ns}/${obj.metadata.name ?? ''}` : (obj.metadata.name ?? '');
}
