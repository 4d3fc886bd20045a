/**
 * The CloudWatch metric provider (Argo's `metricproviders/cloudwatch`): one GetMetricData call
 * per measurement over the window [now - interval, now] (interval default 5m), through the AWS
 * SDK (sdk.ts). `result` is the list of MetricDataResults (Go field names: Id, Label, Values,
 * Timestamps, StatusCode, Messages), `value` is Go's `%+v` of the Values of each result
 * (`[[1.5 2] [0]]`), and top-level Messages go to `metadata.messages`. The engine judges.
 *
 * Because the window ends at ctx.now, a backtest gets the data CloudWatch held for that window.
 */
import type { MeasureContext, MetricProvider, Observation } from '../../src/metric/provider.js';
import { goSprintV } from '../../src/go/format.js';
import { parseGoDuration } from '../../src/go/duration.js';
import { withDeadline } from '../shared/deadline.js';
import { parseCloudWatchConfig, type CloudWatchConfig } from './config.js';
import { CloudWatchApi, describeSdkError, type MetricDataOutput } from './sdk.js';

export type { CloudWatchConfig } from './config.js';

interface CloudWatchProviderOptions {
  /** Extra CloudWatchClient settings (tests: endpoint, region, credentials, maxAttempts). */
  clientConfig?: Record<string, unknown>;
  /** A deadline of the provider's own (Argo has none: context.TODO()); tests set one. */
  timeoutMs?: number;
}

const DEFAULT_INTERVAL_MS = 5 * 60_000;

function messagesText(messages: { Code?: string; Value?: string }[]): string {
  return `[${messages.map((m) => `{Code:${m.Code ?? '<nil>'} Value:${m.Value ?? '<nil>'}}`).join(' ')}]`;
}

function toObservation(out: MetricDataOutput): Observation {
  const results = (out.MetricDataResults ?? []).map((r) => ({
    Id: r.Id ?? '',
    Label: r.Label ?? '',
    Values: r.Values ?? [],
    Timestamps: (r.Timestamps ?? []).map((t) => new Date(t).toISOString()),
    StatusCode: r.StatusCode ?? '',
    Messages: (r.Messages ?? []).map((m) => ({ Code: m.Code ?? '', Value: m.Value ?? '' })),
  }));
  const observation: Observation = { kind: 'value', value: results, display: goSprintV(results.map((r) => r.Values)) };
  if ((out.Messages ?? []).length > 0) observation.metadata = { messages: messagesText(out.Messages!) };
  return observation;
}

export function createCloudWatchProvider(options: CloudWatchProviderOptions = {}): MetricProvider<CloudWatchConfig> {
  const api = new CloudWatchApi(options.clientConfig);
  const endpointHint = typeof options.clientConfig?.endpoint === 'string' ? options.clientConfig.endpoint : 'https://monitoring.amazonaws.com/';

  async function measure(config: CloudWatchConfig, ctx: MeasureContext): Promise<Observation> {
    let intervalMs = DEFAULT_INTERVAL_MS;
    if (config.interval !== '') {
      const d = parseGoDuration(config.interval);
      if (!d.ok) return { kind: 'error', code: 'Config', message: d.error };
      intervalMs = d.ms;
    }
    const deadline = withDeadline(ctx.signal, options.timeoutMs);
    try {
      const aborted = (): Observation => {
        const timeout = deadline.cause() === 'timeout';
        return {
          kind: 'error',
          code: timeout ? 'Timeout' : 'Aborted',
          message: `operation error CloudWatch: GetMetricData, ${timeout ? 'context deadline exceeded' : 'context canceled'}`,
        };
      };
      if (deadline.signal.aborted) return aborted();
      try {
        const out = await api.getMetricData(
          { StartTime: new Date(ctx.now - intervalMs), EndTime: new Date(ctx.now), MetricDataQueries: config.queries },
          deadline.signal,
        );
        return toObservation(out);
      } catch (err) {
        if (deadline.cause() !== undefined) return aborted();
        return { kind: 'error', ...describeSdkError(err, endpointHint) };
      }
    } finally {
      deadline.dispose();
    }
  }

  return {
    key: 'cloudWatch',
    type: 'CloudWatch',
    // StartTime/EndTime = [ctx.now - interval, ctx.now].
    historical: true,
    parseConfig: (raw) => parseCloudWatchConfig(raw),
    measure,
    metadata: () => undefined,
    close: async () => api.close(),
  };
}

