/**
 * The shape checker must catch what it claims to, or the chart tests that rely on it prove nothing.
 * Each case breaks one rule in an otherwise valid set of objects.
 */
import { describe, expect, test } from 'vitest';
import { shapeProblems } from './k8s-shape.js';
import type { K8sObject } from './render.js';

const labels = { 'app.kubernetes.io/name': 'x', 'app.kubernetes.io/component': 'controller' };

function valid(): K8sObject[] {
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa', namespace: 'ns' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'redis', namespace: 'ns' }, data: { url: 'cmVkaXM6Ly94' } },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'ns', labels },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'sa',
            volumes: [{ name: 'tmp', emptyDir: {} }],
            containers: [{
              name: 'c', image: 'img:1',
              ports: [{ name: 'metrics', containerPort: 8090 }, { name: 'health', containerPort: 8081 }],
              livenessProbe: { httpGet: { path: '/healthz', port: 'health' } },
              env: [{ name: 'REDIS_URL', valueFrom: { secretKeyRef: { name: 'redis', key: 'url' } } }],
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            }],
          },
        },
      },
    },
    {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', namespace: 'ns', labels: { svc: 'm' } },
      spec: { selector: { 'app.kubernetes.io/name': 'x' }, ports: [{ name: 'metrics', port: 8090, targetPort: 'metrics' }] },
    },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' }, rules: [{ apiGroups: [''], resources: ['events'], verbs: ['create'] }] },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'r' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'r' },
      subjects: [{ kind: 'ServiceAccount', name: 'sa', namespace: 'ns' }],
    },
    {
      apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'sm', namespace: 'ns' },
      spec: { selector: { matchLabels: { svc: 'm' } }, endpoints: [{ port: 'metrics' }] },
    },
    {
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'pdb', namespace: 'ns' },
      spec: { minAvailable: 1, selector: { matchLabels: labels } },
    },
  ] as K8sObject[];
}

function broken(edit: (objects: K8sObject[]) => void): string[] {
  const objects = valid();
  edit(objects);
  return shapeProblems(objects);
}

const byKind = (objects: K8sObject[], kind: string): K8sObject => objects.find((o) => o.kind === kind)!;
const pod = (objects: K8sObject[]): K8sObject => byKind(objects, 'Deployment').spec.template;
const ctr = (objects: K8sObject[]): K8sObject => pod(objects).spec.containers[0];

describe('k8s shape checker', () => {
  test('accepts the valid set', () => {
    expect(shapeProblems(valid())).toEqual([]);
  });

  test.each<[string, (o: K8sObject[]) => void, RegExp]>([
    ['uppercase name', (o) => { o[0]!.metadata.name = 'SA'; }, /bad metadata.name/],
    ['Service name starting with a digit', (o) => { byKind(o, 'Service').metadata.name = '1svc'; }, /bad metadata.name/],
    ['missing namespace on a namespaced kind', (o) => { delete o[0]!.metadata.namespace; }, /needs a valid metadata.namespace/],
    ['namespace on a ClusterRole', (o) => { byKind(o, 'ClusterRole').metadata.namespace = 'ns'; }, /cluster-scoped object has metadata.namespace/],
    ['missing apiVersion', (o) => { delete (o[0] as Partial<K8sObject>).apiVersion; }, /bad apiVersion/],
    ['label value too long', (o) => { o[0]!.metadata.labels = { a: 'x'.repeat(64) }; }, /bad value for a/],
    ['label value with a space', (o) => { o[0]!.metadata.labels = { a: 'x y' }; }, /bad value for a/],
    ['label key with two slashes', (o) => { o[0]!.metadata.labels = { 'a/b/c': 'x' }; }, /bad label key/],
    ['non-string label value', (o) => { o[0]!.metadata.labels = { a: 1 as unknown as string }; }, /bad value for a/],
    ['selector not matching the pod labels', (o) => { pod(o).metadata.labels = { other: 'x' }; }, /does not select the pod template/],
    ['probe on an undeclared port name', (o) => { ctr(o).livenessProbe.httpGet.port = 'healthz'; }, /does not declare/],
    ['port name longer than 15', (o) => { ctr(o).ports[0].name = 'metrics-endpoint-x'; }, /bad port name/],
    ['duplicate port name', (o) => { ctr(o).ports[1].name = 'metrics'; }, /duplicate port name/],
    ['mount of an undefined volume', (o) => { ctr(o).volumeMounts[0].name = 'cache'; }, /undefined volume/],
    ['env with value and valueFrom', (o) => { ctr(o).env[0].value = 'redis://x'; }, /exactly one of value\/valueFrom/],
    ['env from a Secret that does not exist', (o) => { ctr(o).env[0].valueFrom.secretKeyRef.name = 'nope'; }, /Secret nope/],
    ['service account that does not exist', (o) => { pod(o).spec.serviceAccountName = 'nope'; }, /serviceAccountName nope/],
    ['Service selecting nothing', (o) => { byKind(o, 'Service').spec.selector = { 'app.kubernetes.io/name': 'y' }; }, /selects no rendered pods/],
    ['Service targetPort not on the pods', (o) => { byKind(o, 'Service').spec.ports[0].targetPort = 'http'; }, /targetPort "http"/],
    ['unknown verb', (o) => { byKind(o, 'ClusterRole').rules[0].verbs = ['read']; }, /unknown verb read/],
    ['binding to a role that is not rendered', (o) => { byKind(o, 'ClusterRoleBinding').roleRef.name = 'gone'; }, /is not rendered/],
    ['binding to an unknown ServiceAccount', (o) => { byKind(o, 'ClusterRoleBinding').subjects[0].name = 'x'; }, /subject ServiceAccount ns\/x/],
    ['ServiceMonitor selecting no Service', (o) => { byKind(o, 'ServiceMonitor').spec.selector.matchLabels = { svc: 'n' }; }, /selects no rendered Service/],
    ['ServiceMonitor on a port the Service lacks', (o) => { byKind(o, 'ServiceMonitor').spec.endpoints[0].port = 'http'; }, /endpoint port "http"/],
    ['PDB with both bounds', (o) => { byKind(o, 'PodDisruptionBudget').spec.maxUnavailable = 1; }, /exactly one of minAvailable/],
    ['Secret data that is not base64', (o) => { byKind(o, 'Secret').data.url = 'redis://x'; }, /not base64/],
    ['the same object twice', (o) => { o.push(structuredClone(o[0]!)); }, /rendered twice/],
  ])('reports %s', (_name, edit, expected) => {
    const problems = broken(edit);
    expect(problems.some((p) => expected.test(p)), problems.join('\n') || '(no problems reported)').toBe(true);
  });

  test('declared external objects satisfy references', () => {
    const objects = valid().filter((o) => o.kind !== 'Secret');
    expect(shapeProblems(objects).join('\n')).toMatch(/Secret redis/);
    expect(shapeProblems(objects, { external: ['Secret/ns/redis'] })).toEqual([]);
  });
});
