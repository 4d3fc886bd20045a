/**
 * The Web metric provider (Argo's `metricproviders/webmetric`): one HTTP request per
 * measurement, the JSON response narrowed by a Kubernetes JSONPath. The provider observes only;
 * the engine applies the success/failure conditions to the returned value.
 *
 * - config.ts: the provider block and Argo's construction / payload errors
 * - client.ts: the request (headers, body, OAuth2, TLS, redirects, timeout) and its failures
 * - parse.ts:  status rule, not-JSON fallback, JSONPath selection, Go JSON display
 */
import type { MeasureContext, MetricProvider, Observation } from '../../src/metric/provider.js';
import { withDeadline } from '../shared/deadline.js';
import { TokenCache } from '../shared/oauth2.js';
import { fetchMetric } from './client.js';
import { parseWebConfig, type WebConfig } from './config.js';
import { interpretResponse } from './parse.js';

export type { WebConfig } from './config.js';

interface WebProviderOptions {
  /** Wall clock for OAuth2 token expiry (tests). */
  clock?: () => number;
}

export function createWebProvider(options: WebProviderOptions = {}): MetricProvider<WebConfig> {
  const tokens = new TokenCache(options.clock);

  async function measure(config: WebConfig, ctx: MeasureContext): Promise<Observation> {
    const deadline = withDeadline(ctx.signal, config.timeoutMs);
    try {
      const fetched = await fetchMetric(config, deadline, tokens);
      if (!fetched.ok) return fetched.observation;
      return interpretResponse(fetched.response.status, fetched.response.body, config.jsonPath);
    } finally {
      deadline.dispose();
    }
  }

  return {
    key: 'web',
    type: 'Web',
    parseConfig: parseWebConfig,
    measure,
    // Argo's web provider stores no metadata on the metric result.
    metadata: () => undefined,
    close: async () => tokens.clear(),
  };
}

/** The shared instance the engine registers. */
export const webProvider: MetricProvider<WebConfig> = createWebProvider();
