// Legacy (unaggregated) discovery documents. Clients that ask for aggregated discovery
// (kubectl >= 1.26 sends an Accept list ending in plain application/json) fall back to these
// when the server answers with an ordinary APIGroupList, exactly as against an older apiserver.
import { createHash } from 'node:crypto';
import type { Registry } from './registry.js';
import type { ResourceType } from './types.js';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

export function versionInfo(gitVersion: string): VersionInfo {
  const m = /^v(\d+)\.(\d+)/.exec(gitVersion);
  return {
    major: m?.[1] ?? '1',
    minor: m?.[2] ?? '31',
    gitVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2024-08-13T07:28:49Z',
    goVersion: 'go1.22.5',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function coreVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupDoc(name: string, versions: string[]): Record<string, unknown> {
  const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

export function groupList(r: Registry): Record<string, unknown> {
  const groups = [...r.groups()].filter(([g]) => g !== '').map(([g, vs]) => groupDoc(g, vs));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function group(r: Registry, name: string): Record<string, unknown> | undefined {
  const vs = r.groups().get(name);
  if (!vs || name === '') return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(name, vs) };
}

/** storageVersionHash is an opaque 8-byte digest; clients only compare it for change. */
function storageVersionHash(t: ResourceType): string {
  return createHash('sha256').update(`${t.group}/${t.version}/${t.kind}`).digest().subarray(0, 8).toString('base64');
}

function resourceEntries(t: ResourceType): Record<string, unknown>[] {
  const main: Record<string, unknown> = {
    name: t.plural,
    singularName: t.singular,
    namespaced: t.namespaced,
    kind: t.kind,
    // Namespaces cannot be deleted as a collection.
    verbs: t.group === '' && t.plural === 'namespaces' ? ALL_VERBS.filter((v) => v !== 'deletecollection') : ALL_VERBS,
  };
  if (t.shortNames.length > 0) main.shortNames = t.shortNames;
  if (t.categories.length > 0) main.categories = t.categories;
  main.storageVersionHash = storageVersionHash(t);
  const out = [main];
  if (t.statusSubresource) out.push({ name: `${t.plural}/status`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'patch', 'update'] });
  return out;
}

export function resourceList(r: Registry, groupName: string, version: string): Record<string, unknown> | undefined {
  if (!r.hasGroupVersion(groupName, version)) return undefined;
  const resources = r
    .all()
    .filter((t) => t.group === groupName && t.version === version)
    .flatMap(resourceEntries);
  // The core group's document has no apiVersion field; named groups' do.
  if (groupName === '') return { kind: 'APIResourceList', groupVersion: version, resources };
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${groupName}/${version}`, resources };
}
