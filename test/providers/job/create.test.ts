/**
 * measure: the Job Argo would create (name, labels, annotations, ownerReference, namespace),
 * read back from the fake API server, and what happens when the name is already taken.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jobName, MAX_JOB_NAME_LENGTH } from '../../../providers/job/index.js';
import { ctx, expectKind, JOB_BLOCK, parse, readJob, RUN_UID, startHarness, type Harness } from './fixtures.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());
beforeEach(() => h.fake.clearRequests());

describe('job name', () => {
  it('is <runUID>.<metricName>.<index> when it fits', () => {
    expect(jobName(RUN_UID, 'smoke', 3)).toBe(`${RUN_UID}.smoke.3`);
  });

  it('cuts only the metric name so the whole name is 63 characters', () => {
    const metric = 'service-endpoint-reachable-after-the-canary-was-promoted';
    const name = jobName(RUN_UID, metric, 12);
    expect(name).toHaveLength(MAX_JOB_NAME_LENGTH);
    // 63 - 36 (uid) - 2 (index) - 2 (dots) = 23 characters of metric name survive.
    expect(name).toBe(`${RUN_UID}.${metric.slice(0, 23)}.12`);
  });

  it('leaves a name of exactly 63 characters alone', () => {
    const metric = 'a'.repeat(63 - 36 - 3);
    expect(jobName(RUN_UID, metric, 1)).toBe(`${RUN_UID}.${metric}.1`);
  });
});

describe('measure', () => {
  it('creates the Job with Argo labels, annotations and an ownerReference, and returns inProgress', async () => {
    const c = ctx({ metric: { name: 'smoke', index: 4 } });
    const obs = expectKind(await h.provider.measure(parse(h.provider), c), 'inProgress');
    const name = `${RUN_UID}.smoke.4`;
    expect(obs).toEqual({ kind: 'inProgress', resumeAt: c.now, metadata: { 'job-name': name, 'job-namespace': 'rollouts' } });

    const posts = h.fake.requests.filter((r) => r.method === 'POST');
    expect(posts.map((r) => r.path)).toEqual(['/apis/batch/v1/namespaces/rollouts/jobs']);

    const job = readJob(h.fake, name);
    expect(job.metadata.labels).toEqual({ team: 'payments', 'analysisrun.argoproj.io/uid': RUN_UID });
    expect(job.metadata.annotations).toEqual({
      'example.com/owner': 'qa',
      'analysisrun.argoproj.io/name': 'canary-run',
      'analysisrun.argoproj.io/namespace': 'rollouts',
      'analysisrun.argoproj.io/metric-name': 'smoke',
    });
    expect(job.metadata.ownerReferences).toEqual([
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', name: 'canary-run', uid: RUN_UID, controller: true, blockOwnerDeletion: true },
    ]);
    const spec = job.spec as { backoffLimit: number; template: { metadata: { labels: Record<string, string> }; spec: unknown } };
    expect(spec.backoffLimit).toBe(1);
    expect(spec.template.metadata.labels).toMatchObject({ app: 'smoke', 'analysisrun.argoproj.io/uid': RUN_UID, 'job-name': name });
    expect(spec.template.spec).toEqual(JOB_BLOCK.spec.template.spec);
  });

  it('creates a long metric name under its truncated name', async () => {
    const metric = 'error-rate-of-the-checkout-service-during-the-canary-step';
    const obs = expectKind(await h.provider.measure(parse(h.provider), ctx({ metric: { name: metric, index: 1 } })), 'inProgress');
    const name = `${RUN_UID}.${metric.slice(0, 24)}.1`;
    expect(obs.metadata?.['job-name']).toBe(name);
    const job = readJob(h.fake, name);
    // The annotation keeps the full metric name; only the object name is shortened.
    expect(job.metadata.annotations?.['analysisrun.argoproj.io/metric-name']).toBe(metric);
  });

  it('sends the JobSpec verbatim, including fields client-node models rename', async () => {
    const block = structuredClone(JOB_BLOCK) as typeof JOB_BLOCK & { spec: { template: { spec: Record<string, unknown> } } };
    block.spec.template.spec.containers = [
      { name: 'smoke', image: 'busybox:1.36', livenessProbe: { exec: { command: ['cat', '/tmp/ok'] } } },
    ];
    await h.provider.measure(parse(h.provider, block), ctx({ metric: { name: 'probe', index: 1 } }));
    const body = h.fake.requests.find((r) => r.method === 'POST')?.body as { spec: { template: { spec: { containers: unknown[] } } } };
    expect(body.spec.template.spec.containers[0]).toEqual({ name: 'smoke', image: 'busybox:1.36', livenessProbe: { exec: { command: ['cat', '/tmp/ok'] } } });
  });

  it('creates the Job in env.jobNamespace, without an ownerReference across namespaces', async () => {
    const c = ctx({ env: { jobNamespace: 'analysis-jobs' }, metric: { name: 'smoke', index: 7 } });
    const obs = expectKind(await h.provider.measure(parse(h.provider), c), 'inProgress');
    expect(obs.metadata).toEqual({ 'job-name': `${RUN_UID}.smoke.7`, 'job-namespace': 'analysis-jobs' });
    const job = readJob(h.fake, `${RUN_UID}.smoke.7`, 'analysis-jobs');
    expect(job.metadata.ownerReferences).toBeUndefined();
    expect(job.metadata.annotations?.['analysisrun.argoproj.io/namespace']).toBe('rollouts');
  });

  it('adopts a Job with the same name whose controller is this run', async () => {
    const c = ctx({ metric: { name: 'adopt', index: 2 } });
    expectKind(await h.provider.measure(parse(h.provider), c), 'inProgress');
    h.fake.clearRequests();
    const again = expectKind(await h.provider.measure(parse(h.provider), c), 'inProgress');
    expect(again.metadata?.['job-name']).toBe(`${RUN_UID}.adopt.2`);
    expect(h.fake.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['POST 409', 'GET 200']);
  });

  it('refuses a Job with the same name owned by another run, with the create error', async () => {
    const name = `${RUN_UID}.taken.1`;
    h.fake.put({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: 'rollouts',
        ownerReferences: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', name: 'other', uid: 'another-uid', controller: true }],
      },
      spec: JOB_BLOCK.spec,
    });
    const obs = await h.provider.measure(parse(h.provider), ctx({ metric: { name: 'taken', index: 1 } }));
    expect(obs).toEqual({ kind: 'error', code: 'BadResponse', message: `jobs.batch "${name}" already exists` });
  });

  it('across namespaces, adopts by the run-UID label and refuses a foreign one', async () => {
    const env = { jobNamespace: 'analysis-jobs' };
    const mine = ctx({ env, metric: { name: 'labelled', index: 1 } });
    expectKind(await h.provider.measure(parse(h.provider), mine), 'inProgress');
    expectKind(await h.provider.measure(parse(h.provider), mine), 'inProgress');

    const name = `${RUN_UID}.foreign.1`;
    h.fake.put({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name, namespace: 'analysis-jobs', labels: { 'analysisrun.argoproj.io/uid': 'another-uid' } },
      spec: JOB_BLOCK.spec,
    });
    const obs = await h.provider.measure(parse(h.provider), ctx({ env, metric: { name: 'foreign', index: 1 } }));
    expect(obs).toMatchObject({ kind: 'error', message: `jobs.batch "${name}" already exists` });
  });

  it('leaves a malformed JobSpec to the apiserver, as Argo does', async () => {
    const block = { spec: { template: { spec: { restartPolicy: 'Never', containers: 5 } } } };
    const obs = await h.provider.measure(parse(h.provider, block), ctx({ metric: { name: 'malformed', index: 1 } }));
    expect(h.fake.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['POST 422']);
    expect(obs).toMatchObject({ kind: 'error', code: 'BadResponse' });
    if (obs.kind === 'error') expect(obs.message).toMatch(/^Job\.batch ".*\.malformed\.1" is invalid: spec\.template\.spec\.containers/);
  });

  it('reports the apiserver rejecting the Job with its message', async () => {
    const block = { spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } }; // no restartPolicy
    const obs = await h.provider.measure(parse(h.provider, block), ctx({ metric: { name: 'invalid', index: 1 } }));
    expect(obs).toMatchObject({ kind: 'error', code: 'BadResponse' });
    if (obs.kind === 'error') expect(obs.message).toMatch(/^Job\.batch ".*\.invalid\.1" is invalid: spec\.template\.spec\.restartPolicy: Required value/);
  });
});
