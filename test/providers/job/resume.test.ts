/**
 * resume and terminate against the fake API server. The fake runs no Job controller and no
 * kubelet, so each test writes the Job conditions and pod states a real cluster would.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ctx, expectKind, parse, putPod, readJob, RUN_UID, setConditions, started, startHarness, waiting, type Harness } from './fixtures.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());
beforeEach(() => h.fake.clearRequests());

let counter = 0;
/** A fresh metric per test, so every test has its own Job. */
function fresh(): ReturnType<typeof ctx> {
  counter++;
  return ctx({ metric: { name: `m${counter}`, index: 1 } });
}

describe('resume', () => {
  it('keeps a running Job in flight, polling less often as it ages', async () => {
    const c = fresh();
    const prior = await started(h.provider, c);
    const config = parse(h.provider);
    const at = async (ageSeconds: number): Promise<number> => {
      const obs = expectKind(await h.provider.resume(config, prior, { ...c, now: c.now + ageSeconds * 1000 }), 'inProgress');
      return obs.resumeAt - (c.now + ageSeconds * 1000);
    };
    // now + sqrt(2 * elapsed) seconds
    expect(await at(0)).toBe(0);
    expect(await at(2)).toBe(2000);
    expect(await at(50)).toBe(10_000);
    expect(await at(1800)).toBe(60_000);
    // It looked at the Job and, finding no verdict, at the Job's pods by the Job's selector.
    const gets = h.fake.requests.filter((r) => r.method === 'GET').map((r) => `${r.path}?${r.query.labelSelector ?? ''}`);
    const uid = readJob(h.fake, prior.metadata?.['job-name'] ?? '').metadata.uid ?? '';
    expect(gets.slice(0, 2)).toEqual([
      `/apis/batch/v1/namespaces/rollouts/jobs/${prior.metadata?.['job-name']}?`,
      `/api/v1/namespaces/rollouts/pods?batch.kubernetes.io/controller-uid=${uid}`,
    ]);
  });

  it('judges a Complete Job Successful', async () => {
    const prior = await started(h.provider, fresh());
    setConditions(h.fake, prior.metadata?.['job-name'] ?? '', [{ type: 'Complete', status: 'True' }]);
    expect(await h.provider.resume(parse(h.provider), prior, fresh())).toEqual({ kind: 'judged', phase: 'Successful' });
  });

  it('judges a Failed Job Failed', async () => {
    const prior = await started(h.provider, fresh());
    setConditions(h.fake, prior.metadata?.['job-name'] ?? '', [{ type: 'Failed', status: 'True' }]);
    expect(await h.provider.resume(parse(h.provider), prior, fresh())).toEqual({ kind: 'judged', phase: 'Failed' });
  });

  it('lets the last True condition win and ignores conditions that are not True', async () => {
    const prior = await started(h.provider, fresh());
    const name = prior.metadata?.['job-name'] ?? '';
    setConditions(h.fake, name, [
      { type: 'Failed', status: 'True' },
      { type: 'Complete', status: 'True' },
      { type: 'Failed', status: 'False' },
    ]);
    expect(await h.provider.resume(parse(h.provider), prior, fresh())).toMatchObject({ phase: 'Successful' });
  });

  it('judges a pod stuck in ImagePullBackOff Inconclusive, naming pod, container and reason', async () => {
    const prior = await started(h.provider, fresh());
    const name = prior.metadata?.['job-name'] ?? '';
    const msg = 'Back-off pulling image "registry.example/smoke:missing"';
    putPod(h.fake, name, 'smoke-abcde', { containerStatuses: [waiting('smoke', 'ImagePullBackOff', msg)] });
    const obs = await h.provider.resume(parse(h.provider), prior, fresh());
    expect(obs).toEqual({ kind: 'judged', phase: 'Inconclusive', message: `Pod smoke-abcde, container smoke has terminal error (ImagePullBackOff): ${msg}\n` });
  });

  it('reports every stuck container, init containers included, one line each', async () => {
    const prior = await started(h.provider, fresh());
    const name = prior.metadata?.['job-name'] ?? '';
    putPod(h.fake, name, 'pod-a', {
      containerStatuses: [waiting('main', 'ContainerCreating', ''), waiting('side', 'ErrImagePull', 'pull failed')],
      initContainerStatuses: [waiting('init', 'InvalidImageName', 'bad ref')],
    });
    const obs = expectKind(await h.provider.resume(parse(h.provider), prior, fresh()), 'judged');
    expect(obs.message).toBe(
      'Pod pod-a, container side has terminal error (ErrImagePull): pull failed\n' + 'Pod pod-a, container init has terminal error (InvalidImageName): bad ref\n',
    );
  });

  it('keeps waiting while pods are merely starting', async () => {
    const prior = await started(h.provider, fresh());
    putPod(h.fake, prior.metadata?.['job-name'] ?? '', 'pod-b', { containerStatuses: [waiting('smoke', 'ContainerCreating', '')] });
    expectKind(await h.provider.resume(parse(h.provider), prior, fresh()), 'inProgress');
  });

  it('reports a Job deleted behind its back as job.batch "<name>" not found', async () => {
    const prior = await started(h.provider, fresh());
    const name = prior.metadata?.['job-name'] ?? '';
    h.fake.delete({ apiVersion: 'batch/v1', kind: 'Job', namespace: 'rollouts', name });
    expect(await h.provider.resume(parse(h.provider), prior, fresh())).toEqual({ kind: 'error', code: 'BadResponse', message: `job.batch "${name}" not found` });
  });

  it('finds the Job in the namespace recorded in the measurement', async () => {
    const c = ctx({ env: { jobNamespace: 'analysis-jobs' }, metric: { name: 'elsewhere', index: 1 } });
    const prior = await started(h.provider, c);
    setConditions(h.fake, `${RUN_UID}.elsewhere.1`, [{ type: 'Complete', status: 'True' }], 'analysis-jobs');
    // The env may have changed since; the measurement's own record decides.
    expect(await h.provider.resume(parse(h.provider), prior, ctx())).toMatchObject({ phase: 'Successful' });
  });

  it('needs the Job reference in the measurement metadata', async () => {
    const obs = await h.provider.resume(parse(h.provider), { startedAt: Date.now() }, fresh());
    expect(obs).toEqual({ kind: 'error', code: 'BadResponse', message: 'job metadata reference missing' });
    expect(h.fake.requests).toEqual([]);
  });
});

describe('terminate', () => {
  it('deletes the Job with Foreground propagation and judges Inconclusive', async () => {
    const prior = await started(h.provider, fresh());
    const name = prior.metadata?.['job-name'] ?? '';
    h.fake.clearRequests();
    const obs = await h.provider.terminate(parse(h.provider), prior, fresh());
    expect(obs).toEqual({ kind: 'judged', phase: 'Inconclusive' });
    const deletes = h.fake.requests.filter((r) => r.method === 'DELETE');
    expect(deletes).toHaveLength(1);
    expect(deletes[0]?.path).toBe(`/apis/batch/v1/namespaces/rollouts/jobs/${name}`);
    expect(deletes[0]?.query.propagationPolicy).toBe('Foreground');
    expect(deletes[0]?.status).toBe(200);
  });

  it('treats a Job that is already gone as terminated', async () => {
    const prior = { metadata: { 'job-name': `${RUN_UID}.gone.1`, 'job-namespace': 'rollouts' } };
    expect(await h.provider.terminate(parse(h.provider), prior, fresh())).toEqual({ kind: 'judged', phase: 'Inconclusive' });
    expect(h.fake.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['DELETE 404']);
  });

  it('needs the Job reference in the measurement metadata', async () => {
    expect(await h.provider.terminate(parse(h.provider), {}, fresh())).toEqual({ kind: 'error', code: 'BadResponse', message: 'job metadata reference missing' });
  });
});
