/**
 * `assay controller` (the Controller composition, in process) against the fake API server in
 * another process, with the instant provider. Reports verdict latencies (deciding measurement's
 * end → terminal status written: the engine's onStatus fires once writeStatus returned, which for
 * a terminal status is after the API server answered the PATCH), tick lateness and write counts.
 * `barePatch` is the baseline: merge-patching a terminal status straight through client-node.
 */
import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { isCompleted } from '../../src/api/phase.js';
import { startController } from '../../src/composition/cluster.js';
import { serviceMain } from '../support/child.js';
import { instantProvider } from '../support/fixtures.js';
import { VerdictProbe } from '../support/probes.js';
import { LatencyHistogram } from '../support/stats.js';

interface Input {
  url: string;
  count: number;
  concurrency: number;
  kubeQps?: number;
  kubeBurst?: number;
}

function kubeConfig(url: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'bench', server: url, skipTLSVerify: true }],
    users: [{ name: 'bench' }],
    contexts: [{ name: 'bench', cluster: 'bench', user: 'bench' }],
    currentContext: 'bench',
  });
  return kc;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

serviceMain(
  async (input: Input) => {
    let probe = new VerdictProbe();
    let measured = 0;
    let statusCalls = 0;
    let lateness = new LatencyHistogram();
    const provider = instantProvider({
      onMeasure: (ctx) => {
        measured++;
        if (ctx.metric.index === input.count) probe.decide(`${ctx.run.namespace}/${ctx.run.name}`);
      },
    });
    const kc = kubeConfig(input.url);
    const controller = await startController({
      config: { logLevel: 'silent', queueName: 'bench' },
      kubeConfig: kc,
      providers: [provider],
      concurrency: input.concurrency,
      ...(input.kubeQps ? { kubeQps: input.kubeQps, ...(input.kubeBurst ? { kubeBurst: input.kubeBurst } : {}) } : {}),
    });
    controller.engine.listen({
      onStatus: (key, run) => {
        statusCalls++;
        if (isCompleted(run.status?.phase)) probe.written(key, run.status);
      },
      onTick: (_key, info) => lateness.add(info.lateMs),
    });
    return {
      controller,
      kc,
      stats: () => ({
        verdicts: probe.latencies,
        completed: probe.stored.size,
        measured,
        statusCalls,
        lateness: { p50: lateness.percentile(50), p99: lateness.percentile(99), max: lateness.max },
        writes: controller.store.writeQueueStats() ?? null,
      }),
      reset: () => {
        probe = new VerdictProbe();
        measured = 0;
        statusCalls = 0;
        lateness = new LatencyHistogram();
      },
    };
  },
  {
    stats: (s) => s.stats(),
    reset: (s) => s.reset(),
    /** Merge-patch a terminal status onto each run (spread over `spreadMs`); latency of each PATCH. */
    async barePatch(s, a: { namespace: string; names: string[]; spreadMs: number }) {
      const api = s.kc.makeApiClient(CustomObjectsApi);
      const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
      const t0 = Date.now();
      const out: number[] = [];
      await Promise.all(
        a.names.map(async (name, i) => {
          await sleep(t0 + (i * a.spreadMs) / a.names.length - Date.now());
          const start = Date.now();
          await api.patchNamespacedCustomObject(
            { group: 'argoproj.io', version: 'v1alpha1', namespace: a.namespace, plural: 'analysisruns', name, body: { status: { phase: 'Successful', message: 'bare patch' } } },
            merge,
          );
          out.push(Date.now() - start);
        }),
      );
      return out;
    },
  },
  async (s) => {
    await s.controller.stop();
  },
);
