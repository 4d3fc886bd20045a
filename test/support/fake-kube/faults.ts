// Scripted failures for tests: "the next status PATCH gets a 409", "watches fail with 500".
import { conflict, notFound, statusForCode, type StatusError } from './errors.js';
import type { Route } from './routing.js';
import type { FaultHandle, FaultSpec } from './types.js';

interface ActiveFault {
  spec: FaultSpec;
  hits: number;
  remaining: number;
}

export interface FaultRequest {
  method: string;
  pathname: string;
  search: string;
  isWatch: boolean;
}

export class FaultInjector {
  private faults: ActiveFault[] = [];

  add(spec: FaultSpec): FaultHandle {
    const f: ActiveFault = { spec, hits: 0, remaining: spec.times ?? 1 };
    this.faults.push(f);
    return {
      get hits() {
        return f.hits;
      },
      get remaining() {
        return f.remaining;
      },
      cancel: () => {
        f.remaining = 0;
        this.faults = this.faults.filter((x) => x !== f);
      },
    };
  }

  clear(): void {
    this.faults = [];
  }

  /** The first armed fault matching the request, consumed by one. */
  take(req: FaultRequest): FaultSpec | undefined {
    const f = this.faults.find((x) => x.remaining > 0 && matches(x.spec, req));
    if (!f) return undefined;
    f.hits++;
    f.remaining--;
    if (f.remaining <= 0) this.faults = this.faults.filter((x) => x !== f);
    return f.spec;
  }
}

function matches(s: FaultSpec, r: FaultRequest): boolean {
  if (s.method && s.method.toUpperCase() !== r.method) return false;
  if (s.watch !== undefined && s.watch !== r.isWatch) return false;
  if (typeof s.path === 'string' && s.path !== r.pathname) return false;
  if (s.path instanceof RegExp) {
    s.path.lastIndex = 0;
    if (!s.path.test(r.pathname + r.search)) return false;
  }
  return true;
}

/** Default error for a fault: resource-specific text for 404/409 when the URL names an object. */
export function faultError(spec: FaultSpec, route: Route): StatusError {
  if (route.kind === 'resource' && route.name !== undefined && spec.message === undefined) {
    if (spec.status === 409) return conflict(route.type, route.name);
    if (spec.status === 404) return notFound(route.type, route.name);
  }
  return statusForCode(spec.status, spec.message);
}
