// URL -> what is being addressed, following the apiserver's RequestInfoResolver:
//   /api/v1[/watch][/namespaces/{ns}]/{resource}[/{name}[/{subresource}]]
//   /apis/{group}/{version}[/watch][/namespaces/{ns}]/{resource}[/{name}[/{subresource}]]
import { notFound, resourceNotFound, type StatusError } from './errors.js';
import type { Registry } from './registry.js';
import type { ResourceType } from './types.js';

export type Route =
  | { kind: 'version' }
  | { kind: 'health' }
  | { kind: 'coreVersions' }
  | { kind: 'groupList' }
  | { kind: 'group'; group: string }
  | { kind: 'resourceList'; group: string; version: string }
  | { kind: 'resource'; type: ResourceType; namespace?: string; name?: string; subresource?: 'status'; watchPath: boolean }
  /** Under /api or /apis but nothing registered there: a Status 404 (or the given error). */
  | { kind: 'apiNotFound'; error: StatusError }
  /** Outside the API prefixes: the mux's plain-text 404. */
  | { kind: 'rawNotFound' };

export function resolveRoute(registry: Registry, pathname: string): Route {
  const seg = pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
  const [root, a, b, ...more] = seg;
  if (root === 'version' && seg.length === 1) return { kind: 'version' };
  if ((root === 'healthz' || root === 'livez' || root === 'readyz') && seg.length === 1) return { kind: 'health' };
  if (root === 'api') {
    if (a === undefined) return { kind: 'coreVersions' };
    if (a !== 'v1' || !registry.hasGroupVersion('', a)) return { kind: 'apiNotFound', error: resourceNotFound() };
    if (b === undefined) return { kind: 'resourceList', group: '', version: a };
    return resourceRoute(registry, '', a, [b, ...more]);
  }
  if (root === 'apis') {
    if (a === undefined) return { kind: 'groupList' };
    if (b === undefined) return registry.groups().has(a) ? { kind: 'group', group: a } : { kind: 'apiNotFound', error: resourceNotFound() };
    if (!registry.hasGroupVersion(a, b)) return { kind: 'apiNotFound', error: resourceNotFound() };
    if (more.length === 0) return { kind: 'resourceList', group: a, version: b };
    return resourceRoute(registry, a, b, more);
  }
  if (root === 'openapi') return { kind: 'apiNotFound', error: resourceNotFound() };
  return { kind: 'rawNotFound' };
}

function resourceRoute(registry: Registry, group: string, version: string, parts: string[]): Route {
  let rest = parts;
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  // "namespaces/{ns}/{resource}..." unless {resource} is not a namespaced resource, in which case
  // this addresses the Namespace object itself ("namespaces/{name}/status").
  if (rest[0] === 'namespaces' && rest.length >= 3 && registry.find(group, version, rest[2] as string)?.namespaced) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, sub, ...extra] = rest;
  const type = plural === undefined ? undefined : registry.find(group, version, plural);
  const nf = (error: StatusError = resourceNotFound()): Route => ({ kind: 'apiNotFound', error });
  if (!type || extra.length > 0) return nf();
  if (type.namespaced && name !== undefined && namespace === undefined) return nf();
  if (!type.namespaced && namespace !== undefined) return nf();
  if (sub !== undefined) {
    if (sub === 'status' && type.statusSubresource) return { kind: 'resource', type, namespace, name, subresource: 'status', watchPath };
    // The CRD handler answers an unserved subresource with the *object's* NotFound, even when the
    // object exists; built-in resources have no route for it at all.
    return nf(type.builtin ? resourceNotFound() : notFound(type, name ?? ''));
  }
  return { kind: 'resource', type, namespace, name, watchPath };
}
