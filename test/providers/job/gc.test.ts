/**
 * garbageCollect: the oldest Jobs of a run's metric beyond the retention limit are deleted
 * (Foreground), the newest `limit` stay, and other metrics' and other runs' Jobs are untouched.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ctx, JOB_BLOCK, RUN_UID, started, startHarness, type Harness } from './fixtures.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());
beforeEach(() => {
  h.fake.clearFaults();
  h.fake.clearRequests();
});

const run = { namespace: 'rollouts', name: 'canary-run', uid: RUN_UID };

function jobNames(namespace = 'rollouts'): string[] {
  return h.fake
    .list({ apiVersion: 'batch/v1', kind: 'Job', namespace, labelSelector: `analysisrun.argoproj.io/uid=${RUN_UID}` })
    .filter((j) => !j.metadata.deletionTimestamp)
    .map((j) => j.metadata.name ?? '')
    .sort();
}

/** A measurement Job as `measure` leaves it, created at `createdAt` (the fake keeps a given timestamp). */
function putJob(metric: string, index: number, createdAt: string, runUid = RUN_UID): void {
  h.fake.put({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: `${runUid}.${metric}.${index}`,
      namespace: 'rollouts',
      creationTimestamp: createdAt,
      labels: { 'analysisrun.argoproj.io/uid': runUid },
      annotations: { 'analysisrun.argoproj.io/metric-name': metric },
    },
    spec: JOB_BLOCK.spec,
  });
}

describe('garbageCollect', () => {
  it('keeps only the newest N Jobs of the metric, oldest deleted first with Foreground', async () => {
    // Created out of order, so the creation time, not the name, must decide.
    putJob('latency', 3, '2026-03-01T12:03:00Z');
    putJob('latency', 1, '2026-03-01T12:01:00Z');
    putJob('latency', 4, '2026-03-01T12:04:00Z');
    putJob('latency', 2, '2026-03-01T12:02:00Z');
    putJob('errors', 1, '2026-03-01T11:00:00Z'); // another metric of the same run
    putJob('latency', 1, '2026-03-01T10:00:00Z', 'other-run-uid'); // another run
    const res = await h.provider.garbageCollect(run, 'latency', 2);
    expect(res).toEqual({ ok: true, deleted: [`${RUN_UID}.latency.1`, `${RUN_UID}.latency.2`] });
    expect(jobNames()).toEqual([`${RUN_UID}.errors.1`, `${RUN_UID}.latency.3`, `${RUN_UID}.latency.4`]);
    const deletes = h.fake.requests.filter((r) => r.method === 'DELETE');
    expect(deletes.map((r) => r.query.propagationPolicy)).toEqual(['Foreground', 'Foreground']);
    expect(h.fake.get({ apiVersion: 'batch/v1', kind: 'Job', namespace: 'rollouts', name: 'other-run-uid.latency.1' })).toBeDefined();
  });

  it('orders Jobs created in the same second by measurement index, and does nothing under the limit', async () => {
    for (let i = 1; i <= 12; i++) await started(h.provider, ctx({ metric: { name: 'burst', index: i } }));
    expect(await h.provider.garbageCollect(run, 'burst', 20)).toEqual({ ok: true, deleted: [] });
    const res = await h.provider.garbageCollect(run, 'burst', 10);
    expect(res).toEqual({ ok: true, deleted: [`${RUN_UID}.burst.1`, `${RUN_UID}.burst.2`] });
    expect(jobNames().filter((n) => n.includes('.burst.'))).toHaveLength(10);
  });

  it('looks in env.jobNamespace, where measure put the Jobs', async () => {
    const env = { jobNamespace: 'analysis-jobs' };
    for (let i = 1; i <= 3; i++) await started(h.provider, ctx({ env, metric: { name: 'remote', index: i } }));
    const res = await h.provider.garbageCollect(run, 'remote', 1, { env });
    expect(res).toEqual({ ok: true, deleted: [`${RUN_UID}.remote.1`, `${RUN_UID}.remote.2`] });
    expect(jobNames('analysis-jobs')).toEqual([`${RUN_UID}.remote.3`]);
  });

  it('reports a failing list or delete as a value', async () => {
    putJob('flaky', 1, '2026-03-01T12:00:00Z');
    putJob('flaky', 2, '2026-03-01T12:01:00Z');
    h.fake.injectFault({ method: 'GET', path: '/apis/batch/v1/namespaces/rollouts/jobs', status: 500 });
    expect(await h.provider.garbageCollect(run, 'flaky', 1)).toEqual({
      ok: false,
      code: 'BadResponse',
      message: 'Internal error occurred: injected fault',
      deleted: [],
    });
    h.fake.injectFault({ method: 'DELETE', status: 403 });
    expect(await h.provider.garbageCollect(run, 'flaky', 1)).toMatchObject({ ok: false, code: 'Unauthorized', deleted: [] });
  });
});
