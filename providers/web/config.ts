/**
 * The `web` provider block (Argo's `WebMetric`) and Argo's checks, in Argo's order: the OAuth2
 * client (`NewWebMetricHttpClient`), the JSONPath template (`NewWebMetricJsonParser`), then the
 * body rules that Argo applies at the start of `Run`. Each failure message is Argo's.
 */
import { z } from 'zod';
import type { ProviderEnv } from '../../src/metric/provider.js';
import { describeIssues, dropNulls, headerRecord, headerSchema, oauth2Schema, resolveOAuth2 } from '../shared/config.js';
import { goJsonMarshal } from '../../src/go/format.js';
import { setHeader } from '../shared/headers.js';
import type { OAuth2ClientCredentials } from '../shared/oauth2.js';
import { parseJsonPath, type ListNode } from './jsonpath/parse.js';

const webSchema = z.object({
  url: z.string(),
  /** The CRD allows GET, POST, PUT; empty means GET. */
  method: z.enum(['GET', 'POST', 'PUT', '']).default(''),
  headers: z.array(headerSchema).default([]),
  body: z.string().default(''),
  /** Any JSON value (Go `json.RawMessage`). */
  jsonBody: z.unknown().optional(),
  /** Seconds; `<= 0` means 10. */
  timeoutSeconds: z.number().int().default(0),
  jsonPath: z.string().default(''),
  insecure: z.boolean().default(false),
  authentication: z.object({ oauth2: oauth2Schema.prefault({}) }).prefault({}),
});

export interface WebConfig {
  url: string;
  method: 'GET' | 'POST' | 'PUT';
  /** User headers after Go's `Header.Set`, plus `Content-Type: application/json` for jsonBody. */
  headers: Record<string, string>;
  /** The request body as sent: `body`, or `jsonBody` encoded as Argo's API client delivers it. */
  requestBody?: string;
  timeoutMs: number;
  insecure: boolean;
  jsonPath: ListNode;
  oauth2?: OAuth2ClientCredentials;
}

export const DEFAULT_TIMEOUT_SECONDS = 10;

export function parseWebConfig(raw: unknown, _env: ProviderEnv): { ok: true; config: WebConfig } | { ok: false; message: string } {
  // jsonBody is user JSON: its nulls are data, so only the rest gets Go's null-means-absent rule.
  let input = raw;
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const { jsonBody, ...rest } = raw as Record<string, unknown>;
    input = { ...(dropNulls(rest) as object), jsonBody };
  }
  const parsed = webSchema.safeParse(input);
  if (!parsed.success) return { ok: false, message: describeIssues('web', parsed.error) };
  const c = parsed.data;

  const oauth2 = resolveOAuth2(c.authentication.oauth2);
  if (!oauth2.ok) return oauth2;
  const path = parseJsonPath(c.jsonPath === '' ? '{$}' : c.jsonPath);
  if (!path.ok) return { ok: false, message: path.error };

  const method = c.method === '' ? 'GET' : c.method;
  const hasJsonBody = c.jsonBody !== undefined && c.jsonBody !== null;
  if (c.body !== '' && hasJsonBody) {
    return { ok: false, message: 'use either Body or JSONBody; both cannot exists for WebMetric payload' };
  }
  if ((c.body !== '' || hasJsonBody) && method === 'GET') {
    return { ok: false, message: 'Body/JSONBody can only be used with POST or PUT WebMetric Method types' };
  }

  const headers = headerRecord(c.headers);
  let requestBody: string | undefined;
  if (c.body !== '') requestBody = c.body;
  else if (hasJsonBody) {
    // The API server stores custom resources as unstructured maps, so Argo receives jsonBody
    // re-encoded by Go's json.Marshal (sorted keys, compact); send exactly those bytes.
    requestBody = goJsonMarshal(c.jsonBody);
    setHeader(headers, 'Content-Type', 'application/json');
  }

  const config: WebConfig = {
    url: c.url,
    method,
    headers,
    timeoutMs: (c.timeoutSeconds <= 0 ? DEFAULT_TIMEOUT_SECONDS : c.timeoutSeconds) * 1000,
    insecure: c.insecure,
    jsonPath: path.root,
  };
  if (requestBody !== undefined) config.requestBody = requestBody;
  if (oauth2.value !== undefined) config.oauth2 = oauth2.value;
  return { ok: true, config };
}
