/**
 * The InfluxDB metric provider (Argo's `metricproviders/influxdb`): a Flux query with the
 * credentials of the `profile` Secret (config.ts), through the official client (flux.ts), under
 * Argo's 30 s query timeout. `result` is the list of every row's `_value`; no rows is an Error
 * (`no results returned from flux query`); `value` is Go's `fmt.Sprint` of that list.
 */
import type { MeasureContext, MetricProvider, Observation } from '../../src/metric/provider.js';
import { withDeadline } from '../shared/deadline.js';
import { describeNetworkError, urlErrorText } from '../shared/transport-errors.js';
import { parseInfluxdbConfig, readCredentials, type InfluxdbConfig } from './config.js';
import { runFlux } from './flux.js';

export type { InfluxdbConfig } from './config.js';

const INFLUXDB_TIMEOUT_MS = 30_000;

interface InfluxdbProviderOptions {
  /** Argo's fixed 30 s query timeout; tests shorten it. */
  timeoutMs?: number;
}

export function createInfluxdbProvider(options: InfluxdbProviderOptions = {}): MetricProvider<InfluxdbConfig> {
  const timeoutMs = options.timeoutMs ?? INFLUXDB_TIMEOUT_MS;

  async function measure(config: InfluxdbConfig, ctx: MeasureContext): Promise<Observation> {
    const creds = await readCredentials(config.profile, ctx);
    if (!creds.ok) return { kind: 'error', code: 'Config', message: creds.message };
    const url = `${creds.value.address.replace(/\/+$/, '')}/api/v2/query?org=${encodeURIComponent(creds.value.org)}`;
    const deadline = withDeadline(ctx.signal, timeoutMs);
    try {
      const out = await runFlux(creds.value, config.query, ctx.now, deadline.signal, timeoutMs);
      if (!out.ok && out.aborted) {
        const timeout = deadline.cause() === 'timeout';
        return { kind: 'error', code: timeout ? 'Timeout' : 'Aborted', message: urlErrorText('POST', url, timeout ? 'context deadline exceeded' : 'context canceled') };
      }
      if (!out.ok) {
        if (out.code === 'Unreachable') {
          const net = describeNetworkError(out.error, url);
          return { kind: 'error', code: 'Unreachable', message: urlErrorText('POST', url, net.detail) };
        }
        return { kind: 'error', code: out.code, message: out.detail };
      }
      if (out.values.length === 0) return { kind: 'error', code: 'NoData', message: 'no results returned from flux query' };
      return { kind: 'value', value: out.values, display: `[${out.texts.join(' ')}]` };
    } finally {
      deadline.dispose();
    }
  }

  return {
    key: 'influxdb',
    type: 'Influxdb',
    // The query carries `now` = ctx.now (flux.ts): relative ranges end at the instant asked for.
    historical: true,
    parseConfig: (raw) => parseInfluxdbConfig(raw),
    measure,
    metadata: () => undefined,
  };
}

