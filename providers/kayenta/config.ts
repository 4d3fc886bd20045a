/**
 * The `kayenta` provider block (Argo's `KayentaMetric`). Argo's CRD requires every field but
 * `lookback`; Argo itself builds the provider without further checks, so a missing field here
 * is left at Go's zero value, as Argo would after decoding.
 */
import { z } from 'zod';
import { describeIssues, dropNulls } from '../shared/config.js';

const scopeDetail = z.object({
  scope: z.string().default(''),
  region: z.string().default(''),
  step: z.number().int().default(0),
  start: z.string().default(''),
  end: z.string().default(''),
});

const schema = z.object({
  address: z.string().default(''),
  application: z.string().default(''),
  canaryConfigName: z.string().default(''),
  metricsAccountName: z.string().default(''),
  configurationAccountName: z.string().default(''),
  storageAccountName: z.string().default(''),
  threshold: z.object({ pass: z.number().int().default(0), marginal: z.number().int().default(0) }).prefault({}),
  scopes: z
    .array(z.object({ name: z.string().default(''), controlScope: scopeDetail.prefault({}), experimentScope: scopeDetail.prefault({}) }))
    .default([]),
  lookback: z.boolean().default(false),
});

export type KayentaConfig = z.infer<typeof schema>;
export type ScopeDetail = z.infer<typeof scopeDetail>;

export function parseKayentaConfig(raw: unknown): { ok: true; config: KayentaConfig } | { ok: false; message: string } {
  const parsed = schema.safeParse(dropNulls(raw ?? {}));
  if (!parsed.success) return { ok: false, message: describeIssues('kayenta', parsed.error) };
  return { ok: true, config: parsed.data };
}
