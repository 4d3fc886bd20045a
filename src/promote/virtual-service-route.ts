/**
 * The default route of an Istio VirtualService: the first `http` route without a `match` (or with
 * an empty one). Istio evaluates routes in order and a route without match takes everything not
 * matched before it, so that is where Blue/Green moves traffic. Pure.
 */
export interface Destination {
  host: string;
  port?: { number?: number };
  subset?: string;
  [field: string]: unknown;
}

type Route = Record<string, unknown> & { match?: unknown[]; route?: Array<{ destination?: Destination } & Record<string, unknown>> };

type RouteChange =
  | { ok: true; index: number; previous: Destination; next: Destination; http: unknown[] }
  | { ok: false; error: string };

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function defaultRoute(http: unknown): { ok: true; index: number; route: Route; destination: Destination } | { ok: false; error: string } {
  if (!Array.isArray(http) || http.length === 0) return { ok: false, error: 'it has no spec.http routes' };
  const index = http.findIndex((r) => isObject(r) && (!Array.isArray(r.match) || r.match.length === 0));
  if (index < 0) return { ok: false, error: 'none of its spec.http routes is a default route (one without `match`)' };
  const route = http[index] as Route;
  const targets = Array.isArray(route.route) ? route.route : [];
  if (targets.length !== 1) {
    return {
      ok: false,
      error: `its default route spec.http[${index}] sends traffic to ${targets.length} destinations; Blue/Green switches a route with exactly one`,
    };
  }
  const destination = targets[0]?.destination;
  if (!isObject(destination) || typeof destination.host !== 'string') return { ok: false, error: `spec.http[${index}].route[0].destination.host is missing` };
  return { ok: true, index, route, destination };
}

function withDestination(http: unknown[], index: number, route: Route, destination: Destination): unknown[] {
  const out = structuredClone(http);
  const only = route.route![0]!;
  out[index] = { ...route, route: [{ ...only, destination }] };
  return out;
}

/**
 * The default route's single destination becomes `host` (and `port`, when given; otherwise the
 * port stays). A subset names a subset of the old host's DestinationRule, so it is dropped.
 */
export function switchRoute(http: unknown, host: string, port: number | undefined): RouteChange {
  const found = defaultRoute(http);
  if (!found.ok) return found;
  const previous = structuredClone(found.destination);
  const next: Destination = { ...previous, host };
  if (host !== previous.host) delete next.subset;
  if (port !== undefined) next.port = { number: port };
  return { ok: true, index: found.index, previous, next, http: withDestination(http as unknown[], found.index, found.route, next) };
}

/** The default route's destination becomes the recorded one, exactly. */
export function restoreRoute(http: unknown, recorded: unknown): RouteChange {
  if (!isObject(recorded) || typeof recorded.host !== 'string') return { ok: false, error: 'the recorded destination has no host' };
  const found = defaultRoute(http);
  if (!found.ok) return found;
  const next = structuredClone(recorded) as Destination;
  return { ok: true, index: found.index, previous: structuredClone(found.destination), next, http: withDestination(http as unknown[], found.index, found.route, next) };
}
