/**
 * Basic Kubernetes shape rules for rendered manifests, the checks an API server would make first
 * (name and label syntax, required fields) plus the cross-references nothing checks until pods fail
 * at run time: selectors that select the pods, named ports that exist, bindings whose roles exist.
 * Not a schema validator: unknown fields are not caught here (the tests assert the fields they need).
 */
import type { K8sObject } from './render.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/; // RFC 1123 label, max 63
const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/; // Service names, max 63
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/; // max 253
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/; // max 63
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/; // max 63, may be empty
const PORT_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/; // IANA_SVC_NAME, max 15, a letter, no "--"
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const API_VERSION = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?v\d+((alpha|beta)\d+)?$/;
const VERBS = new Set(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', '*']);
const CLUSTER_KINDS = new Set(['ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'Namespace', 'PriorityClass']);

export interface ShapeOptions {
  /** Objects the manifests may refer to that the chart does not render, as `Kind/namespace/name`. */
  external?: string[];
}

function qualifiedName(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return false;
  return name.length <= 63 && LABEL_NAME.test(name);
}

function portName(name: string): boolean {
  return name.length <= 15 && PORT_NAME.test(name) && /[a-z]/.test(name) && !name.includes('--');
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True when every selector pair is among the labels (an empty selector selects nothing here). */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  const pairs = Object.entries(selector ?? {});
  return pairs.length > 0 && pairs.every(([k, v]) => labels?.[k] === v);
}

export function shapeProblems(objects: K8sObject[], opts: ShapeOptions = {}): string[] {
  const problems: string[] = [];
  const external = new Set(opts.external ?? []);
  const exists = (kind: string, ns: string | undefined, name: string): boolean =>
    external.has(`${kind}/${ns ?? ''}/${name}`)
    || objects.some((o) => o.kind === kind && o.metadata?.name === name && (ns === undefined || o.metadata.namespace === ns));
  const seen = new Set<string>();
  const workloads = objects.filter((o) => o.kind === 'Deployment');

  for (const o of objects) {
    const id = `${o?.kind ?? '?'}/${o?.metadata?.namespace ?? ''}/${o?.metadata?.name ?? '?'}`;
    const bad = (msg: string): void => void problems.push(`${id}: ${msg}`);
    if (!isMap(o)) { problems.push(`not an object: ${JSON.stringify(o)}`); continue; }
    if (typeof o.apiVersion !== 'string' || !API_VERSION.test(o.apiVersion)) bad(`bad apiVersion ${String(o.apiVersion)}`);
    if (typeof o.kind !== 'string' || !/^[A-Z][A-Za-z0-9]*$/.test(o.kind)) bad(`bad kind ${String(o.kind)}`);
    if (!isMap(o.metadata)) { bad('no metadata'); continue; }
    const { name, namespace, labels, annotations } = o.metadata;
    const nameOk = typeof name === 'string' && (o.kind === 'Service'
      ? name.length <= 63 && DNS_1035.test(name)
      : name.length <= 253 && DNS_SUBDOMAIN.test(name));
    if (!nameOk) bad(`bad metadata.name ${JSON.stringify(name)}`);
    if (CLUSTER_KINDS.has(o.kind)) {
      if (namespace !== undefined) bad('cluster-scoped object has metadata.namespace');
    } else if (typeof namespace !== 'string' || namespace.length > 63 || !DNS_LABEL.test(namespace)) {
      bad(`namespaced object needs a valid metadata.namespace, has ${JSON.stringify(namespace)}`);
    }
    const group = String(o.apiVersion).includes('/') ? String(o.apiVersion).split('/')[0] : 'core';
    const key = `${group}/${id}`;
    if (seen.has(key)) bad('rendered twice');
    seen.add(key);
    checkLabels(labels, 'metadata.labels', bad);
    for (const k of Object.keys(annotations ?? {})) if (!qualifiedName(k)) bad(`bad annotation key ${k}`);
    for (const [k, v] of Object.entries(annotations ?? {})) if (typeof v !== 'string') bad(`annotation ${k} is not a string`);

    switch (o.kind) {
      case 'Deployment': checkDeployment(o, bad, exists); break;
      case 'Service': checkService(o, bad, workloads); break;
      case 'Role': case 'ClusterRole': checkRules(o, bad); break;
      case 'RoleBinding': case 'ClusterRoleBinding': checkBinding(o, bad, exists); break;
      case 'ServiceMonitor': checkServiceMonitor(o, bad, objects); break;
      case 'PodDisruptionBudget': checkPdb(o, bad, workloads); break;
      case 'Secret':
        for (const [k, v] of Object.entries((o.data ?? {}) as Record<string, unknown>)) {
          if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0) bad(`data.${k} is not base64`);
        }
        break;
    }
  }
  return problems;
}

function checkLabels(labels: unknown, where: string, bad: (m: string) => void): void {
  if (labels === undefined) return;
  if (!isMap(labels)) { bad(`${where} is not a map`); return; }
  for (const [k, v] of Object.entries(labels)) {
    if (!qualifiedName(k)) bad(`${where}: bad label key ${k}`);
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) bad(`${where}: bad value for ${k}: ${JSON.stringify(v)}`);
  }
}

type Exists = (kind: string, ns: string | undefined, name: string) => boolean;

function checkDeployment(d: K8sObject, bad: (m: string) => void, exists: Exists): void {
  const ns = d.metadata.namespace;
  const podLabels = d.spec?.template?.metadata?.labels as Record<string, string> | undefined;
  checkLabels(podLabels, 'pod labels', bad);
  if (!selects(d.spec?.selector?.matchLabels, podLabels)) bad('spec.selector.matchLabels does not select the pod template labels');
  const pod = d.spec?.template?.spec;
  if (!isMap(pod)) { bad('no pod spec'); return; }
  if (pod.serviceAccountName !== undefined && !exists('ServiceAccount', ns, String(pod.serviceAccountName))) {
    bad(`serviceAccountName ${String(pod.serviceAccountName)} is neither rendered nor declared external`);
  }
  const volumes = new Set(((pod.volumes ?? []) as K8sObject[]).map((v) => v.name as string));
  const containers = pod.containers as K8sObject[] | undefined;
  if (!Array.isArray(containers) || containers.length === 0) { bad('no containers'); return; }
  for (const c of containers) {
    const where = `container ${String(c.name)}`;
    if (typeof c.name !== 'string' || !DNS_LABEL.test(c.name)) bad(`${where}: bad name`);
    if (typeof c.image !== 'string' || c.image === '') bad(`${where}: no image`);
    const ports = new Map<string, number>();
    for (const p of (c.ports ?? []) as K8sObject[]) {
      if (!Number.isInteger(p.containerPort) || p.containerPort < 1 || p.containerPort > 65535) bad(`${where}: bad containerPort ${String(p.containerPort)}`);
      if (p.name !== undefined) {
        if (!portName(String(p.name))) bad(`${where}: bad port name ${String(p.name)}`);
        if (ports.has(String(p.name))) bad(`${where}: duplicate port name ${String(p.name)}`);
        ports.set(String(p.name), p.containerPort as number);
      }
    }
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      const handler = c[probe]?.httpGet ?? c[probe]?.tcpSocket;
      if (c[probe] === undefined) continue;
      if (!handler) { bad(`${where}: ${probe} has no httpGet/tcpSocket`); continue; }
      if (typeof handler.port === 'string' && !ports.has(handler.port)) bad(`${where}: ${probe} uses port "${handler.port}", which the container does not declare`);
      if (typeof handler.port === 'number' && ![...ports.values()].includes(handler.port)) bad(`${where}: ${probe} uses undeclared port ${handler.port}`);
      if (c[probe].httpGet && !String(c[probe].httpGet.path ?? '').startsWith('/')) bad(`${where}: ${probe} path must start with /`);
    }
    for (const m of (c.volumeMounts ?? []) as K8sObject[]) if (!volumes.has(m.name)) bad(`${where}: mounts undefined volume ${String(m.name)}`);
    const envNames = new Set<string>();
    for (const e of (c.env ?? []) as K8sObject[]) {
      if (typeof e.name !== 'string' || !ENV_NAME.test(e.name)) bad(`${where}: bad env name ${JSON.stringify(e.name)}`);
      if (envNames.has(e.name)) bad(`${where}: env ${String(e.name)} set twice`);
      envNames.add(e.name);
      if ((e.value !== undefined) === (e.valueFrom !== undefined)) bad(`${where}: env ${String(e.name)} needs exactly one of value/valueFrom`);
      if (e.value !== undefined && typeof e.value !== 'string') bad(`${where}: env ${String(e.name)} value is not a string`);
      const ref = e.valueFrom?.secretKeyRef;
      if (ref) {
        if (!ref.name || !ref.key) bad(`${where}: env ${String(e.name)} secretKeyRef needs name and key`);
        else if (!exists('Secret', ns, ref.name)) bad(`${where}: env ${String(e.name)} refers to Secret ${String(ref.name)}, neither rendered nor external`);
      }
    }
    for (const a of (c.args ?? []) as unknown[]) if (typeof a !== 'string') bad(`${where}: arg ${JSON.stringify(a)} is not a string`);
  }
}

function checkService(s: K8sObject, bad: (m: string) => void, workloads: K8sObject[]): void {
  const selected = workloads.filter((w) => w.metadata.namespace === s.metadata.namespace && selects(s.spec?.selector, w.spec?.template?.metadata?.labels));
  if (selected.length === 0) bad('spec.selector selects no rendered pods');
  const names = new Set<string>();
  for (const p of (s.spec?.ports ?? []) as K8sObject[]) {
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) bad(`bad port ${String(p.port)}`);
    if (p.name !== undefined && !portName(String(p.name))) bad(`bad port name ${String(p.name)}`);
    if (names.has(p.name)) bad(`duplicate port name ${String(p.name)}`);
    names.add(p.name);
    if (typeof p.targetPort === 'string') {
      for (const w of selected) {
        const declared = (w.spec.template.spec.containers as K8sObject[]).some((c) => ((c.ports ?? []) as K8sObject[]).some((cp) => cp.name === p.targetPort));
        if (!declared) bad(`targetPort "${p.targetPort}" is not a port of ${w.metadata.name}'s pods`);
      }
    }
  }
}

function checkRules(r: K8sObject, bad: (m: string) => void): void {
  const rules = r.rules as K8sObject[] | undefined;
  if (!Array.isArray(rules) || rules.length === 0) { bad('no rules'); return; }
  for (const rule of rules) {
    for (const f of ['apiGroups', 'resources', 'verbs']) {
      const v = rule[f] as unknown;
      if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'string')) bad(`rule.${f} must be a non-empty list of strings`);
    }
    for (const v of (rule.verbs ?? []) as string[]) if (!VERBS.has(v)) bad(`unknown verb ${v}`);
  }
}

function checkBinding(b: K8sObject, bad: (m: string) => void, exists: Exists): void {
  const ref = b.roleRef;
  if (!isMap(ref) || ref.apiGroup !== 'rbac.authorization.k8s.io' || !['Role', 'ClusterRole'].includes(String(ref.kind))) {
    bad('roleRef must be a Role or ClusterRole of rbac.authorization.k8s.io'); return;
  }
  if (b.kind === 'ClusterRoleBinding' && ref.kind === 'Role') bad('a ClusterRoleBinding cannot refer to a Role');
  const roleNs = ref.kind === 'Role' ? b.metadata.namespace : undefined;
  if (!exists(String(ref.kind), roleNs, String(ref.name))) bad(`roleRef ${String(ref.kind)} ${String(ref.name)} is not rendered`);
  const subjects = b.subjects as K8sObject[] | undefined;
  if (!Array.isArray(subjects) || subjects.length === 0) { bad('no subjects'); return; }
  for (const s of subjects) {
    if (s.kind !== 'ServiceAccount') continue;
    if (!s.namespace) bad(`ServiceAccount subject ${String(s.name)} has no namespace`);
    else if (!exists('ServiceAccount', s.namespace, s.name)) bad(`subject ServiceAccount ${s.namespace}/${s.name} is neither rendered nor external`);
  }
}

function checkServiceMonitor(m: K8sObject, bad: (msg: string) => void, objects: K8sObject[]): void {
  const namespaces = (m.spec?.namespaceSelector?.matchNames ?? [m.metadata.namespace]) as string[];
  const services = objects.filter((o) => o.kind === 'Service' && namespaces.includes(o.metadata.namespace!) && selects(m.spec?.selector?.matchLabels, o.metadata.labels));
  if (services.length === 0) bad('selects no rendered Service');
  const endpoints = m.spec?.endpoints as K8sObject[] | undefined;
  if (!Array.isArray(endpoints) || endpoints.length === 0) bad('no endpoints');
  for (const e of endpoints ?? []) {
    for (const s of services) {
      if (!((s.spec.ports ?? []) as K8sObject[]).some((p) => p.name === e.port)) bad(`endpoint port "${String(e.port)}" is not a port of Service ${s.metadata.name}`);
    }
  }
}

function checkPdb(p: K8sObject, bad: (m: string) => void, workloads: K8sObject[]): void {
  if ((p.spec?.minAvailable !== undefined) === (p.spec?.maxUnavailable !== undefined)) bad('needs exactly one of minAvailable/maxUnavailable');
  if (!workloads.some((w) => w.metadata.namespace === p.metadata.namespace && selects(p.spec?.selector?.matchLabels, w.spec?.template?.metadata?.labels))) {
    bad('selector selects no rendered pods');
  }
}
