/**
 * Least privilege, checked on what the ServiceAccount is really granted: every binding to it in the
 * render is followed to its role, and the resulting `scope group/resource verb` set must equal the
 * expected one exactly, no more and no less.
 */
import { describe, expect, test } from 'vitest';
import { resolveHelms } from '../../support/helm.js';
import { expand, grants, type K8sObject, ofKind, one, render } from './render.js';
import { FULL, NS, SCENARIOS } from './scenarios.js';

const helms = await resolveHelms();
const v = (name: string): object => SCENARIOS[name]!.values;

const RUN_VERBS = ['get', 'list', 'watch', 'patch', 'update', 'delete'];
const READ = ['get', 'list', 'watch'];

function runs(scope: string, clusterTemplates: boolean): string[] {
  return [
    ...expand(scope, 'argoproj.io/analysisruns', RUN_VERBS),
    ...expand(scope, 'argoproj.io/analysistemplates', READ),
    ...(clusterTemplates ? expand(scope, 'argoproj.io/clusteranalysistemplates', READ) : []),
    ...expand(scope, 'core/events', ['create', 'patch']),
  ];
}
const jobs = (scope: string): string[] => [...expand(scope, 'batch/jobs', ['create', 'get', 'list', 'watch', 'delete']), ...expand(scope, 'core/pods', ['list'])];
const leases = expand(`ns:${NS}`, 'coordination.k8s.io/leases', ['get', 'create', 'update']);
const sorted = (...lists: string[][]): string[] => lists.flat().sort();

async function granted(helm: Parameters<typeof render>[0], values: object, sa = FULL): Promise<string[]> {
  return grants((await render(helm, values)).objects, sa, NS);
}

describe.each(helms.map((h) => [`helm ${h.version}`, h] as const))('%s', (_label, helm) => {
  test('defaults: cluster-wide run ownership and the job provider; no secrets, no leases', async () => {
    expect(await granted(helm, {})).toEqual(sorted(runs('cluster', true), jobs('cluster')));
  });

  test('the default ClusterRole rules, verbatim', async () => {
    const role = one((await render(helm, {})).objects, 'ClusterRole', FULL);
    expect(role.rules).toEqual([
      { apiGroups: ['argoproj.io'], resources: ['analysisruns'], verbs: RUN_VERBS },
      { apiGroups: ['argoproj.io'], resources: ['analysistemplates', 'clusteranalysistemplates'], verbs: READ },
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'get', 'list', 'watch', 'delete'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
    ]);
  });

  test('replicas 3 without Redis: a Lease Role in the release namespace only', async () => {
    expect(await granted(helm, v('ha'))).toEqual(sorted(runs('cluster', true), jobs('cluster'), leases));
    const role = one((await render(helm, v('ha'))).objects, 'Role', `${FULL}-leader-election`, NS);
    expect(role.rules).toEqual([{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] }]);
  });

  test('Redis with several controllers: no leader election, so no Lease access', async () => {
    expect(await granted(helm, v('redisSecretWorkers'))).toEqual(sorted(runs('cluster', true), jobs('cluster')));
  });

  test('leaderElect: true with one replica still gets the Lease Role', async () => {
    expect(await granted(helm, v('leaderForced'))).toEqual(sorted(runs('cluster', true), jobs('cluster'), leases));
  });

  test('watchNamespaces: one Role per namespace, and only a read-only ClusterRole for ClusterAnalysisTemplates', async () => {
    const { objects } = await render(helm, v('namespaced'));
    expect(grants(objects, FULL, NS)).toEqual(sorted(
      runs('ns:team-a', false), jobs('ns:team-a'),
      runs('ns:team-b', false), jobs('ns:team-b'),
      expand('cluster', 'argoproj.io/clusteranalysistemplates', READ),
    ));
    expect(ofKind(objects, 'Role').map((r) => `${r.metadata.namespace}/${r.metadata.name}`).sort()).toEqual([`team-a/${FULL}`, `team-b/${FULL}`]);
    expect(ofKind(objects, 'ClusterRole').map((r) => r.metadata.name)).toEqual([`${FULL}-cluster-templates`]);
  });

  test('watchNamespaces with rbac.clusterAnalysisTemplates=false: no cluster-scoped RBAC at all', async () => {
    const { objects } = await render(helm, v('namespacedOnly'));
    expect(ofKind(objects, 'ClusterRole')).toEqual([]);
    expect(ofKind(objects, 'ClusterRoleBinding')).toEqual([]);
    expect(grants(objects, FULL, NS)).toEqual(sorted(runs('ns:team-a', false), jobs('ns:team-a')));
  });

  test('secrets.namespaces: get on Secrets in exactly those namespaces, through their own Roles', async () => {
    const { objects } = await render(helm, v('secretsNamespaces'));
    expect(grants(objects, FULL, NS)).toEqual(sorted(
      runs('cluster', true), jobs('cluster'),
      [`ns:${NS} core/secrets get`, 'ns:payments core/secrets get'],
    ));
    for (const ns of [NS, 'payments']) {
      expect(one(objects, 'Role', `${FULL}-secrets`, ns).rules).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]);
      expect(one(objects, 'RoleBinding', `${FULL}-secrets`, ns).roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${FULL}-secrets` });
    }
  });

  test('no value set grants Secret access unless asked to', async () => {
    for (const [name, scenario] of Object.entries(SCENARIOS)) {
      if (name.startsWith('secrets')) continue;
      const { objects } = await render(helm, scenario.values);
      const mentions = [...ofKind(objects, 'Role'), ...ofKind(objects, 'ClusterRole')]
        .flatMap((r) => (r.rules as K8sObject[]).filter((rule) => (rule.resources as string[]).some((res) => res === 'secrets' || res === '*')));
      expect(mentions, name).toEqual([]);
    }
  });

  test('secrets.clusterWide: get on Secrets everywhere, nothing more', async () => {
    expect(await granted(helm, v('secretsClusterWide'))).toEqual(sorted(runs('cluster', true), jobs('cluster'), ['cluster core/secrets get']));
  });

  test('jobProvider.enabled=false: no Job or Pod access anywhere', async () => {
    const g = await granted(helm, v('noJobs'));
    expect(g).toEqual(sorted(runs('cluster', true)));
    expect(g.filter((x) => /\/(jobs|pods) /.test(x))).toEqual([]);
  });

  test('jobProvider.namespace: Job and Pod access only in that namespace', async () => {
    expect(await granted(helm, v('jobNamespace'))).toEqual(sorted(
      runs('ns:team-a', false), jobs('ns:analysis-jobs'), expand('cluster', 'argoproj.io/clusteranalysistemplates', READ),
    ));
  });

  test('an existing ServiceAccount is bound instead of the chart one', async () => {
    expect(await granted(helm, v('existingServiceAccount'), 'platform-assay')).toEqual(sorted(runs('cluster', true), jobs('cluster')));
  });

  test('rbac.create=false: no RBAC objects', async () => {
    const { objects } = await render(helm, { ...v('noRbac'), controller: { replicas: 2 }, secrets: { namespaces: ['a'] } });
    expect(objects.filter((o) => /Role/.test(o.kind))).toEqual([]);
  });
});
