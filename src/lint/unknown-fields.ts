/**
 * Unknown fields in the analysis kinds. Argo's CRDs prune them silently and Argo goes on, so an
 * unknown field is not by itself an error — except when it is a near miss of a field that exists
 * at that place (`sucessCondition`, `failurelimit`): then the setting the author wrote is lost
 * (a metric without its successCondition passes whatever the data says), which is an error.
 * Fields Argo renamed long ago (`maxFailures`) get a hint naming today's field.
 */
import type { z } from 'zod';
import { RESOURCE_SCHEMAS, type AnalysisKind } from '../api/schema.js';
import { closest } from './problem.js';

const RENAMED: Record<string, string> = {
  maxFailures: 'failureLimit',
  maxInconclusive: 'inconclusiveLimit',
  maxConsecutiveErrors: 'consecutiveErrorLimit',
};

/** `spec.metrics[0].provider.plugin["a/b"]` back into segments. */
export function parsePath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\.?([^.[\]]+)/g;
  for (const m of path.matchAll(re)) {
    if (m[1] !== undefined) out.push(Number(m[1]));
    else if (m[2] !== undefined) out.push(JSON.parse(m[2]) as string);
    else if (m[3] !== undefined) out.push(m[3]);
  }
  return out;
}

type AnyDef = { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType; innerType?: z.ZodType; valueType?: z.ZodType };

/** The field names the schema allows in the object at `path`, or undefined when it is free-form. */
function knownKeysAt(kind: AnalysisKind, path: readonly (string | number)[]): string[] | undefined {
  let schema = RESOURCE_SCHEMAS[kind] as unknown as z.ZodType;
  const unwrap = () => {
    for (;;) {
      const def = (schema as unknown as { def: AnyDef }).def;
      if ((def.type === 'optional' || def.type === 'nullable' || def.type === 'default') && def.innerType) schema = def.innerType;
      else return def;
    }
  };
  for (const seg of path) {
    const def = unwrap();
    if (def.type === 'object' && typeof seg === 'string' && def.shape?.[seg]) schema = def.shape[seg]!;
    else if (def.type === 'array' && typeof seg === 'number' && def.element) schema = def.element;
    else if (def.type === 'record' && def.valueType) schema = def.valueType;
    else return undefined;
  }
  const def = unwrap();
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : undefined;
}

/** Severity and message for an unknown field the loader found at `path` (its last segment). */
export function judgeUnknownField(kind: string, path: string): { severity: 'error' | 'warning'; message: string } {
  const segs = parsePath(path);
  const field = String(segs[segs.length - 1] ?? '');
  if (field === 'creationTimestamp') {
    return { severity: 'warning', message: "creationTimestamp (what kubectl --dry-run writes) is pruned by Argo's CRD: harmless, remove it" };
  }
  const renamed = RENAMED[field];
  if (renamed !== undefined) {
    return { severity: 'warning', message: `unknown field: Argo's CRD prunes it (Argo renamed it "${renamed}"; without it the default applies)` };
  }
  const known = kind in RESOURCE_SCHEMAS ? knownKeysAt(kind as AnalysisKind, segs.slice(0, -1)) : undefined;
  const near = known ? closest(field, known) : undefined;
  if (near !== undefined) {
    return { severity: 'error', message: `unknown field (did you mean "${near}"?): Argo's CRD prunes it silently, so the ${near} written here never applies` };
  }
  return { severity: 'warning', message: "unknown field: Argo's CRD prunes it silently" };
}
