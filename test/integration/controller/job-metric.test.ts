/**
 * A job metric through the whole controller: the job provider creates a Job per measurement, the
 * test plays the Job controller (the fake API server runs no workloads) by marking each Job
 * Complete, and once more measurements were taken than measurementRetention keeps, the provider's
 * garbage collection leaves only that many Jobs of the run.
 */
import { BatchV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnalysisRun } from '../../../src/api/types.js';
import { isCompleted } from '../../../src/api/phase.js';
import { startController } from '../../../src/composition/cluster.js';
import type { Controller } from '../../../src/controller/controller.js';
import { startFakeKube, type FakeKube, type KubeObject } from '../../support/fake-kube/index.js';

const NS = 'jobs';
let fake: FakeKube;
let controller: Controller;
let completer: NodeJS.Timeout;

beforeEach(async () => {
  fake = await startFakeKube({ namespaces: [NS] });
  controller = await startController({ config: { logLevel: 'silent', queueName: 'x' }, kubeConfig: fake.kubeConfig() });
  // The Job controller's part: every Job of ours completes shortly after it is created.
  completer = setInterval(() => {
    for (const job of fake.list({ apiVersion: 'batch/v1', kind: 'Job', namespace: NS })) {
      const status = (job as { status?: { conditions?: unknown[] } }).status;
      if (status?.conditions?.length) continue;
      fake.put({ ...job, status: { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] } } as KubeObject);
    }
  }, 20);
});
afterEach(async () => {
  clearInterval(completer);
  await controller.stop();
  await fake.close();
});

describe('job metrics on the controller', () => {
  it('runs one Job per measurement and garbage-collects Jobs beyond measurementRetention', async () => {
    const run: AnalysisRun = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: { name: 'smoke', namespace: NS },
      spec: {
        measurementRetention: [{ metricName: 'smoke', limit: 2 }],
        metrics: [
          {
            name: 'smoke',
            interval: '100ms',
            count: 5,
            provider: { job: { spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 't', image: 'busybox' }] } } } } },
          },
        ],
      },
    };
    const created = (await fake.kubeConfig().makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group: 'argoproj.io',
      version: 'v1alpha1',
      plural: 'analysisruns',
      namespace: NS,
      body: run,
    })) as AnalysisRun;
    const deadline = Date.now() + 20_000;
    let final: AnalysisRun | undefined;
    while (Date.now() < deadline) {
      final = fake.get({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', namespace: NS, name: 'smoke' }) as unknown as AnalysisRun;
      if (isCompleted(final?.status?.phase)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(final?.status?.phase).toBe('Successful');
    expect(final?.status?.metricResults?.[0]).toMatchObject({ count: 5, successful: 5 });
    expect(final?.status?.metricResults?.[0]?.measurements).toHaveLength(2);
    // Jobs are named <runUID>.<metric>.<n>; GC keeps the newest two.
    const batch = fake.kubeConfig().makeApiClient(BatchV1Api);
    let names: string[] = [];
    for (let i = 0; i < 100; i++) {
      names = (await batch.listNamespacedJob({ namespace: NS, labelSelector: `analysisrun.argoproj.io/uid=${created.metadata.uid}` })).items
        .filter((j) => !j.metadata?.deletionTimestamp)
        .map((j) => j.metadata!.name!)
        .sort();
      if (names.length === 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(names).toEqual([`${created.metadata.uid}.smoke.4`, `${created.metadata.uid}.smoke.5`]);
  }, 30_000);
});
