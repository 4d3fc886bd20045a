/**
 * File names of the file store. A run is `<namespace>.<name>` (Kubernetes namespaces cannot
 * contain '.', so the first '.' splits the key) plus a suffix per file. Every valid Kubernetes
 * name must fit a file system's 255-byte limit with the longest suffix and a temporary-file tag:
 * a stem longer than MAX_STEM keeps a readable prefix of the name and a hash of the whole key
 * (`shop.very-long-name…~3f2a9c0d1e4b5a67`). Files are matched to runs by the metadata inside
 * them, never by parsing the name back, so hashed stems need no lookup table.
 */
import { createHash, randomBytes } from 'node:crypto';
import { splitRunKey, type RunKey } from './run-store.js';

export const SPEC = '.yaml';
export const STATUS = '.status.json';
/** "A tick of this run is in progress": see FileRunStore.beginTick. */
export const TICK = '.tick';
export const TMP = '.tmp';

/** 63 (namespace) + 1 + 99 (name prefix) + 1 + 16 (hash): leaves room for `.status.json.<8 hex>.tmp`. */
const MAX_STEM = 180;
const HASHED_PREFIX = 99;

export function stemOf(key: RunKey): string {
  const { namespace, name } = splitRunKey(key);
  const plain = `${namespace}.${name}`;
  if (Buffer.byteLength(plain) <= MAX_STEM) return plain;
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
  return `${namespace}.${name.slice(0, HASHED_PREFIX)}~${hash}`;
}

/** The stem of a store file name, or undefined for files that are not a run's. */
export function stemOfFile(file: string): { stem: string; kind: 'spec' | 'status' | 'tick' } | undefined {
  if (file.endsWith(TMP)) return undefined;
  for (const [suffix, kind] of [[STATUS, 'status'], [SPEC, 'spec'], [TICK, 'tick']] as const) {
    if (file.endsWith(suffix)) {
      const stem = file.slice(0, -suffix.length);
      return stem.includes('.') ? { stem, kind } : undefined;
    }
  }
  return undefined;
}

/** The key a stem was made from when it is not hashed (a guess for messages about unreadable files). */
export function keyGuess(stem: string): RunKey {
  const dot = stem.indexOf('.');
  return `${stem.slice(0, dot)}/${stem.slice(dot + 1)}`;
}

/** A temporary file beside `path`: short, so that it fits beside the longest stem. */
export function tmpPath(path: string): string {
  return `${path}.${randomBytes(4).toString('hex')}${TMP}`;
}
