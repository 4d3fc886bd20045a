/**
 * The benchmark's workload: an in-process provider that answers at once (so the figures measure
 * assay, not a backend), and AnalysisRuns shaped like the ones Argo Rollouts creates.
 */
import type { AnalysisRun, AnalysisRunStatus, Measurement, Metric } from '../../src/api/types.js';
import { formatTime } from '../../src/core/time.js';
import type { MeasureContext, MetricProvider, Observation } from '../../src/metric/provider.js';

export const INSTANT_PLUGIN = 'assay-bench/instant';
export const INSTANT_KEY = `plugin/${INSTANT_PLUGIN}`;

export interface InstantProviderHooks {
  /** Called synchronously on every measurement, before it returns. */
  onMeasure?(ctx: MeasureContext): void;
}

/**
 * Answers `[0.99]` at once. The config is ignored (Argo passes plugin configs through opaque).
 * The value is a fresh array per call, as a real provider's parsed response would be.
 */
export function instantProvider(hooks: InstantProviderHooks = {}): MetricProvider<unknown> {
  return {
    key: INSTANT_KEY,
    type: 'AssayBenchInstant',
    parseConfig: (raw) => ({ ok: true, config: raw ?? {} }),
    async measure(_config, ctx): Promise<Observation> {
      hooks.onMeasure?.(ctx);
      return { kind: 'value', value: [0.99], display: '[0.99]' };
    },
  };
}

export function instantMetric(extra: Partial<Metric> = {}): Metric {
  return {
    name: 'success-rate',
    interval: '1s',
    successCondition: 'result[0] >= 0.95',
    failureLimit: 0,
    provider: { plugin: { [INSTANT_PLUGIN]: { query: 'bench' } } },
    ...extra,
  };
}

export function benchRun(namespace: string, name: string, metrics: Metric[], extra: Partial<AnalysisRun['spec']> = {}): AnalysisRun {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: { name, namespace, labels: { 'assay-bench': 'true' } },
    spec: { metrics, ...extra },
  };
}

/**
 * A Running status after `taken` successful measurements, the last one finished at
 * `lastFinishedAt` (so the next is due one interval later), keeping the last `retain` of them.
 * Used to start runs "mid-life" with a full history without waiting for it.
 */
export function statusWithHistory(metric: Metric, taken: number, lastFinishedAt: number, intervalMs: number, retain = 10): AnalysisRunStatus {
  const measurements: Measurement[] = [];
  for (let i = Math.min(taken, retain) - 1; i >= 0; i--) {
    const finished = lastFinishedAt - i * intervalMs;
    measurements.push({ phase: 'Successful', startedAt: formatTime(finished - 1), finishedAt: formatTime(finished), value: '[0.99]' });
  }
  return {
    phase: 'Running',
    startedAt: formatTime(lastFinishedAt - taken * intervalMs),
    metricResults: [
      {
        name: metric.name,
        phase: 'Running',
        count: taken,
        successful: taken,
        consecutiveSuccess: taken,
        measurements,
      },
    ],
    runSummary: { count: 1 },
    dryRunSummary: {},
  };
}
