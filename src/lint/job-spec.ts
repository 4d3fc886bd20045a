/**
 * The batch/v1 Job a `job` metric creates, checked as the Kubernetes API server would check it when
 * Argo creates the Job (every measurement would otherwise end in Error): required containers and
 * images, DNS-1123 container names, restartPolicy Never/OnFailure, resource quantities, env names,
 * ports, labels and annotations, and value types the JSON decoder refuses. Fields the API server
 * prunes or ignores (`creationTimestamp: null`, unknown fields) are warnings.
 */
import { dns1123Label, envVarName, labelValue, parseQuantity, qualifiedName, QUANTITY_MSG } from './k8s-names.js';
import { asArray, closest, hasTag, isRecord, type FieldPath, type Problems } from './problem.js';

const JOB_SPEC = ['parallelism', 'completions', 'activeDeadlineSeconds', 'podFailurePolicy', 'successPolicy', 'backoffLimit', 'backoffLimitPerIndex', 'maxFailedIndexes', 'selector', 'manualSelector', 'template', 'ttlSecondsAfterFinished', 'completionMode', 'suspend', 'podReplacementPolicy', 'managedBy'];
const POD_SPEC = ['volumes', 'initContainers', 'containers', 'ephemeralContainers', 'restartPolicy', 'terminationGracePeriodSeconds', 'activeDeadlineSeconds', 'dnsPolicy', 'nodeSelector', 'serviceAccountName', 'serviceAccount', 'automountServiceAccountToken', 'nodeName', 'hostNetwork', 'hostPID', 'hostIPC', 'shareProcessNamespace', 'securityContext', 'imagePullSecrets', 'hostname', 'subdomain', 'affinity', 'schedulerName', 'tolerations', 'hostAliases', 'priorityClassName', 'priority', 'dnsConfig', 'readinessGates', 'runtimeClassName', 'enableServiceLinks', 'preemptionPolicy', 'overhead', 'topologySpreadConstraints', 'setHostnameAsFQDN', 'os', 'hostUsers', 'schedulingGates', 'resourceClaims', 'resources'];
const CONTAINER = ['name', 'image', 'command', 'args', 'workingDir', 'ports', 'envFrom', 'env', 'resources', 'resizePolicy', 'restartPolicy', 'volumeMounts', 'volumeDevices', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'terminationMessagePath', 'terminationMessagePolicy', 'imagePullPolicy', 'securityContext', 'stdin', 'stdinOnce', 'tty'];
const TEMPLATE_META = ['name', 'generateName', 'namespace', 'labels', 'annotations', 'finalizers', 'ownerReferences', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink'];

/** Unknown keys: a near miss of a real field is an error (the intended setting is lost); others are pruned. */
function unknownKeys(obj: Record<string, unknown>, known: readonly string[], what: string, at: FieldPath, p: Problems): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const near = closest(key, known);
    if (near !== undefined) p.error([...at, key], `unknown field "${key}" in ${what} (did you mean "${near}"?): the API server drops it`);
    else p.warn([...at, key], `unknown field "${key}" in ${what}: the API server drops it`);
  }
}

const typeName = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** `map[string]string` with the API server's key and (for labels) value syntax. */
export function lintStringMap(value: unknown, kind: 'labels' | 'annotations', at: FieldPath, p: Problems): void {
  if (value === undefined || value === null) return;
  if (!isRecord(value)) {
    p.error(at, `${kind} must be a map of strings, got ${typeName(value)}`);
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (!hasTag(k)) for (const m of qualifiedName(k)) p.error([...at, k], `Invalid value: "${k}": ${m}`);
    if (typeof v !== 'string') {
      p.error([...at, k], `${kind} values must be strings, got ${typeName(v)} ${JSON.stringify(v)} (quote it in YAML): json: cannot unmarshal ${typeName(v) === 'boolean' ? 'bool' : typeName(v)} into Go struct field ObjectMeta.metadata.${kind} of type string`);
    } else if (kind === 'labels' && !hasTag(v)) {
      for (const m of labelValue(v)) p.error([...at, k], `Invalid value: "${v}": ${m}`);
    }
  }
}

function nonNegative(obj: Record<string, unknown>, field: string, at: FieldPath, p: Problems): void {
  const v = obj[field];
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !Number.isInteger(v)) p.error([...at, field], `must be an integer, got ${typeName(v)} ${JSON.stringify(v)}`);
  else if (v < 0) p.error([...at, field], `Invalid value: ${v}: must be greater than or equal to 0`);
}

function lintResources(res: unknown, at: FieldPath, p: Problems): void {
  if (!isRecord(res)) return;
  const parsed: Record<string, Record<string, number>> = { limits: {}, requests: {} };
  for (const kind of ['limits', 'requests'] as const) {
    const list = res[kind];
    if (list === undefined || list === null) continue;
    if (!isRecord(list)) {
      p.error([...at, kind], `must be a map of resource name to quantity, got ${typeName(list)}`);
      continue;
    }
    for (const [name, raw] of Object.entries(list)) {
      if (hasTag(raw)) continue;
      const q = parseQuantity(raw);
      if (q === undefined) p.error([...at, kind, name], `${JSON.stringify(raw)}: ${QUANTITY_MSG}`);
      else if (q < 0) p.error([...at, kind, name], `Invalid value: "${String(raw)}": must be greater than or equal to 0`);
      else parsed[kind]![name] = q;
    }
  }
  for (const [name, req] of Object.entries(parsed.requests!)) {
    const lim = parsed.limits![name];
    if (lim !== undefined && req > lim) {
      const raw = (res.requests as Record<string, unknown>)[name];
      const limRaw = (res.limits as Record<string, unknown>)[name];
      p.error([...at, 'requests', name], `Invalid value: "${String(raw)}": must be less than or equal to ${name} limit of ${String(limRaw)}`);
    }
  }
}

function lintContainer(c: unknown, at: FieldPath, names: Set<string>, p: Problems): void {
  if (!isRecord(c)) {
    p.error(at, `a container must be a map, got ${typeName(c)}`);
    return;
  }
  unknownKeys(c, CONTAINER, 'a container', at, p);
  if (typeof c.name !== 'string' || c.name === '') p.error([...at, 'name'], 'Required value');
  else if (!hasTag(c.name)) {
    for (const m of dns1123Label(c.name)) p.error([...at, 'name'], `Invalid value: "${c.name}": ${m}`);
    if (names.has(c.name)) p.error([...at, 'name'], `Duplicate value: "${c.name}"`);
    names.add(c.name);
  }
  if (c.image === undefined || c.image === null || c.image === '') p.error([...at, 'image'], 'Required value');
  else if (typeof c.image !== 'string') p.error([...at, 'image'], `must be a string, got ${typeName(c.image)}`);
  for (const f of ['command', 'args'] as const) {
    const v = c[f];
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v)) p.error([...at, f], `must be a list of strings, got ${typeName(v)} (write ${f}: [${JSON.stringify(v)}])`);
    else v.forEach((s, i) => typeof s !== 'string' && p.error([...at, f, i], `must be a string, got ${typeName(s)} ${JSON.stringify(s)} (quote it in YAML)`));
  }
  asArray(c.env).forEach((e, i) => {
    if (!isRecord(e)) return;
    if (typeof e.name !== 'string' || e.name === '') p.error([...at, 'env', i, 'name'], 'Required value');
    else if (!hasTag(e.name)) for (const m of envVarName(e.name)) p.error([...at, 'env', i, 'name'], `Invalid value: "${e.name}": ${m}`);
    if (e.value !== undefined && e.value !== null && typeof e.value !== 'string') {
      p.error([...at, 'env', i, 'value'], `must be a string, got ${typeName(e.value)} ${JSON.stringify(e.value)} (quote it in YAML)`);
    }
  });
  asArray(c.ports).forEach((port, i) => {
    if (!isRecord(port)) return;
    const n = port.containerPort;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65535) {
      p.error([...at, 'ports', i, 'containerPort'], `Invalid value: ${JSON.stringify(n ?? null)}: must be between 1 and 65535, inclusive`);
    }
  });
  lintResources(c.resources, [...at, 'resources'], p);
}

/** `known` undefined: the loader's schema already reports the unknown fields of this object. */
function lintMeta(meta: unknown, at: FieldPath, known: readonly string[] | undefined, what: string, p: Problems): void {
  if (meta === undefined || meta === null) return;
  if (!isRecord(meta)) {
    p.error(at, `metadata must be a map, got ${typeName(meta)}`);
    return;
  }
  for (const key of known === undefined ? [] : Object.keys(meta)) {
    if (key === 'creationTimestamp' && meta[key] === null) {
      p.warn([...at, key], `creationTimestamp: null in ${what} is dropped (Argo's CRD prunes it); remove it`);
    } else if (!known!.includes(key)) {
      p.warn([...at, key], `unknown field "${key}" in ${what}: the API server drops it`);
    }
  }
  lintStringMap(meta.labels, 'labels', [...at, 'labels'], p);
  lintStringMap(meta.annotations, 'annotations', [...at, 'annotations'], p);
}

/** `provider.job`: `{metadata?, spec}` (the loader has checked the outer shape). */
export function lintJobMetric(job: Record<string, unknown>, at: FieldPath, p: Problems): void {
  lintMeta(job.metadata, [...at, 'metadata'], undefined, 'the Job metadata', p);
  const spec = job.spec;
  if (!isRecord(spec)) return;
  const sat = [...at, 'spec'];
  unknownKeys(spec, JOB_SPEC, 'the JobSpec', sat, p);
  for (const f of ['parallelism', 'completions', 'backoffLimit', 'activeDeadlineSeconds', 'ttlSecondsAfterFinished']) nonNegative(spec, f, sat, p);
  const template = spec.template;
  if (!isRecord(template)) {
    p.error([...sat, 'template', 'spec', 'containers'], 'Required value: a Job needs spec.template.spec.containers');
    return;
  }
  const tat = [...sat, 'template'];
  unknownKeys(template, ['metadata', 'spec'], 'the pod template', tat, p);
  lintMeta(template.metadata, [...tat, 'metadata'], TEMPLATE_META, 'the pod template metadata', p);
  const pod = template.spec;
  if (!isRecord(pod)) {
    p.error([...tat, 'spec', 'containers'], 'Required value');
    return;
  }
  const pat = [...tat, 'spec'];
  unknownKeys(pod, POD_SPEC, 'the PodSpec', pat, p);
  if (!Array.isArray(pod.containers) || pod.containers.length === 0) {
    p.error([...pat, 'containers'], pod.containers === undefined ? 'Required value' : `Required value: at least one container (got ${typeName(pod.containers)})`);
  }
  const names = new Set<string>();
  asArray(pod.containers).forEach((c, i) => lintContainer(c, [...pat, 'containers', i], names, p));
  asArray(pod.initContainers).forEach((c, i) => lintContainer(c, [...pat, 'initContainers', i], names, p));
  const policy = pod.restartPolicy;
  if (policy === undefined || policy === null || policy === '') {
    p.error([...pat, 'restartPolicy'], 'Required value: valid values: "OnFailure", "Never" (a Job\'s pods default to Always, which the Job API refuses)');
  } else if (policy !== 'OnFailure' && policy !== 'Never' && !hasTag(policy)) {
    p.error([...pat, 'restartPolicy'], `Unsupported value: ${JSON.stringify(policy)}: supported values: "OnFailure", "Never"`);
  }
  nonNegative(pod, 'activeDeadlineSeconds', pat, p);
  nonNegative(pod, 'terminationGracePeriodSeconds', pat, p);
}
