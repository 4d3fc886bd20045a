/**
 * Helpers shared by the provider test suites: a MeasureContext, and "parse then measure" so a
 * test reads as "this provider block, against this server, gives this observation".
 */
import { expect } from 'vitest';
import type { MeasureContext, MetricProvider, Observation, ProviderEnv } from '../../src/metric/provider.js';

export function context(overrides: Partial<MeasureContext> = {}): MeasureContext {
  return {
    signal: new AbortController().signal,
    now: Date.now(),
    env: {},
    secrets: { get: async (_ns: string, name: string) => ({ ok: false as const, error: `secrets "${name}" not found` }) },
    run: { namespace: 'default', name: 'run-1', uid: '00000000-0000-0000-0000-000000000001' },
    metric: { name: 'metric-1', index: 1 },
    ...overrides,
  };
}

/** Parse `raw` (failing the test if it is refused) and take one measurement. */
export async function measureWith<C>(
  provider: MetricProvider<C>,
  raw: unknown,
  overrides: Partial<MeasureContext> = {},
  env: ProviderEnv = {},
): Promise<Observation> {
  const parsed = provider.parseConfig(raw, env);
  if (!parsed.ok) throw new Error(`config refused: ${parsed.message}`);
  return provider.measure(parsed.config, context({ env, ...overrides }));
}

/** The parse error message for `raw` (failing the test if it is accepted). */
export function refusal<C>(provider: MetricProvider<C>, raw: unknown, env: ProviderEnv = {}): string {
  const parsed = provider.parseConfig(raw, env);
  expect(parsed.ok, 'config should be refused').toBe(false);
  return parsed.ok ? '' : parsed.message;
}
