/**
 * The Job metric provider (Argo's `metricproviders/job`): each measurement runs a Kubernetes Job
 * and the Job's outcome is the verdict, so the provider judges itself. `measure` creates the Job
 * and returns `inProgress`; the engine then calls `resume` until the Job completes or fails, and
 * `terminate` when the run stops while the Job still runs.
 *
 * - config.ts:   the provider block
 * - manifest.ts: the Job's name, labels, annotations, ownerReference, and the adoption rule
 * - status.ts:   conditions, pods stuck pulling images, the polling delay
 * - kube.ts:     the API calls (client-node) and their failures in client-go's words
 * - gc.ts:       deleting the oldest Jobs of a metric beyond the retention limit
 *
 * The Kubernetes client is injected (the controller's KubeConfig): nothing here loads a config
 * or reads the environment.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { MeasureContext, MetricProvider, Observation, PriorMeasurement, ProviderEnv } from '../../src/metric/provider.js';
import { parseJobConfig, type JobConfig } from './config.js';
import { collectJobs, type GarbageCollectResult } from './gc.js';
import { JobClient, type KubeFailure } from './kube.js';
import { buildJob, isOwnJob, JOB_NAME_KEY, JOB_NAMESPACE_KEY, jobNamespace, ownsByReference } from './manifest.js';
import { jobVerdict, nextResumeAt, podSelector, terminalPodErrors } from './status.js';

export type { JobConfig } from './config.js';
export type { GarbageCollectResult } from './gc.js';
export { jobName, MAX_JOB_NAME_LENGTH } from './manifest.js';

export interface JobProviderOptions {
  /** The cluster the Jobs run in (the controller's own, or ARGO_ROLLOUTS_ANALYSIS_JOB_KUBECONFIG's). */
  kubeConfig: KubeConfig;
  /** The provider's "now" for resumeAt and a measurement's age; defaults to the engine's `ctx.now`. */
  clock?: () => number;
  /** Per-request timeout (client-go's rest.Config.Timeout). Argo sets none, which is the default. */
  requestTimeoutMs?: number;
  /**
   * The kubeConfig reaches another cluster than the AnalysisRuns' (Argo's
   * ARGO_ROLLOUTS_ANALYSIS_JOB_KUBECONFIG): Jobs get no ownerReference, adoption goes by the uid label.
   */
  separateCluster?: boolean;
}

interface RunRef {
  namespace: string;
  name: string;
  uid: string;
}

/** The job provider: the MetricProvider contract, with `resume`/`terminate` always present, plus GC. */
export interface JobMetricProvider extends MetricProvider<JobConfig> {
  resume(config: JobConfig, prior: PriorMeasurement, ctx: MeasureContext): Promise<Observation>;
  terminate(config: JobConfig, prior: PriorMeasurement, ctx: MeasureContext): Promise<Observation>;
  /**
   * Argo's `GarbageCollect(run, metric, limit)`: delete the oldest of this metric's Jobs beyond
   * `limit`. The Jobs are looked up where `measure` puts them (`env.jobNamespace`, else the run's).
   */
  garbageCollect(run: RunRef, metricName: string, limit: number, opts?: { signal?: AbortSignal; env?: ProviderEnv }): Promise<GarbageCollectResult>;
}

const MISSING_REFERENCE = 'job metadata reference missing';

function failed(f: KubeFailure): Observation {
  return { kind: 'error', code: f.code, message: f.message };
}

/** The Job a stored measurement points at: its metadata, defaulting the namespace to the run's (Argo's getJobNamespacedName). */
function jobRef(prior: PriorMeasurement, ctx: MeasureContext): { name: string; namespace: string } | undefined {
  const name = prior.metadata?.[JOB_NAME_KEY];
  if (!name) return undefined;
  return { name, namespace: prior.metadata?.[JOB_NAMESPACE_KEY] || ctx.run.namespace };
}

export function createJobProvider(options: JobProviderOptions): JobMetricProvider {
  const client = new JobClient(options.kubeConfig, options.requestTimeoutMs);
  const separateCluster = options.separateCluster ?? false;
  const nowOf = (ctx: MeasureContext): number => options.clock?.() ?? ctx.now;

  async function measure(config: JobConfig, ctx: MeasureContext): Promise<Observation> {
    const namespace = jobNamespace(ctx);
    const byReference = ownsByReference(namespace, ctx, separateCluster);
    const job = buildJob(config, ctx, namespace, byReference);
    const name = (job.metadata as { name: string }).name;
    const created = await client.createJob(namespace, job, ctx.signal);
    if (!created.ok) {
      const f = created.failure;
      const alreadyExists = f.status === 409 && (f.reason === undefined || f.reason === 'AlreadyExists');
      if (!alreadyExists) return failed(f);
      // The same name means the same measurement, retried after a reconcile that did not get to
      // record it: adopt the Job if it is ours. Argo reports the create error when it is not.
      const existing = await client.readJob(namespace, name, ctx.signal);
      if (!existing.ok) {
        const code = existing.failure.code;
        return code === 'Aborted' || code === 'Timeout' ? failed(existing.failure) : { kind: 'error', code, message: f.message };
      }
      if (!isOwnJob(existing.value, ctx.run.uid, byReference)) return failed(f);
    }
    return { kind: 'inProgress', resumeAt: nowOf(ctx), metadata: { [JOB_NAME_KEY]: name, [JOB_NAMESPACE_KEY]: namespace } };
  }

  async function resume(_config: JobConfig, prior: PriorMeasurement, ctx: MeasureContext): Promise<Observation> {
    const ref = jobRef(prior, ctx);
    if (!ref) return { kind: 'error', code: 'BadResponse', message: MISSING_REFERENCE };
    const got = await client.readJob(ref.namespace, ref.name, ctx.signal);
    if (!got.ok) {
      // Argo reads the Job from its informer cache, whose NotFound names the singular resource.
      if (got.failure.status === 404) return { kind: 'error', code: 'BadResponse', message: `job.batch "${ref.name}" not found` };
      return failed(got.failure);
    }
    const verdict = jobVerdict(got.value);
    if (verdict) return { kind: 'judged', phase: verdict };
    const pods = await client.listPods(ref.namespace, podSelector(got.value, ref.name), ctx.signal);
    if (!pods.ok) return failed(pods.failure);
    const stuck = terminalPodErrors(pods.value.items);
    if (stuck !== '') return { kind: 'judged', phase: 'Inconclusive', message: stuck };
    const now = nowOf(ctx);
    return { kind: 'inProgress', resumeAt: nextResumeAt(now, prior.startedAt) };
  }

  async function terminate(_config: JobConfig, prior: PriorMeasurement, ctx: MeasureContext): Promise<Observation> {
    const ref = jobRef(prior, ctx);
    if (!ref) return { kind: 'error', code: 'BadResponse', message: MISSING_REFERENCE };
    const deleted = await client.deleteJob(ref.namespace, ref.name, ctx.signal);
    if (!deleted.ok) return failed(deleted.failure);
    // The engine replaces the message with "Metric Terminated" (§3.3).
    return { kind: 'judged', phase: 'Inconclusive' };
  }

  async function garbageCollect(
    run: RunRef,
    metricName: string,
    limit: number,
    opts: { signal?: AbortSignal; env?: ProviderEnv } = {},
  ): Promise<GarbageCollectResult> {
    const namespace = opts.env?.jobNamespace || run.namespace;
    return collectJobs(client, namespace, run.uid, metricName, limit, opts.signal ?? new AbortController().signal);
  }

  return {
    key: 'job',
    type: 'Job',
    parseConfig: parseJobConfig,
    measure,
    resume,
    terminate,
    garbageCollect,
    // Argo's job provider stores no metadata on the metric result.
    metadata: () => undefined,
    // client-node keeps no pooled state per provider that would need releasing.
    close: async () => undefined,
  };
}
