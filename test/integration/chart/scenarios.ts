/** Value sets the chart is rendered with, shared by the chart suites. Release "rel" in "assay-system". */

export const NS = 'assay-system';
/** fullname and ServiceAccount name for release "rel". */
export const FULL = 'rel-assay';
export const REDIS_URL = 'redis://:s3cret-pw@redis.example.internal:6379/2';

export interface Scenario {
  values: object;
  /** Objects the render refers to but the chart does not create (Kind/namespace/name). */
  external?: string[];
}

export const SCENARIOS: Record<string, Scenario> = {
  defaults: { values: {} },
  ha: { values: { controller: { replicas: 3 } } },
  leaderForced: { values: { controller: { leaderElect: true } } },
  redisUrlWorkers: { values: { redis: { url: REDIS_URL }, worker: { enabled: true } } },
  redisSecretWorkers: {
    values: {
      redis: { existingSecret: 'shared-redis', existingSecretKey: 'url', queue: 'team-ticks' },
      controller: { replicas: 2 },
      worker: { enabled: true, replicas: 3, concurrency: 16 },
    },
    external: [`Secret/${NS}/shared-redis`],
  },
  workerWithoutRedis: { values: { worker: { enabled: true } } },
  namespaced: { values: { watchNamespaces: ['team-a', 'team-b'] } },
  namespacedOnly: { values: { watchNamespaces: ['team-a'], rbac: { clusterAnalysisTemplates: false } } },
  secretsNamespaces: { values: { secrets: { namespaces: [NS, 'payments'] } } },
  secretsClusterWide: { values: { secrets: { clusterWide: true } } },
  serviceMonitor: { values: { serviceMonitor: { enabled: true, labels: { release: 'kube-prometheus' }, scrapeTimeout: '10s' } } },
  noJobs: { values: { jobProvider: { enabled: false } } },
  jobNamespace: {
    values: { jobProvider: { namespace: 'analysis-jobs' }, watchNamespaces: ['team-a'], prometheus: { address: 'http://prometheus.monitoring:9090' } },
  },
  pdb: { values: { controller: { replicas: 2, podDisruptionBudget: { enabled: true } } } },
  existingServiceAccount: { values: { serviceAccount: { create: false, name: 'platform-assay' } }, external: [`ServiceAccount/${NS}/platform-assay`] },
  noRbac: { values: { rbac: { create: false } } },
  customised: {
    values: {
      fullnameOverride: 'analysis',
      image: { repository: 'registry.example/assay', digest: `sha256:${'a'.repeat(64)}`, pullPolicy: 'Always' },
      imagePullSecrets: [{ name: 'regcred' }],
      logLevel: 'debug',
      priorityClassName: 'system-cluster-critical',
      ports: { metrics: 9100, health: 9101 },
      service: { port: 9100 },
      controller: {
        concurrency: 8,
        kubeQps: 40,
        kubeBurst: 80,
        extraArgs: ['--some-flag=x y'],
        extraEnv: [{ name: 'ASSAY_API_TOKEN', valueFrom: { secretKeyRef: { name: 'api-token', key: 'token' } } }],
        podLabels: { team: 'delivery', 'app.kubernetes.io/name': 'hijack' },
        podAnnotations: { 'example.com/note': 'x' },
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }],
      },
    },
    external: [`Secret/${NS}/api-token`],
  },
};
