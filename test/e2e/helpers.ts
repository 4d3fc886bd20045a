// Shared bits of the end-to-end suites: a watch that timestamps verdicts, kubeconfigs that tell
// clients apart in the fake's request log, Prometheus series, and status comparison.
import { CustomObjectsApi, KubeConfig, makeInformer, type KubernetesObject } from '@kubernetes/client-node';
import type { AnalysisRun, AnalysisRunStatus } from '../../src/api/types.js';
import { isCompleted } from '../../src/api/phase.js';
import type { FakeKube, RecordedRequest } from '../support/fake-kube/index.js';

export const ARGO = { group: 'argoproj.io', version: 'v1alpha1' } as const;
export const API_VERSION = 'argoproj.io/v1alpha1';

/**
 * A KubeConfig for the fake that sends `Authorization: Bearer <token>`. The fake allows everything,
 * but records headers, so the request log tells which client (the scripted Rollout controller or
 * assay) sent a request.
 */
export function kubeConfigWithToken(fake: FakeKube, token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server: fake.url, skipTLSVerify: true }],
    users: [{ name: token, token }],
    contexts: [{ name: 'fake', cluster: 'fake', user: token, namespace: 'default' }],
    currentContext: 'fake',
  });
  return kc;
}

export const sentBy = (r: RecordedRequest, token: string): boolean => r.headers.authorization === `Bearer ${token}`;

/** Requests that wrote one AnalysisRun (PUT or PATCH on the object, or on a would-be subresource). */
export function writesTo(fake: FakeKube, namespace: string, name: string): RecordedRequest[] {
  const path = `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/analysisruns/${name}`;
  return fake.requests.filter((r) => (r.method === 'PATCH' || r.method === 'PUT') && (r.path === path || r.path.startsWith(`${path}/`)));
}

/**
 * The test's own informer on AnalysisRuns: records the wall time at which each run was first seen
 * with a completed phase, as any watcher of the cluster (Argo Rollouts included) would see it.
 */
export class VerdictWatch {
  readonly completedSeenAt = new Map<string, number>();
  private informer: ReturnType<typeof makeInformer<KubernetesObject>> | undefined;

  async start(kc: KubeConfig, namespace: string): Promise<void> {
    const api = kc.makeApiClient(CustomObjectsApi);
    const path = `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/analysisruns`;
    this.informer = makeInformer<KubernetesObject>(kc, path, (() =>
      api.listNamespacedCustomObject({ ...ARGO, namespace, plural: 'analysisruns' })) as never);
    const on = (obj: KubernetesObject) => {
      const at = Date.now();
      const run = obj as unknown as AnalysisRun;
      const name = run.metadata.name ?? '';
      if (isCompleted(run.status?.phase) && !this.completedSeenAt.has(name)) this.completedSeenAt.set(name, at);
    };
    this.informer.on('add', on);
    this.informer.on('update', on);
    await this.informer.start();
  }

  async stop(): Promise<void> {
    await this.informer?.stop();
  }
}

/** Epoch ms of an RFC 3339 time written in status. */
export function ms(time: string | undefined): number {
  if (!time) throw new Error('no time');
  const t = Date.parse(time);
  if (Number.isNaN(t)) throw new Error(`unparseable time ${time}`);
  return t;
}

export async function until<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 15_000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The status without wall-clock times: what must match between interrupted and uninterrupted runs. */
export function essence(s: AnalysisRunStatus | undefined) {
  return {
    phase: s?.phase,
    message: s?.message,
    runSummary: s?.runSummary,
    dryRunSummary: s?.dryRunSummary,
    metricResults: (s?.metricResults ?? [])
      .map(({ measurements, ...r }) => ({ ...r, measurements: (measurements ?? []).map((m) => ({ phase: m.phase, value: m.value, message: m.message })) }))
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
  };
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
