/**
 * The Job Argo creates for one measurement (`newMetricJob`, `newJobName` in
 * metricproviders/job/job.go), and the rule for adopting a Job that already exists.
 *
 * The name is deterministic, `<runUID>.<metricName>.<count+error+1>`, so a reconcile working from
 * a stale view re-creates the same name and finds its own Job instead of starting a second one.
 * The Job controller copies the name into the `job-name` label of every pod, and label values
 * stop at 63 characters, so the metric name is cut until the whole name fits.
 */
import type { V1Job } from '@kubernetes/client-node';
import type { MeasureContext } from '../../src/metric/provider.js';
import type { JobConfig } from './config.js';

export const RUN_UID_LABEL = 'analysisrun.argoproj.io/uid';
const RUN_NAME_ANNOTATION = 'analysisrun.argoproj.io/name';
const RUN_NAMESPACE_ANNOTATION = 'analysisrun.argoproj.io/namespace';
export const METRIC_NAME_ANNOTATION = 'analysisrun.argoproj.io/metric-name';
/** Keys of the measurement metadata that point at the Job. */
export const JOB_NAME_KEY = 'job-name';
export const JOB_NAMESPACE_KEY = 'job-namespace';

/** The longest label value, hence the longest Job name whose pods can carry it. */
export const MAX_JOB_NAME_LENGTH = 63;

/**
 * `<runUID>.<metricName>.<index>`; when that exceeds 63 characters the metric name is cut to
 * the room left by the UID, the index and the two dots (Go `len`, i.e. bytes, as metric names
 * are ASCII). The UID and the index are never shortened: they keep the name unique.
 */
export function jobName(runUid: string, metricName: string, index: number): string {
  const full = `${runUid}.${metricName}.${index}`;
  if (full.length <= MAX_JOB_NAME_LENGTH) return full;
  const room = Math.max(0, MAX_JOB_NAME_LENGTH - runUid.length - String(index).length - 2);
  return `${runUid}.${metricName.slice(0, room)}.${index}`;
}

/** Where the Job goes: ARGO_ROLLOUTS_ANALYSIS_JOB_NAMESPACE when set (non-empty), else the run's namespace. */
export function jobNamespace(ctx: MeasureContext): string {
  return ctx.env.jobNamespace || ctx.run.namespace;
}

/**
 * Whether the Job carries an ownerReference to its AnalysisRun. Kubernetes garbage collection
 * cannot follow a reference across namespaces or clusters, so Argo leaves it out when the Job
 * runs in another namespace or through a separate job kubeconfig.
 */
export function ownsByReference(namespace: string, ctx: MeasureContext, separateCluster: boolean): boolean {
  return namespace === ctx.run.namespace && !separateCluster;
}

/** The batch/v1 Job for this measurement, as plain JSON (sent verbatim). */
export function buildJob(config: JobConfig, ctx: MeasureContext, namespace: string, withOwner: boolean): Record<string, unknown> {
  const { run, metric } = ctx;
  // Argo writes its own keys over the user's, so a user label cannot hide the run UID.
  const labels = { ...config.labels, [RUN_UID_LABEL]: run.uid };
  const annotations = {
    ...config.annotations,
    [RUN_NAME_ANNOTATION]: run.name,
    [RUN_NAMESPACE_ANNOTATION]: run.namespace,
    [METRIC_NAME_ANNOTATION]: metric.name,
  };
  const spec = structuredClone(config.spec);
  // The pods carry the run UID too, so they can be found from the run (the template is an object: config.ts).
  const template = spec.template as Record<string, unknown>;
  const tmeta = isObject(template.metadata) ? template.metadata : (template.metadata = {});
  tmeta.labels = { ...(isObject(tmeta.labels) ? tmeta.labels : {}), [RUN_UID_LABEL]: run.uid };
  const metadata: Record<string, unknown> = { name: jobName(run.uid, metric.name, metric.index), namespace, labels, annotations };
  if (withOwner) {
    metadata.ownerReferences = [
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', name: run.name, uid: run.uid, controller: true, blockOwnerDeletion: true },
    ];
  }
  return { apiVersion: 'batch/v1', kind: 'Job', metadata, spec };
}

/**
 * Whether a Job found under our name belongs to this run and may be adopted. With an
 * ownerReference the controller reference decides (no controller reference: not ours); without
 * one, the run-UID label does. Argo compares UIDs only, never the spec.
 */
export function isOwnJob(existing: V1Job, runUid: string, byReference: boolean): boolean {
  if (byReference) {
    const controller = (existing.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
    return controller !== undefined && controller.uid === runUid;
  }
  return existing.metadata?.labels?.[RUN_UID_LABEL] === runUid;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
