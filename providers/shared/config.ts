/**
 * Helpers shared by the providers' config parsers: Go-like decoding of the provider block
 * (JSON `null` means "zero value", unknown fields are ignored) and one message format for
 * shape errors, which in Argo would have been rejected by the CRD schema or by decoding.
 */
import { z } from 'zod';
import { setHeader } from './headers.js';
import type { OAuth2ClientCredentials } from './oauth2.js';

/** Go's encoding/json leaves a field at its zero value for `null`; drop nulls so defaults apply. */
export function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => [k, dropNulls(v)]),
    );
  }
  return value;
}

/**
 * `invalid prometheus provider: timeout: Invalid input: expected int, received string`.
 * Only paths and zod's type expectations are quoted, never the offending values, so a
 * misplaced secret cannot leak through a shape error.
 */
export function describeIssues(provider: string, error: z.ZodError): string {
  const issues = error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
  return `invalid ${provider} provider: ${issues.join('; ')}`;
}

export const headerSchema = z.object({ key: z.string(), value: z.string() });

export const oauth2Schema = z.object({
  tokenUrl: z.string().default(''),
  clientId: z.string().default(''),
  clientSecret: z.string().default(''),
  scopes: z.array(z.string()).default([]),
});

/**
 * Argo's OAuth2 rule, identical for Prometheus and Web: client credentials are used when
 * `tokenUrl` is set, and then `clientId` and `clientSecret` are mandatory.
 */
export function resolveOAuth2(
  raw: z.infer<typeof oauth2Schema>,
): { ok: true; value: OAuth2ClientCredentials | undefined } | { ok: false; message: string } {
  if (raw.tokenUrl === '') return { ok: true, value: undefined };
  if (raw.clientId === '' || raw.clientSecret === '') {
    return { ok: false, message: 'missing mandatory parameter in metric for OAuth2 setup' };
  }
  return { ok: true, value: { tokenUrl: raw.tokenUrl, clientId: raw.clientId, clientSecret: raw.clientSecret, scopes: raw.scopes } };
}

/** The `headers: [{key, value}]` list as Go applies it: `Header.Set` in order, so the last key wins. */
export function headerRecord(headers: ReadonlyArray<{ key: string; value: string }>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { key, value } of headers) setHeader(out, key, value);
  return out;
}
