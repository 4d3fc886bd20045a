/**
 * Shared setup for the job provider suites: a fake API server, the provider built on the REAL
 * client-node talking to it over loopback, and helpers that play the missing controllers (the
 * Job controller writing conditions, the kubelet writing container states) through `fake.put`.
 */
import type { MeasureContext, Observation, PriorMeasurement } from '../../../src/metric/provider.js';
import { createJobProvider, type JobConfig, type JobMetricProvider, type JobProviderOptions } from '../../../providers/job/index.js';
import { startFakeKube, type FakeKube, type KubeObject } from '../../support/fake-kube/index.js';

export const RUN_UID = '0f6e2a4c-1b3d-4e5f-8a9b-0c1d2e3f4a5b';

export const JOB_BLOCK = {
  metadata: { labels: { team: 'payments' }, annotations: { 'example.com/owner': 'qa' } },
  spec: {
    backoffLimit: 1,
    template: {
      metadata: { labels: { app: 'smoke' } },
      spec: { restartPolicy: 'Never', containers: [{ name: 'smoke', image: 'busybox:1.36', command: ['true'] }] },
    },
  },
};

export interface Harness {
  fake: FakeKube;
  provider: JobMetricProvider;
  close(): Promise<void>;
}

export async function startHarness(opts: Partial<JobProviderOptions> = {}): Promise<Harness> {
  const fake = await startFakeKube({ namespaces: ['rollouts', 'analysis-jobs'] });
  const provider = createJobProvider({ kubeConfig: fake.kubeConfig(), ...opts });
  return {
    fake,
    provider,
    close: async () => {
      await provider.close?.();
      await fake.close();
    },
  };
}

export function ctx(overrides: Partial<MeasureContext> = {}): MeasureContext {
  return {
    signal: new AbortController().signal,
    now: Date.parse('2026-03-01T12:00:00Z'),
    env: {},
    secrets: { get: async (_ns: string, name: string) => ({ ok: false as const, error: `secrets "${name}" not found` }) },
    run: { namespace: 'rollouts', name: 'canary-run', uid: RUN_UID },
    metric: { name: 'smoke', index: 1 },
    ...overrides,
  };
}

export function parse(provider: JobMetricProvider, raw: unknown = JOB_BLOCK): JobConfig {
  const parsed = provider.parseConfig(raw, {});
  if (!parsed.ok) throw new Error(`config refused: ${parsed.message}`);
  return parsed.config;
}

/** Measure, expecting the Job to be created; returns the stored measurement to resume from. */
export async function started(provider: JobMetricProvider, c: MeasureContext = ctx()): Promise<PriorMeasurement> {
  const obs = await provider.measure(parse(provider), c);
  if (obs.kind !== 'inProgress') throw new Error(`expected inProgress, got ${JSON.stringify(obs)}`);
  return { startedAt: c.now, resumeAt: obs.resumeAt, ...(obs.metadata ? { metadata: obs.metadata } : {}) };
}

export function readJob(fake: FakeKube, name: string, namespace = 'rollouts'): KubeObject {
  const job = fake.get({ apiVersion: 'batch/v1', kind: 'Job', namespace, name });
  if (!job) throw new Error(`job ${namespace}/${name} not in the fake`);
  return job;
}

/** Play the Job controller: set the Job's status conditions. */
export function setConditions(fake: FakeKube, name: string, conditions: Array<{ type: string; status: string }>, namespace = 'rollouts'): void {
  const job = readJob(fake, name, namespace);
  fake.put({ ...job, status: { ...(job.status as object), conditions } });
}

/** Play the Job controller and kubelet: a pod of the Job with the given container statuses. */
export function putPod(
  fake: FakeKube,
  jobName: string,
  podName: string,
  status: { containerStatuses?: unknown[]; initContainerStatuses?: unknown[] },
  namespace = 'rollouts',
): void {
  const job = readJob(fake, jobName, namespace);
  const labels = ((job.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels);
  fake.put({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podName,
      namespace,
      labels,
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: jobName, uid: job.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec: { restartPolicy: 'Never', containers: [{ name: 'smoke', image: 'busybox:1.36' }] },
    status: { phase: 'Pending', ...status },
  });
}

export function waiting(name: string, reason: string, message: string): unknown {
  return { name, ready: false, restartCount: 0, image: 'x', imageID: '', state: { waiting: { reason, message } } };
}

export function expectKind<K extends Observation['kind']>(obs: Observation, kind: K): Extract<Observation, { kind: K }> {
  if (obs.kind !== kind) throw new Error(`expected ${kind}, got ${JSON.stringify(obs)}`);
  return obs as Extract<Observation, { kind: K }>;
}
