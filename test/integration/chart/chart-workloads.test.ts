/**
 * The rendered workloads of charts/assay (real helm): Deployments, their args, env, probes and
 * security, the Redis Secret handling, the metrics Service, ServiceMonitor and PDB.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { resolveHelms } from '../../support/helm.js';
import { selects } from './k8s-shape.js';
import { chartDir, container, type K8sObject, ofKind, one, render } from './render.js';
import { FULL, NS, REDIS_URL, SCENARIOS } from './scenarios.js';

const helms = await resolveHelms();
const chart = parse(await readFile(path.join(chartDir, 'Chart.yaml'), 'utf8')) as { version: string; appVersion: string };
const v = (name: string): object => SCENARIOS[name]!.values;
const envOf = (c: K8sObject): Record<string, K8sObject> => Object.fromEntries((c.env as K8sObject[]).map((e) => [e.name, e]));
const podLabels = (d: K8sObject): Record<string, string> => d.spec.template.metadata.labels;

describe.each(helms.map((h) => [`helm ${h.version}`, h] as const))('%s', (_label, helm) => {
  test('defaults: exactly the expected objects, all carrying the chart labels', async () => {
    const { objects } = await render(helm, {});
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      `ClusterRole/${FULL}`, `ClusterRoleBinding/${FULL}`, `Deployment/${FULL}-controller`, `Service/${FULL}-metrics`, `ServiceAccount/${FULL}`,
    ]);
    for (const o of objects) {
      expect(o.metadata.labels, `${o.kind}/${o.metadata.name}`).toMatchObject({
        'helm.sh/chart': `assay-${chart.version}`,
        'app.kubernetes.io/name': 'assay',
        'app.kubernetes.io/instance': 'rel',
        'app.kubernetes.io/version': chart.appVersion,
        'app.kubernetes.io/managed-by': 'Helm',
      });
    }
  });

  test('defaults: the controller Deployment', async () => {
    const d = one((await render(helm, {})).objects, 'Deployment', `${FULL}-controller`, NS);
    expect(d.spec.replicas).toBe(1);
    // No leader election and no Redis: never two controllers at once, even during an update.
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
    expect(d.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'assay', 'app.kubernetes.io/instance': 'rel', 'app.kubernetes.io/component': 'controller' });
    expect(podLabels(d)).toEqual(d.spec.selector.matchLabels);
    const pod = d.spec.template.spec;
    expect(pod.serviceAccountName).toBe(FULL);
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
    const c = container(d);
    expect(c.name).toBe('controller');
    expect(c.image).toBe(`ghcr.io/assay-dev/assay:${chart.appVersion}`);
    expect(c.args).toEqual(['controller', '--metrics-port=8090', '--health-port=8081']);
    expect(c.ports).toEqual([
      { name: 'metrics', containerPort: 8090, protocol: 'TCP' },
      { name: 'health', containerPort: 8081, protocol: 'TCP' },
    ]);
    expect(c.livenessProbe).toEqual({ httpGet: { path: '/healthz', port: 'health' }, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 });
    expect(c.readinessProbe).toEqual({ httpGet: { path: '/readyz', port: 'health' }, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 });
    expect(c.securityContext).toEqual({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(c.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(c.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } });
    expect(c.env).toEqual([{ name: 'ASSAY_LOG_LEVEL', value: 'info' }]);
  });

  test('defaults: the metrics Service selects the controller pods on the metrics port', async () => {
    const { objects } = await render(helm, {});
    const svc = one(objects, 'Service', `${FULL}-metrics`, NS);
    expect(svc.spec.type).toBe('ClusterIP');
    expect(svc.spec.ports).toEqual([{ name: 'metrics', port: 8090, targetPort: 'metrics', protocol: 'TCP' }]);
    expect(selects(svc.spec.selector, podLabels(one(objects, 'Deployment', `${FULL}-controller`)))).toBe(true);
    expect(ofKind(objects, 'ServiceMonitor')).toEqual([]);
    expect(ofKind(objects, 'PodDisruptionBudget')).toEqual([]);
  });

  test('replicas 3 without Redis: --leader-elect with the Lease in the release namespace, rolling update', async () => {
    const d = one((await render(helm, v('ha'))).objects, 'Deployment', `${FULL}-controller`);
    expect(d.spec.replicas).toBe(3);
    expect(container(d).args).toEqual(['controller', '--metrics-port=8090', '--health-port=8081', '--leader-elect', `--lease-namespace=${NS}`]);
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate' });
  });

  test('leaderElect: true adds --leader-elect even with one replica, but never with Redis (ignored there)', async () => {
    const d = one((await render(helm, v('leaderForced'))).objects, 'Deployment', `${FULL}-controller`);
    expect(container(d).args).toEqual(expect.arrayContaining(['--leader-elect', `--lease-namespace=${NS}`]));
    const redis = await render(helm, { controller: { leaderElect: true, replicas: 2 }, redis: { url: 'redis://r:6379' } });
    expect((container(one(redis.objects, 'Deployment', `${FULL}-controller`)).args as string[]).filter((a) => a.startsWith('--lease') || a === '--leader-elect')).toEqual([]);
  });

  test('Redis URL value: stored in a chart Secret, read through secretKeyRef, never literal', async () => {
    const { raw, objects } = await render(helm, v('redisUrlWorkers'));
    const secret = one(objects, 'Secret', `${FULL}-redis`, NS);
    expect(secret.type).toBe('Opaque');
    expect(Buffer.from(secret.data['redis-url'], 'base64').toString()).toBe(REDIS_URL);
    // Neither the URL nor its password appears anywhere in clear text (args, env values, annotations).
    expect(raw).not.toContain(REDIS_URL);
    expect(raw).not.toContain('s3cret-pw');
    const deployments = ofKind(objects, 'Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([`${FULL}-controller`, `${FULL}-worker`]);
    const checksums = new Set<string>();
    for (const d of deployments) {
      const c = container(d);
      expect(envOf(c).REDIS_URL).toEqual({ name: 'REDIS_URL', valueFrom: { secretKeyRef: { name: `${FULL}-redis`, key: 'redis-url' } } });
      expect((c.args as string[]).some((a) => /redis/i.test(a))).toBe(false);
      checksums.add(d.spec.template.metadata.annotations['checksum/redis-secret']);
    }
    // Both pods restart when the URL changes.
    expect(checksums.size).toBe(1);
    const changed = await render(helm, { redis: { url: 'redis://other:6379' }, worker: { enabled: true } });
    for (const d of ofKind(changed.objects, 'Deployment')) {
      expect(d.spec.template.metadata.annotations['checksum/redis-secret']).not.toBe([...checksums][0]);
    }
  });

  test('Redis from an existing Secret: workers run --role=worker, no leader election with 2 controllers', async () => {
    const { objects } = await render(helm, v('redisSecretWorkers'));
    expect(ofKind(objects, 'Secret')).toEqual([]);
    const controller = one(objects, 'Deployment', `${FULL}-controller`);
    const worker = one(objects, 'Deployment', `${FULL}-worker`, NS);
    expect(controller.spec.replicas).toBe(2);
    expect(container(controller).args).toEqual(['controller', '--metrics-port=8090', '--health-port=8081']);
    expect(controller.spec.strategy).toEqual({ type: 'RollingUpdate' });
    expect(worker.spec.replicas).toBe(3);
    const w = container(worker);
    expect(w.name).toBe('worker');
    expect(w.args).toEqual(['controller', '--role=worker', '--metrics-port=8090', '--health-port=8081', '--concurrency=16']);
    for (const c of [container(controller), w]) {
      expect(envOf(c).REDIS_URL).toEqual({ name: 'REDIS_URL', valueFrom: { secretKeyRef: { name: 'shared-redis', key: 'url' } } });
      expect(envOf(c).ASSAY_QUEUE).toEqual({ name: 'ASSAY_QUEUE', value: 'team-ticks' });
      expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'health' });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'health' });
      expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    }
    // The two Deployments never adopt each other's pods; the metrics Service scrapes both.
    expect(selects(controller.spec.selector.matchLabels, podLabels(worker))).toBe(false);
    expect(selects(worker.spec.selector.matchLabels, podLabels(controller))).toBe(false);
    const svc = one(objects, 'Service', `${FULL}-metrics`);
    expect(selects(svc.spec.selector, podLabels(worker)) && selects(svc.spec.selector, podLabels(controller))).toBe(true);
  });

  test('worker.enabled without Redis renders no worker', async () => {
    const { objects } = await render(helm, v('workerWithoutRedis'));
    expect(ofKind(objects, 'Deployment').map((d) => d.metadata.name)).toEqual([`${FULL}-controller`]);
  });

  test('watchNamespaces becomes --namespaces', async () => {
    const d = one((await render(helm, v('namespaced'))).objects, 'Deployment', `${FULL}-controller`);
    expect(container(d).args).toEqual(['controller', '--metrics-port=8090', '--health-port=8081', '--namespaces=team-a,team-b']);
  });

  test('job namespace and Prometheus address become env; jobProvider off drops the job env', async () => {
    const env = envOf(container(one((await render(helm, v('jobNamespace'))).objects, 'Deployment', `${FULL}-controller`)));
    expect(env.ARGO_ROLLOUTS_ANALYSIS_JOB_NAMESPACE).toEqual({ name: 'ARGO_ROLLOUTS_ANALYSIS_JOB_NAMESPACE', value: 'analysis-jobs' });
    expect(env.ARGO_ROLLOUTS_PROMETHEUS_ADDRESS).toEqual({ name: 'ARGO_ROLLOUTS_PROMETHEUS_ADDRESS', value: 'http://prometheus.monitoring:9090' });
    const off = await render(helm, { jobProvider: { enabled: false, namespace: 'analysis-jobs' } });
    expect(envOf(container(one(off.objects, 'Deployment', `${FULL}-controller`))).ARGO_ROLLOUTS_ANALYSIS_JOB_NAMESPACE).toBeUndefined();
  });

  test('serviceMonitor.enabled: a ServiceMonitor on the metrics Service', async () => {
    const { objects } = await render(helm, v('serviceMonitor'));
    const sm = one(objects, 'ServiceMonitor', FULL, NS);
    expect(sm.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(sm.metadata.labels?.release).toBe('kube-prometheus');
    expect(sm.spec.namespaceSelector).toEqual({ matchNames: [NS] });
    expect(sm.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s', scrapeTimeout: '10s' }]);
    const svc = one(objects, 'Service', `${FULL}-metrics`);
    expect(selects(sm.spec.selector.matchLabels, svc.metadata.labels)).toBe(true);
  });

  test('podDisruptionBudget.enabled: a PDB over the controller pods only', async () => {
    const { objects } = await render(helm, v('pdb'));
    const pdb = one(objects, 'PodDisruptionBudget', `${FULL}-controller`, NS);
    expect(pdb.apiVersion).toBe('policy/v1');
    expect(pdb.spec.minAvailable).toBe(1);
    expect(pdb.spec.maxUnavailable).toBeUndefined();
    expect(pdb.spec.selector.matchLabels).toEqual(one(objects, 'Deployment', `${FULL}-controller`).spec.selector.matchLabels);
    const pct = await render(helm, { controller: { replicas: 3, podDisruptionBudget: { enabled: true, maxUnavailable: '50%' } } });
    expect(one(pct.objects, 'PodDisruptionBudget', `${FULL}-controller`).spec).toMatchObject({ maxUnavailable: '50%' });
    expect(one(pct.objects, 'PodDisruptionBudget', `${FULL}-controller`).spec.minAvailable).toBeUndefined();
  });

  test('customised values reach the pod; podLabels cannot override the selector labels', async () => {
    const { objects } = await render(helm, v('customised'));
    const d = one(objects, 'Deployment', 'analysis-controller', NS);
    expect(one(objects, 'Service', 'analysis-metrics').spec.ports[0]).toMatchObject({ port: 9100, targetPort: 'metrics' });
    const pod = d.spec.template;
    expect(pod.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'assay', 'app.kubernetes.io/instance': 'rel', 'app.kubernetes.io/component': 'controller', team: 'delivery' });
    expect(pod.metadata.annotations).toEqual({ 'example.com/note': 'x' });
    expect(pod.spec.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(pod.spec.priorityClassName).toBe('system-cluster-critical');
    expect(pod.spec.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(pod.spec.tolerations).toEqual([{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }]);
    const c = container(d);
    expect(c.image).toBe(`registry.example/assay@sha256:${'a'.repeat(64)}`);
    expect(c.imagePullPolicy).toBe('Always');
    expect(c.args).toEqual(['controller', '--metrics-port=9100', '--health-port=9101', '--concurrency=8', '--kube-qps=40', '--kube-burst=80', '--some-flag=x y']);
    expect(c.ports.map((p: K8sObject) => p.containerPort)).toEqual([9100, 9101]);
    const env = envOf(c);
    expect(env.ASSAY_LOG_LEVEL!.value).toBe('debug');
    expect(env.ASSAY_API_TOKEN).toEqual({ name: 'ASSAY_API_TOKEN', valueFrom: { secretKeyRef: { name: 'api-token', key: 'token' } } });
  });

  test('an existing ServiceAccount is used and none is created', async () => {
    const { objects } = await render(helm, v('existingServiceAccount'));
    expect(ofKind(objects, 'ServiceAccount')).toEqual([]);
    expect(one(objects, 'Deployment', `${FULL}-controller`).spec.template.spec.serviceAccountName).toBe('platform-assay');
  });

  test('a release name containing "assay" is not repeated in names', async () => {
    const { objects } = await render(helm, {}, { release: 'assay' });
    expect(ofKind(objects, 'Deployment').map((d) => d.metadata.name)).toEqual(['assay-controller']);
  });
});
