/**
 * Building blocks shared by the resource and provider schemas.
 *
 * Every helper here is written so that ONE zod schema serves two purposes:
 *  - run-time validation of manifests (`load.ts`), and
 *  - generation of the CRD openAPIV3Schema (`crd.ts`), through `z.toJSONSchema` plus a small
 *    post-processor. The `.meta()` keys below are the hints that post-processor relies on.
 *
 * Rules that follow from Argo's CRDs and Go types:
 *  - Objects are strict: Argo's CRDs declare every field, and `kubectl apply` (strict field
 *    validation) rejects undeclared ones, so a typo such as `sucessCondition` is an error here too
 *    instead of being silently ignored. Only ObjectMeta is loose (see resources.ts).
 *  - Nothing here has a zod `.default()`: parsing must not add fields, so a parsed manifest
 *    round-trips. Where Argo's CRD declares a default, it is recorded with `crdDefault()` and only
 *    appears in the generated CRD.
 *  - Durations stay strings (Go `time.ParseDuration` syntax is checked by the engine, as Argo does at
 *    reconcile time, not by the CRD).
 */
import { z } from 'zod';

/**
 * Kubernetes IntOrString (`count`, `failureLimit`, ...): an integer or any string. Go reads a string
 * with `Atoi` at evaluation time (a failed parse is 0), so the string's content is not checked here.
 * The custom message starts with "expected" so the issue formatter appends what was found instead.
 */
export const intOrString = () =>
  z
    .union([z.int(), z.string()], {
      error: (iss) => (iss.code === 'invalid_union' ? 'expected integer or string' : undefined),
    })
    .meta({ 'x-kubernetes-int-or-string': true });

/** Go int32 (counters, limits, TTL seconds). The range matters: Go's decoder rejects overflow. */
export const int32 = () => z.int32().meta({ format: 'int32' });

/** Go int64 (timeouts in seconds, Kayenta thresholds). JS numbers are exact up to 2^53, which is enough. */
export const int64 = () => z.int().meta({ format: 'int64' });

/** A Go duration string such as `30s` or `1h30m`; parsed by the engine, never by the schema. */
export const duration = () => z.string();

/**
 * A metav1.Time: an RFC 3339 timestamp with a time zone (`2024-05-01T12:00:00Z`). Go's decoder
 * rejects anything else, and so does the CRD (`format: date-time`). YAML 1.2 core keeps an unquoted
 * timestamp a string, so this works for hand-written YAML too.
 */
export const timestamp = () => z.iso.datetime({ offset: true });

/**
 * A free-form JSON object that the CRD stores untouched (`x-kubernetes-preserve-unknown-fields`):
 * a job's batch/v1 JobSpec, a web metric's `jsonBody`, the plugin map. Its content is interpreted
 * by whoever consumes it (the Job API, the HTTP backend, the plugin).
 */
export const freeForm = () =>
  z.record(z.string(), z.unknown()).meta({ 'x-kubernetes-preserve-unknown-fields': true });

/** `map[string]string` (labels, annotations, metadata, Datadog queries). */
export const stringMap = () => z.record(z.string(), z.string());

/**
 * Records a default that Argo's CRD declares (the API server applies it when the object is stored).
 * It only shows up in the generated CRD: zod never fills it in, so loaded files stay as written and
 * the engine applies Argo's code-level defaults itself.
 */
export function crdDefault<T extends z.ZodType>(schema: T, value: string | number | boolean): T {
  return schema.meta({ default: value });
}
