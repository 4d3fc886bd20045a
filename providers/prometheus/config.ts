/**
 * The `prometheus` provider block (Argo's `PrometheusMetric`) and the checks Argo performs when it
 * constructs the provider (`NewPrometheusAPI`, `NewPrometheusProvider`). A failed check becomes
 * the measurement's Error message, so the messages are Argo's, word for word.
 */
import { z } from 'zod';
import type { ProviderEnv } from '../../src/metric/provider.js';
import { describeIssues, dropNulls, headerRecord, headerSchema, oauth2Schema, resolveOAuth2 } from '../shared/config.js';
import { isUrl } from '../shared/go-url.js';
import type { OAuth2ClientCredentials } from '../shared/oauth2.js';
import { sigv4Applies, type SigV4Settings } from './sigv4.js';

const prometheusSchema = z.object({
  address: z.string().default(''),
  query: z.string().default(''),
  /** Seconds (Go int64). Absent means 30; a negative value fails construction. */
  timeout: z.number().int().optional(),
  insecure: z.boolean().default(false),
  headers: z.array(headerSchema).default([]),
  authentication: z
    .object({
      sigv4: z
        .object({ region: z.string().default(''), profile: z.string().default(''), roleArn: z.string().default('') })
        .prefault({}),
      oauth2: oauth2Schema.prefault({}),
      basicAuth: z.object({ username: z.string().default(''), password: z.string().default('') }).prefault({}),
    })
    .prefault({}),
  rangeQuery: z
    .object({ start: z.string().default(''), end: z.string().default(''), step: z.string().default('') })
    .optional(),
});

export interface PrometheusConfig {
  /** The resolved server address (the metric's, else ARGO_ROLLOUTS_PROMETHEUS_ADDRESS). */
  address: string;
  query: string;
  timeoutMs: number;
  insecure: boolean;
  /** Custom headers after Go's `Header.Set` (last key wins, case-insensitively). */
  headers: Record<string, string>;
  basicAuth?: { username: string; password: string };
  oauth2?: OAuth2ClientCredentials;
  /** SigV4 settings, present only when Argo would sign (an `aps-workspaces` address, sigv4 not all empty). */
  sigv4?: SigV4Settings;
  /** Expressions for `start`/`end` and a Go duration for `step`, evaluated at measurement time. */
  rangeQuery?: { start: string; end: string; step: string };
}

export const DEFAULT_TIMEOUT_SECONDS = 30;

export function parsePrometheusConfig(
  raw: unknown,
  env: ProviderEnv,
): { ok: true; config: PrometheusConfig } | { ok: false; message: string } {
  const parsed = prometheusSchema.safeParse(dropNulls(raw ?? {}));
  if (!parsed.success) return { ok: false, message: describeIssues('prometheus', parsed.error) };
  const c = parsed.data;

  // Address: the metric's own, else the controller-wide default from the environment.
  let address = c.address;
  if (address !== '') {
    if (!isUrl(address)) return { ok: false, message: 'prometheus address is not is url format' };
  } else if ((env.prometheusAddress ?? '') !== '') {
    address = env.prometheusAddress!;
    if (!isUrl(address)) return { ok: false, message: 'prometheus address is not is url format' };
  } else {
    return { ok: false, message: 'prometheus address is not configured' };
  }

  const { basicAuth: basic, sigv4 } = c.authentication;
  if ((basic.username !== '' || basic.password !== '') && (basic.username === '' || basic.password === '')) {
    return { ok: false, message: 'missing mandatory parameter in metric for basic auth setup: username|password' };
  }
  const oauth2 = resolveOAuth2(c.authentication.oauth2);
  if (!oauth2.ok) return oauth2;

  const timeoutSeconds = c.timeout ?? DEFAULT_TIMEOUT_SECONDS;
  if (timeoutSeconds < 0) return { ok: false, message: 'prometheus timeout should not be negative' };

  const config: PrometheusConfig = {
    address,
    query: c.query,
    timeoutMs: timeoutSeconds * 1000,
    insecure: c.insecure,
    headers: headerRecord(c.headers),
  };
  if (basic.username !== '') config.basicAuth = { username: basic.username, password: basic.password };
  if (oauth2.value !== undefined) config.oauth2 = oauth2.value;
  if (sigv4Applies(address, sigv4)) config.sigv4 = sigv4;
  if (c.rangeQuery !== undefined) config.rangeQuery = c.rangeQuery;
  return { ok: true, config };
}
