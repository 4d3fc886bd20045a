/**
 * The `graphite` provider block (Argo's `GraphiteMetric`: `address`, `query`) and the check Argo
 * makes when it builds the client (`NewAPIClient`): an empty or unparseable address fails with
 * `Graphite address <addr> is not a valid URL`.
 */
import { z } from 'zod';
import { describeIssues, dropNulls } from '../shared/config.js';

const graphiteSchema = z.object({
  address: z.string().default(''),
  query: z.string().default(''),
});

export interface GraphiteConfig {
  address: string;
  /** The Render API query string as written (`target=...&from=-5min`). */
  query: string;
  timeoutMs: number;
}

/** Argo's client: `&http.Client{Timeout: 10 * time.Second}`; the block has no timeout field. */
export const GRAPHITE_TIMEOUT_MS = 10_000;

export function parseGraphiteConfig(raw: unknown, timeoutMs = GRAPHITE_TIMEOUT_MS): { ok: true; config: GraphiteConfig } | { ok: false; message: string } {
  const parsed = graphiteSchema.safeParse(dropNulls(raw ?? {}));
  if (!parsed.success) return { ok: false, message: describeIssues('graphite', parsed.error) };
  const { address, query } = parsed.data;
  let valid = address !== '';
  try {
    new URL(address);
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, message: `Graphite address ${address} is not a valid URL` };
  return { ok: true, config: { address, query, timeoutMs } };
}
