/**
 * assay's plugin sources against the shared provider contract, sampling a real web provider that
 * talks to the contract's local backend: whatever the backend does (healthy, 500, 401, malformed,
 * never answering, aborted), assay/compare and assay/guard resolve to an observation with the
 * wrapped provider's stable code and no secret in any message. The nesting wiring mirrors the
 * live ProviderMeasurer's `observe`.
 */
import { createCompareProvider } from '../../providers/compare/index.js';
import { createGuardProvider } from '../../providers/guard/index.js';
import { createWebProvider } from '../../providers/web/index.js';
import type { MetricProvider } from '../../src/metric/provider.js';
import { describeProviderContract, type ContractTarget } from '../contract/provider.contract.js';
import { sendJson, sendText } from '../support/http-server.js';

/** The plugin source with its `observe` answered by a web provider, as the measurer wires it. */
function sampling<C>(plugin: MetricProvider<C>): MetricProvider<C> {
  const web = createWebProvider();
  return {
    ...plugin,
    measure: (config, ctx) =>
      plugin.measure(config, {
        ...ctx,
        observe: async (_role, block) => {
          const parsed = web.parseConfig((block as { web: unknown }).web, ctx.env);
          if (!parsed.ok) return { kind: 'error', code: 'Config', message: parsed.message };
          return web.measure(parsed.config, ctx);
        },
      }),
    close: () => web.close?.() ?? Promise.resolve(),
  };
}

const webSource = ({ baseUrl, timeoutSeconds, secret }: ContractTarget, path: string) => ({
  web: { url: `${baseUrl}${path}`, timeoutSeconds, headers: [{ key: 'Authorization', value: `Bearer ${secret}` }], jsonPath: '{.values}' },
});

const healthy = (_req: unknown, res: Parameters<typeof sendJson>[0]) => sendJson(res, 200, { values: [0.11, 0.12, 0.1, 0.13, 0.09, 0.12] });

describeProviderContract('assay/compare (over web)', {
  create: () => sampling(createCompareProvider()),
  config: (t) => ({ baseline: webSource(t, '/baseline'), canary: webSource(t, '/canary'), minSamples: 3 }),
  invalidConfigs: (secret) => [
    { baseline: { web: { url: 'http://x', headers: [{ key: 'X', value: secret }] } } }, // no canary
    { method: 'anova', baseline: { web: { url: 'http://x' } }, canary: { web: { url: 'http://x' } } },
    { alpha: 2, baseline: { web: { url: 'http://x' } }, canary: { web: { url: 'http://x' } } },
    { method: 'proportions', baseline: { web: { url: 'http://x' } }, canary: { web: { url: 'http://x' } } },
    { baseline: { web: { url: 'http://x' }, prometheus: { address: secret } }, canary: { web: { url: 'http://x' } } },
    'not an object',
  ],
  healthy,
  malformed: (_req, res) => sendText(res, 200, '<html>maintenance</html>'),
  // The web provider hands back the raw body; compare refuses what is not numbers.
  malformedKind: 'error',
});

describeProviderContract('assay/guard (over web)', {
  create: () => sampling(createGuardProvider()),
  config: (t) => ({ provider: webSource(t, '/success-rate'), minSamples: 1 }),
  invalidConfigs: (secret) => [
    { minSamples: 1 }, // no provider
    { provider: { web: { url: 'http://x', headers: [{ key: 'X', value: secret }] } }, onNoData: 'Failed' },
    { provider: { web: { url: 'http://x' } }, minTraffic: 10 }, // minTraffic without traffic
    { provider: {} },
    42,
  ],
  healthy,
  malformed: (_req, res) => sendText(res, 200, '<html>maintenance</html>'),
  // A non-empty body is data: the guard passes it on for the template's conditions to judge.
  malformedKind: 'value',
});
