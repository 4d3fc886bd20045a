/**
 * The Graphite metric provider (Argo's `metricproviders/graphite`): one Render API request per
 * measurement (render.ts), under Argo's fixed 10 s client timeout. `result` is the first
 * series' datapoints as numbers, gaps (`null`) dropped; no datapoints at all is an Error
 * (`no values found`). The engine applies the success/failure conditions.
 */
import type { MeasureContext, MetricProvider, Observation } from '../../src/metric/provider.js';
import { withDeadline } from '../shared/deadline.js';
import { exchange, statusCode } from '../shared/exchange.js';
import { parseGraphiteConfig, GRAPHITE_TIMEOUT_MS, type GraphiteConfig } from './config.js';
import { formatPoints, parseRender, renderUrl } from './render.js';

export type { GraphiteConfig } from './config.js';

interface GraphiteProviderOptions {
  /** The client timeout (Argo: 10 s, not configurable per metric); tests shorten it. */
  timeoutMs?: number;
}

export function createGraphiteProvider(options: GraphiteProviderOptions = {}): MetricProvider<GraphiteConfig> {
  const timeoutMs = options.timeoutMs ?? GRAPHITE_TIMEOUT_MS;

  async function measure(config: GraphiteConfig, ctx: MeasureContext): Promise<Observation> {
    const url = renderUrl(config.address, config.query, ctx.now);
    const deadline = withDeadline(ctx.signal, config.timeoutMs);
    try {
      const sent = await exchange({ method: 'GET', url }, deadline);
      if (!sent.ok) return sent.observation;
      const { status, body } = sent.response;
      const text = body.toString('utf8');
      if (status >= 400) return { kind: 'error', code: statusCode(status), message: `error response: ${text}` };
      const points = parseRender(text);
      if (!points.ok) return { kind: 'error', code: 'BadResponse', message: points.message };
      if (points.points === 0) return { kind: 'error', code: 'NoData', message: 'no values found' };
      return { kind: 'value', value: points.values, display: formatPoints(points.values) };
    } finally {
      deadline.dispose();
    }
  }

  return {
    key: 'graphite',
    type: 'Graphite',
    // `now` anchors relative from/until at ctx.now (render.ts).
    historical: true,
    parseConfig: (raw) => parseGraphiteConfig(raw, timeoutMs),
    measure,
    metadata: () => undefined,
  };
}

