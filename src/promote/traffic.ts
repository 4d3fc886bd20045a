/**
 * What `assay promote` and `assay rollback` write, decided from the object as read: pure. The
 * previous selector/destination is recorded in an annotation on the object itself, in the same
 * write as the switch, so that whoever holds the object (another pipeline job, a person after a
 * SIGKILL) can restore it. Every write is a JSON merge patch carrying the resourceVersion that was
 * read: the apiserver rejects it with 409 if the object changed in between (a precondition).
 */
import { restoreRoute, switchRoute, type Destination } from './virtual-service-route.js';

export type TargetKind = 'Service' | 'VirtualService';
export type Selector = Record<string, string>;
export type { Destination } from './virtual-service-route.js';

export const ANNOTATION = {
  previousSelector: 'assay.dev/previous-selector',
  previousDestination: 'assay.dev/previous-destination',
  promotedBy: 'assay.dev/promoted-by',
  promotedAt: 'assay.dev/promoted-at',
  rolledBackBy: 'assay.dev/rolled-back-by',
  rolledBackAt: 'assay.dev/rolled-back-at',
} as const;

/** The object as read, only the parts the decision needs. */
export interface TrafficObject {
  metadata: { name?: string; namespace?: string; resourceVersion?: string; annotations?: Record<string, string> };
  spec?: { selector?: Record<string, string>; http?: unknown[] } & Record<string, unknown>;
}

/** Where traffic goes: a Service's selector, or a VirtualService default route's destination. */
export type Traffic = { selector: Selector } | { destination: Destination };

/** What to switch to. */
export type Desired = { kind: 'Service'; selector: Selector } | { kind: 'VirtualService'; host: string; port?: number };

/** Who wrote, and when (RFC 3339); recorded next to the previous state. */
export interface Stamp {
  by: string;
  at: string;
}

export type Plan = { ok: true; patch: Record<string, unknown>; previous: Traffic; next: Traffic } | { ok: false; error: string };

/** A merge patch that sets `selector` exactly: keys not in it are removed (null). */
function selectorPatch(from: Selector, to: Selector): Record<string, string | null> {
  const patch: Record<string, string | null> = { ...to };
  for (const k of Object.keys(from)) if (!(k in to)) patch[k] = null;
  return patch;
}

/** Removals (null) only for annotations that are there: the patch says no more than it must. */
function metadataPatch(obj: TrafficObject, annotations: Record<string, string | null>): Record<string, unknown> {
  const present = obj.metadata.annotations ?? {};
  const patch = Object.fromEntries(Object.entries(annotations).filter(([k, v]) => v !== null || k in present));
  return { resourceVersion: obj.metadata.resourceVersion, annotations: patch };
}

/** The switch: traffic to `desired`, the previous state recorded on the object, in one write. */
export function planPromotion(obj: TrafficObject, desired: Desired, stamp: Stamp): Plan {
  const stampAnnotations = {
    [ANNOTATION.promotedBy]: stamp.by,
    [ANNOTATION.promotedAt]: stamp.at,
    [ANNOTATION.rolledBackBy]: null,
    [ANNOTATION.rolledBackAt]: null,
  };
  if (desired.kind === 'Service') {
    const previous = { ...(obj.spec?.selector ?? {}) };
    return {
      ok: true,
      previous: { selector: previous },
      next: { selector: { ...desired.selector } },
      patch: {
        metadata: metadataPatch(obj, { ...stampAnnotations, [ANNOTATION.previousSelector]: JSON.stringify(previous) }),
        spec: { selector: selectorPatch(previous, desired.selector) },
      },
    };
  }
  const route = switchRoute(obj.spec?.http, desired.host, desired.port);
  if (!route.ok) return route;
  return {
    ok: true,
    previous: { destination: route.previous },
    next: { destination: route.next },
    patch: {
      metadata: metadataPatch(obj, { ...stampAnnotations, [ANNOTATION.previousDestination]: JSON.stringify(route.previous) }),
      // A merge patch replaces a list whole: the other routes are written back unchanged.
      spec: { http: route.http },
    },
  };
}

function parseRecorded(text: string | undefined, what: string): { ok: true; value: unknown } | { ok: false; error: string } {
  if (text === undefined) return { ok: false, error: `it has no ${what} annotation: nothing to roll back (assay promote records it when it switches)` };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: `its ${what} annotation is not JSON (${(err as Error).message})` };
  }
}

function isSelector(v: unknown): v is Selector {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}

/** The rollback: the recorded previous state restored, the record removed, who/when noted. */
export function planRollback(kind: TargetKind, obj: TrafficObject, stamp: Stamp): Plan {
  const annotations = obj.metadata.annotations ?? {};
  const stampAnnotations = { [ANNOTATION.rolledBackBy]: stamp.by, [ANNOTATION.rolledBackAt]: stamp.at };
  if (kind === 'Service') {
    const recorded = parseRecorded(annotations[ANNOTATION.previousSelector], ANNOTATION.previousSelector);
    if (!recorded.ok) return recorded;
    if (!isSelector(recorded.value)) return { ok: false, error: `its ${ANNOTATION.previousSelector} annotation is not a map of labels` };
    const current = { ...(obj.spec?.selector ?? {}) };
    return {
      ok: true,
      previous: { selector: current },
      next: { selector: recorded.value },
      patch: {
        metadata: metadataPatch(obj, { ...stampAnnotations, [ANNOTATION.previousSelector]: null }),
        spec: { selector: selectorPatch(current, recorded.value) },
      },
    };
  }
  const recorded = parseRecorded(annotations[ANNOTATION.previousDestination], ANNOTATION.previousDestination);
  if (!recorded.ok) return recorded;
  const route = restoreRoute(obj.spec?.http, recorded.value);
  if (!route.ok) return route;
  return {
    ok: true,
    previous: { destination: route.previous },
    next: { destination: route.next },
    patch: {
      metadata: metadataPatch(obj, { ...stampAnnotations, [ANNOTATION.previousDestination]: null }),
      spec: { http: route.http },
    },
  };
}

/** `color=green,tier=web` or `reviews.shop.svc.cluster.local:8080`, for messages. */
export function describeTraffic(t: Traffic): string {
  if ('selector' in t) {
    const pairs = Object.entries(t.selector).map(([k, v]) => `${k}=${v}`);
    return pairs.length > 0 ? `selector ${pairs.join(',')}` : 'an empty selector';
  }
  const port = t.destination.port?.number !== undefined ? `:${t.destination.port.number}` : '';
  const subset = t.destination.subset ? ` (subset ${t.destination.subset})` : '';
  return `destination ${t.destination.host}${port}${subset}`;
}
