/**
 * OAuth2 client-credentials tokens, as `golang.org/x/oauth2/clientcredentials` fetches them for
 * Argo's Prometheus and Web providers: a form POST to `tokenUrl` with
 * `grant_type=client_credentials` and the space-joined scopes; the client id and secret first in
 * an HTTP Basic header, and, if that attempt fails, in the form body (the style that worked is
 * remembered per token URL). The token is sent as `Authorization: <Type> <access_token>`.
 *
 * Unlike Argo, which builds a new client (and fetches a new token) for every measurement, tokens
 * are cached until 10 s before `expires_in` runs out (x/oauth2's expiry delta), keyed by token URL,
 * client id, a hash of the secret, and scopes. Token failures use x/oauth2's wording but never
 * quote the token endpoint's response body, which could echo credentials.
 */
import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { ProviderErrorCode } from '../../src/metric/provider.js';
import { goQuote } from '../../src/go/format.js';
import { httpRequest } from './http.js';
import { describeNetworkError, urlErrorText } from './transport-errors.js';

export interface OAuth2ClientCredentials {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
}

type TokenResult =
  | { ok: true; authorization: string }
  /** `detail` is the text Go puts after the outer request's `Op "url": `; `aborted` means the signal fired. */
  | { ok: false; code: ProviderErrorCode; detail: string; aborted: boolean };

interface CachedToken {
  authorization: string;
  /** Epoch ms after which the token is stale; undefined when the server gave no lifetime. */
  staleAt?: number;
}

const EXPIRY_DELTA_MS = 10_000;

/** Go `url.QueryEscape`: only [A-Za-z0-9-_.~] stay literal, space becomes `+`. */
function queryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Go `url.Values.Encode`: keys sorted. */
function formEncode(values: Record<string, string>): string {
  return Object.keys(values)
    .sort()
    .map((k) => `${queryEscape(k)}=${queryEscape(values[k]!)}`)
    .join('&');
}

/** x/oauth2 `Token.Type()`. */
function tokenType(raw: unknown): string {
  const t = typeof raw === 'string' ? raw : '';
  const canonical: Record<string, string> = { bearer: 'Bearer', mac: 'MAC', basic: 'Basic' };
  return canonical[t.toLowerCase()] ?? (t !== '' ? t : 'Bearer');
}

export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly authStyles = new Map<string, 'header' | 'params'>();

  /** @param now the wall clock (token lifetimes are real time, even when a backtest replays history) */
  constructor(private readonly now: () => number = Date.now) {}

  clear(): void {
    this.tokens.clear();
    this.authStyles.clear();
  }

  async authorization(cfg: OAuth2ClientCredentials, opts: { signal: AbortSignal; insecure: boolean }): Promise<TokenResult> {
    const key = [cfg.tokenUrl, cfg.clientId, createHash('sha256').update(cfg.clientSecret).digest('hex'), cfg.scopes.join(' ')].join('\0');
    const cached = this.tokens.get(key);
    if (cached !== undefined && (cached.staleAt === undefined || this.now() < cached.staleAt)) {
      return { ok: true, authorization: cached.authorization };
    }
    const known = this.authStyles.get(cfg.tokenUrl);
    let result = await this.fetchToken(cfg, known ?? 'header', opts);
    if (known === undefined && !result.ok && !result.aborted) {
      result = await this.fetchToken(cfg, 'params', opts);
      if (result.ok) this.authStyles.set(cfg.tokenUrl, 'params');
    } else if (known === undefined && result.ok) {
      this.authStyles.set(cfg.tokenUrl, 'header');
    }
    if (!result.ok) return result;
    this.tokens.set(key, result.token);
    return { ok: true, authorization: result.token.authorization };
  }

  private async fetchToken(
    cfg: OAuth2ClientCredentials,
    style: 'header' | 'params',
    opts: { signal: AbortSignal; insecure: boolean },
  ): Promise<{ ok: true; token: CachedToken } | Extract<TokenResult, { ok: false }>> {
    const form: Record<string, string> = { grant_type: 'client_credentials' };
    if (cfg.scopes.length > 0) form.scope = cfg.scopes.join(' ');
    const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
    if (style === 'header') {
      const basic = Buffer.from(`${queryEscape(cfg.clientId)}:${queryEscape(cfg.clientSecret)}`).toString('base64');
      headers.Authorization = `Basic ${basic}`;
    } else {
      form.client_id = cfg.clientId;
      form.client_secret = cfg.clientSecret;
    }
    const startedAt = this.now();
    const res = await httpRequest({
      method: 'POST', url: cfg.tokenUrl, headers, body: formEncode(form), insecure: opts.insecure, signal: opts.signal,
    });
    if (!res.ok) {
      if (res.kind === 'aborted') return { ok: false, code: 'Aborted', detail: 'aborted', aborted: true };
      const net = res.kind === 'network' ? describeNetworkError(res.error, res.url) : { code: 'Config' as const, detail: res.detail };
      return { ok: false, code: net.code, detail: urlErrorText('POST', res.url, net.detail), aborted: false };
    }
    const text = res.body.toString('utf8');
    const contentType = String(res.headers['content-type'] ?? '').split(';')[0]!.trim();
    const fields = parseTokenBody(text, contentType);
    if (res.status < 200 || res.status > 299) {
      // RFC 6749 token errors (invalid_client, invalid_scope, ...) come as 400 or 401.
      const code: ProviderErrorCode = [400, 401, 403].includes(res.status) ? 'Unauthorized' : 'BadResponse';
      const errorCode = typeof fields?.error === 'string' ? fields.error : '';
      if (errorCode !== '') {
        const parts = [errorCode, fields?.error_description, fields?.error_uri].filter((p): p is string => typeof p === 'string' && p !== '');
        return { ok: false, code, detail: `oauth2: ${parts.map(goQuote).join(' ')}`, aborted: false };
      }
      const status = `${res.status} ${STATUS_CODES[res.status] ?? ''}`.trim();
      return { ok: false, code, detail: `oauth2: cannot fetch token: ${status}`, aborted: false };
    }
    if (fields === undefined) return { ok: false, code: 'BadResponse', detail: 'oauth2: cannot parse json', aborted: false };
    const accessToken = fields.access_token;
    if (typeof accessToken !== 'string' || accessToken === '') {
      return { ok: false, code: 'BadResponse', detail: 'oauth2: server response missing access_token', aborted: false };
    }
    const expiresIn = Number(fields.expires_in ?? 0);
    const token: CachedToken = { authorization: `${tokenType(fields.token_type)} ${accessToken}` };
    if (Number.isFinite(expiresIn) && expiresIn > 0) token.staleAt = startedAt + expiresIn * 1000 - EXPIRY_DELTA_MS;
    return { ok: true, token };
  }
}

/** Token endpoint bodies are JSON, or form-encoded for `application/x-www-form-urlencoded`/`text/plain`. */
function parseTokenBody(text: string, contentType: string): Record<string, unknown> | undefined {
  if (contentType === 'application/x-www-form-urlencoded' || contentType === 'text/plain') {
    return Object.fromEntries(new URLSearchParams(text));
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
