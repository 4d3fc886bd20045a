/**
 * Reading a Job's progress the way Argo's `Resume` does: the Job's conditions give the verdict;
 * while there is none, pods stuck on an image that will never pull make the measurement
 * Inconclusive instead of waiting for the Job's own deadline; otherwise the measurement stays in
 * flight and is polled again after a delay that grows with its age.
 */
import type { V1ContainerStatus, V1Job, V1LabelSelector, V1Pod } from '@kubernetes/client-node';

/** Waiting reasons after which a container will not start without someone changing the image. */
const TERMINAL_WAITING_REASONS: ReadonlySet<string> = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName']);

/**
 * `Complete` means Successful and `Failed` means Failed. Conditions are read in order and the
 * last True one wins, as Argo's loop overwrites the phase on each match.
 */
export function jobVerdict(job: V1Job): 'Successful' | 'Failed' | undefined {
  let verdict: 'Successful' | 'Failed' | undefined;
  for (const c of job.status?.conditions ?? []) {
    if (c.status !== 'True') continue;
    if (c.type === 'Complete') verdict = 'Successful';
    else if (c.type === 'Failed') verdict = 'Failed';
  }
  return verdict;
}

/**
 * One line per container (then per init container) of each pod that waits for a terminal
 * reason: `Pod <p>, container <c> has terminal error (<reason>): <message>\n`. Empty when none.
 */
export function terminalPodErrors(pods: readonly V1Pod[]): string {
  let out = '';
  const scan = (pod: string, statuses: readonly V1ContainerStatus[] | undefined): void => {
    for (const cs of statuses ?? []) {
      const waiting = cs.state?.waiting;
      if (waiting?.reason !== undefined && TERMINAL_WAITING_REASONS.has(waiting.reason)) {
        out += `Pod ${pod}, container ${cs.name} has terminal error (${waiting.reason}): ${waiting.message ?? ''}\n`;
      }
    }
  };
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    scan(name, pod.status?.containerStatuses);
    scan(name, pod.status?.initContainerStatuses);
  }
  return out;
}

/**
 * The label selector for the Job's pods: the Job's own `spec.selector` (what the Job controller
 * matches, so pods of an earlier Job with the same name are not mistaken for this one's), or the
 * `job-name` label the controller puts on every pod when the Job has no selector.
 */
export function podSelector(job: V1Job, name: string): string {
  const sel = selectorString(job.spec?.selector);
  return sel !== '' ? sel : `job-name=${name}`;
}

function selectorString(sel: V1LabelSelector | undefined): string {
  if (!sel) return '';
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

/**
 * When to look again: `now + sqrt(2 * elapsed)` seconds, elapsed being the measurement's age in
 * seconds. Young Jobs are polled often (1.4 s after 1 s), old ones rarely (60 s after 30 min),
 * so long-running Jobs cost few API calls while short ones finish promptly.
 */
export function nextResumeAt(now: number, startedAt: number | undefined): number {
  const elapsedSeconds = Math.max(0, (now - (startedAt ?? now)) / 1000);
  return now + Math.floor(Math.sqrt(2 * elapsedSeconds) * 1000);
}
