// The resources assay touches, with the server-side defaulting a client can observe. Built-in types
// get only the defaulting that matters to a client reading its own writes back; there is no
// controller behind them (no job controller, no kubelet) - tests script status themselves.
import { badRequest } from './errors.js';
import { builtinType, customResourceType, type CustomResourceOptions, type Registry } from './registry.js';
import type { FieldError, JsonObject, KubeObject } from './types.js';
import { isPlainObject, normalizeTime } from './util.js';

const obj = (o: KubeObject, key: string): JsonObject => {
  const v = o[key];
  if (isPlainObject(v)) return v;
  const fresh: JsonObject = {};
  o[key] = fresh;
  return fresh;
};

// --- core/v1 Secret: stringData is write-only and folded into base64 data, as the apiserver does.
function prepareSecret(o: KubeObject): void {
  const data = isPlainObject(o.data) ? o.data : {};
  for (const v of Object.values(data)) {
    if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 === 1) {
      const at = typeof v === 'string' ? Math.max(0, v.search(/[^A-Za-z0-9+/=]/)) : 0;
      throw badRequest(`Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte ${at}`);
    }
  }
  if (isPlainObject(o.stringData)) {
    for (const [k, v] of Object.entries(o.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    delete o.stringData;
  }
  if (Object.keys(data).length > 0) o.data = data;
  if (o.type === undefined || o.type === '') o.type = 'Opaque';
}

// --- core/v1 Namespace: the "kubernetes" finalizer, phase, and the immutable name label (1.21+).
function prepareNamespaceCreate(o: KubeObject): void {
  o.spec = { finalizers: ['kubernetes'] };
  o.status = { phase: 'Active' };
  o.metadata.labels = { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name ?? '' };
}
function prepareNamespaceUpdate(o: KubeObject, old: KubeObject): void {
  o.spec = old.spec; // spec.finalizers only changes through the /finalize subresource
  o.metadata.labels = { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name ?? '' };
}

// --- core/v1 Service: a ClusterIP is allocated once and survives updates that omit it.
let nextServiceIp = 10;
function prepareServiceCreate(o: KubeObject): void {
  const spec = obj(o, 'spec');
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  if (spec.type !== 'ExternalName' && (spec.clusterIP === undefined || spec.clusterIP === '')) {
    const n = nextServiceIp++;
    spec.clusterIP = `10.96.${Math.floor(n / 250)}.${(n % 250) + 1}`;
    spec.clusterIPs = [spec.clusterIP];
  }
  if (Array.isArray(spec.ports)) {
    for (const p of spec.ports) if (isPlainObject(p)) {
      p.protocol ??= 'TCP';
      p.targetPort ??= p.port;
    }
  }
  o.status = { loadBalancer: {} };
}
function prepareServiceUpdate(o: KubeObject, old: KubeObject): void {
  const spec = obj(o, 'spec');
  const oldSpec = isPlainObject(old.spec) ? old.spec : {};
  if (spec.clusterIP === undefined || spec.clusterIP === '') spec.clusterIP = oldSpec.clusterIP;
  if (spec.clusterIPs === undefined) spec.clusterIPs = oldSpec.clusterIPs;
}

// --- batch/v1 Job: defaults and the generated selector a client sees in the created object.
function prepareJobCreate(o: KubeObject): void {
  const spec = obj(o, 'spec');
  spec.parallelism ??= 1;
  spec.completions ??= 1;
  spec.backoffLimit ??= 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  const uid = o.metadata.uid ?? '';
  const name = o.metadata.name ?? '';
  if (spec.manualSelector !== true) {
    spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
    const template = isPlainObject(spec.template) ? spec.template : (spec.template = {});
    const tmeta = isPlainObject(template.metadata) ? template.metadata : (template.metadata = {});
    tmeta.labels = {
      ...(isPlainObject(tmeta.labels) ? tmeta.labels : {}),
      'batch.kubernetes.io/controller-uid': uid,
      'batch.kubernetes.io/job-name': name,
      'controller-uid': uid,
      'job-name': name,
    };
  }
  o.status = {};
}
function validateJob(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const podSpec = (o.spec as { template?: { spec?: { restartPolicy?: unknown; containers?: unknown } } } | undefined)?.template?.spec;
  const rp = podSpec?.restartPolicy;
  if (rp === undefined || rp === '') {
    errs.push({ type: 'FieldValueRequired', field: 'spec.template.spec.restartPolicy', detail: 'valid values: "OnFailure", "Never"' });
  } else if (rp !== 'OnFailure' && rp !== 'Never') {
    errs.push({ type: 'FieldValueNotSupported', field: 'spec.template.spec.restartPolicy', value: JSON.stringify(rp), detail: 'supported values: "OnFailure", "Never"' });
  }
  if (!Array.isArray(podSpec?.containers) || podSpec.containers.length === 0) {
    errs.push({ type: 'FieldValueRequired', field: 'spec.template.spec.containers' });
  }
  return errs;
}

// --- coordination.k8s.io/v1 Lease and core/v1 Event: typed time fields are re-serialized.
function normalizeLease(o: KubeObject): void {
  const spec = isPlainObject(o.spec) ? o.spec : undefined;
  if (!spec) return;
  for (const f of ['acquireTime', 'renewTime']) if (spec[f] !== undefined) spec[f] = normalizeTime(spec[f], true);
}
function normalizeEvent(o: KubeObject): void {
  for (const f of ['firstTimestamp', 'lastTimestamp']) if (o[f] !== undefined) o[f] = normalizeTime(o[f], false);
  if (o.eventTime !== undefined) o.eventTime = normalizeTime(o.eventTime, true);
}

export function registerBuiltins(r: Registry): void {
  const core = { group: '', version: 'v1' };
  r.add(
    builtinType({
      ...core,
      kind: 'Namespace',
      plural: 'namespaces',
      namespaced: false,
      statusSubresource: true,
      shortNames: ['ns'],
      returnDeletedObject: true,
      nameValidation: 'label',
      fieldSelectors: ['status.phase'],
      hooks: { prepareForCreate: prepareNamespaceCreate, prepareForUpdate: prepareNamespaceUpdate },
    }),
  );
  r.add(
    builtinType({
      ...core,
      kind: 'Secret',
      plural: 'secrets',
      namespaced: true,
      fieldSelectors: ['type'],
      hooks: { prepareForCreate: prepareSecret, prepareForUpdate: prepareSecret },
    }),
  );
  r.add(builtinType({ ...core, kind: 'ConfigMap', plural: 'configmaps', namespaced: true, shortNames: ['cm'] }));
  r.add(
    builtinType({
      ...core,
      kind: 'Event',
      plural: 'events',
      namespaced: true,
      shortNames: ['ev'],
      allowCreateOnUpdate: true,
      fieldSelectors: [
        'involvedObject.kind',
        'involvedObject.namespace',
        'involvedObject.name',
        'involvedObject.uid',
        'involvedObject.apiVersion',
        'involvedObject.resourceVersion',
        'involvedObject.fieldPath',
        'reason',
        'reportingComponent',
        'source',
        'type',
      ],
      hooks: { prepareForCreate: normalizeEvent, prepareForUpdate: normalizeEvent },
    }),
  );
  r.add(
    builtinType({
      ...core,
      kind: 'Pod',
      plural: 'pods',
      namespaced: true,
      statusSubresource: true,
      shortNames: ['po'],
      categories: ['all'],
      returnDeletedObject: true,
      fieldSelectors: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'status.phase', 'status.podIP'],
      hooks: { prepareForCreate: (o) => void (o.status = { phase: 'Pending', qosClass: 'BestEffort' }) },
    }),
  );
  r.add(
    builtinType({
      ...core,
      kind: 'Service',
      plural: 'services',
      namespaced: true,
      statusSubresource: true,
      shortNames: ['svc'],
      categories: ['all'],
      returnDeletedObject: true,
      nameValidation: 'dns1035',
      hooks: { prepareForCreate: prepareServiceCreate, prepareForUpdate: prepareServiceUpdate },
    }),
  );
  r.add(
    builtinType({
      group: 'apps',
      version: 'v1',
      kind: 'ReplicaSet',
      plural: 'replicasets',
      namespaced: true,
      statusSubresource: true,
      shortNames: ['rs'],
      categories: ['all'],
      hasGeneration: true,
      hooks: { prepareForCreate: (o) => void (o.status = { replicas: 0 }) },
    }),
  );
  r.add(
    builtinType({
      group: 'batch',
      version: 'v1',
      kind: 'Job',
      plural: 'jobs',
      namespaced: true,
      statusSubresource: true,
      categories: ['all'],
      hasGeneration: true,
      // batch/v1 keeps the pre-GC default: deleting a Job orphans its pods unless told otherwise.
      defaultPropagation: 'Orphan',
      defaultPropagationWarning:
        'child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning',
      fieldSelectors: ['status.successful'],
      hooks: { prepareForCreate: prepareJobCreate, validate: validateJob },
    }),
  );
  r.add(
    builtinType({
      group: 'coordination.k8s.io',
      version: 'v1',
      kind: 'Lease',
      plural: 'leases',
      namespaced: true,
      allowCreateOnUpdate: true,
      hooks: { prepareForCreate: normalizeLease, prepareForUpdate: normalizeLease },
    }),
  );
}

const statusAndAge = (what: string) => [
  { name: 'Status', type: 'string' as const, jsonPath: '.status.phase', description: `${what} status` },
  { name: 'Age', type: 'date' as const, jsonPath: '.metadata.creationTimestamp', description: 'Time since resource was created' },
];

/** Argo Rollouts CRDs as shipped in manifests/crds (names, scope, subresources, required fields). */
export function registerArgoRollouts(r: Registry): void {
  const g = { group: 'argoproj.io', version: 'v1alpha1' };
  const templateRequired = ['spec', 'spec.metrics', 'spec.metrics[].name', 'spec.metrics[].provider'];
  r.add(
    customResourceType({
      ...g,
      kind: 'AnalysisRun',
      plural: 'analysisruns',
      shortNames: ['ar'],
      statusSubresource: false, // `subresources: {}`: status is written through the main resource
      printerColumns: statusAndAge('AnalysisRun'),
      requiredFields: [
        ...templateRequired,
        'status.phase',
        'status.metricResults[].name',
        'status.metricResults[].phase',
        'status.metricResults[].measurements[].phase',
      ],
    }),
  );
  r.add(customResourceType({ ...g, kind: 'AnalysisTemplate', plural: 'analysistemplates', shortNames: ['at'], requiredFields: templateRequired }));
  r.add(
    customResourceType({
      ...g,
      kind: 'ClusterAnalysisTemplate',
      plural: 'clusteranalysistemplates',
      namespaced: false,
      shortNames: ['cat'],
      requiredFields: templateRequired,
    }),
  );
  r.add(
    customResourceType({
      ...g,
      kind: 'Rollout',
      plural: 'rollouts',
      shortNames: ['ro'],
      statusSubresource: true,
      requiredFields: ['spec'],
      printerColumns: [
        { name: 'Desired', type: 'integer', jsonPath: '.spec.replicas', description: 'Number of desired pods' },
        { name: 'Current', type: 'integer', jsonPath: '.status.replicas' },
        { name: 'Up-to-date', type: 'integer', jsonPath: '.status.updatedReplicas' },
        { name: 'Available', type: 'integer', jsonPath: '.status.availableReplicas' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    }),
  );
  r.add(
    customResourceType({
      ...g,
      kind: 'Experiment',
      plural: 'experiments',
      shortNames: ['exp'],
      statusSubresource: false, // the Experiment CRD also ships `subresources: {}`
      requiredFields: ['spec'],
      printerColumns: statusAndAge('Experiment'),
    }),
  );
}

// Istio's networking.istio.io VirtualService CRD, as the Istio chart installs it: namespaced,
// short name `vs`, categories istio-io/networking-istio-io, status subresource, printer columns
// Gateways/Hosts/Age. Istio 1.22+ serves v1, v1beta1 and v1alpha3 from one storage version; older
// releases serve only v1alpha3 and v1beta1. Tests pick the versions a cluster would serve.
export type IstioNetworkingVersion = 'v1' | 'v1beta1' | 'v1alpha3';

export function virtualServiceDefinitions(versions: readonly IstioNetworkingVersion[]): CustomResourceOptions[] {
  // The storage version is v1alpha3 in every Istio release; here the first listed one stands in.
  const storageVersion = versions[0];
  return versions.map((version) => ({
    group: 'networking.istio.io',
    version,
    kind: 'VirtualService',
    plural: 'virtualservices',
    singular: 'virtualservice',
    shortNames: ['vs'],
    categories: ['istio-io', 'networking-istio-io'],
    statusSubresource: true,
    printerColumns: [
      { name: 'Gateways', type: 'string', jsonPath: '.spec.gateways', description: 'The names of gateways and sidecars that should apply these routes' },
      { name: 'Hosts', type: 'string', jsonPath: '.spec.hosts', description: 'The destination hosts to which traffic is being sent' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ],
    ...(versions.length > 1 && storageVersion ? { storageVersion } : {}),
  }));
}
