/**
 * The `influxdb` provider block (Argo's `InfluxdbMetric`: `profile`, `query`) and the credentials
 * Argo's `NewInfluxdbAPI` reads: the Secret named by `profile` (default `influxdb`) in the
 * controller's namespace, keys `authToken`, `org` and `address`. A missing Secret fails with
 * Kubernetes' error; any of the three keys empty or absent with `authToken, org, or address not
 * found`.
 */
import { z } from 'zod';
import type { MeasureContext } from '../../src/metric/provider.js';
import { describeIssues, dropNulls } from '../shared/config.js';

const influxdbSchema = z.object({
  profile: z.string().default(''),
  query: z.string().default(''),
});

export interface InfluxdbConfig {
  /** The Secret holding authToken/org/address. */
  profile: string;
  /** A Flux query, sent as written. */
  query: string;
}

export const DEFAULT_PROFILE = 'influxdb';

export function parseInfluxdbConfig(raw: unknown): { ok: true; config: InfluxdbConfig } | { ok: false; message: string } {
  const parsed = influxdbSchema.safeParse(dropNulls(raw ?? {}));
  if (!parsed.success) return { ok: false, message: describeIssues('influxdb', parsed.error) };
  return { ok: true, config: { profile: parsed.data.profile || DEFAULT_PROFILE, query: parsed.data.query } };
}

export interface InfluxdbCredentials {
  address: string;
  authToken: string;
  org: string;
}

export async function readCredentials(
  profile: string,
  ctx: MeasureContext,
): Promise<{ ok: true; value: InfluxdbCredentials } | { ok: false; message: string }> {
  const namespace = ctx.env.controllerNamespace ?? 'argo-rollouts';
  const read = async (key: string): Promise<{ ok: true; value: string } | { ok: false; message: string }> => {
    const got = await ctx.secrets.get(namespace, profile, key);
    if (got.ok) return { ok: true, value: got.value };
    // A Secret without the key reads as an empty value (Go: secret.Data[key]).
    return got.error.startsWith('secrets "') ? { ok: false, message: got.error } : { ok: true, value: '' };
  };
  const authToken = await read('authToken');
  if (!authToken.ok) return authToken;
  const address = await read('address');
  if (!address.ok) return address;
  const org = await read('org');
  if (!org.ok) return org;
  if (authToken.value === '' || address.value === '' || org.value === '') {
    return { ok: false, message: 'authToken, org, or address not found' };
  }
  return { ok: true, value: { authToken: authToken.value, address: address.value, org: org.value } };
}
