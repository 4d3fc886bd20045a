/**
 * OAuth2 client credentials for the web provider, against a real local token endpoint and a
 * real local metric server; both record what they received.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWebProvider } from '../../../providers/web/index.js';
import { sendJson, startHttpServer, type Handler, type TestHttpServer } from '../../support/http-server.js';
import { measureWith } from '../measure.js';

let idp: TestHttpServer;
let api: TestHttpServer;
let clock = 1_700_000_000_000;
const provider = createWebProvider({ clock: () => clock });
let issued = 0;

const issueTokens: Handler = (_req, res) => {
  issued += 1;
  sendJson(res, 200, { access_token: `token-${issued}`, token_type: 'bearer', expires_in: 3600 });
};

beforeAll(async () => {
  idp = await startHttpServer(issueTokens);
  api = await startHttpServer((_req, res) => sendJson(res, 200, { ok: 1 }));
});
afterAll(async () => {
  await provider.close?.();
  await Promise.all([idp.close(), api.close()]);
});
beforeEach(async () => {
  await provider.close?.(); // forget cached tokens and auth styles
  issued = 0;
  idp.requests.length = 0;
  api.requests.length = 0;
  idp.handle(issueTokens);
});

const block = (scopes: string[] = ['metrics.read', 'metrics.write']) => ({
  url: `${api.url}/health`,
  headers: [{ key: 'Authorization', value: 'Bearer from-the-metric' }],
  jsonPath: '{.ok}',
  authentication: { oauth2: { tokenUrl: `${idp.url}/oauth/token`, clientId: 'rollouts id', clientSecret: 's3cr:et', scopes } },
});

describe('when a token URL is configured', () => {
  it('fetches a client-credentials token and sends it as the bearer, replacing the metric\'s own header', async () => {
    const obs = await measureWith(provider, block());
    expect(obs).toEqual({ kind: 'value', value: 1, display: '1' });

    expect(idp.requests).toHaveLength(1);
    const tokenReq = idp.requests[0]!;
    expect(tokenReq.method).toBe('POST');
    expect(tokenReq.path).toBe('/oauth/token');
    expect(tokenReq.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(tokenReq.body).toBe('grant_type=client_credentials&scope=metrics.read+metrics.write');
    // x/oauth2 URL-escapes id and secret before putting them in the Basic header.
    expect(tokenReq.headers.authorization).toBe(`Basic ${Buffer.from('rollouts+id:s3cr%3Aet').toString('base64')}`);

    expect(api.requests[0]!.headers.authorization).toBe('Bearer token-1');
  });

  it('omits scope when none are configured', async () => {
    await measureWith(provider, block([]));
    expect(idp.requests[0]!.body).toBe('grant_type=client_credentials');
  });

  it('reuses the token until 10 s before it expires', async () => {
    await measureWith(provider, block());
    clock += 3590_000 - 1;
    await measureWith(provider, block());
    expect(idp.requests).toHaveLength(1);
    clock += 1;
    await measureWith(provider, block());
    expect(idp.requests).toHaveLength(2);
    expect(api.requests.map((r) => r.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-1', 'Bearer token-2']);
  });

  it('falls back to credentials in the form body when the endpoint rejects the Basic header', async () => {
    idp.handle((req, res) => {
      if (req.headers.authorization !== undefined) return sendJson(res, 401, { error: 'invalid_client' });
      return issueTokens(req, res);
    });
    await measureWith(provider, block());
    await provider.close?.();
    expect(idp.requests).toHaveLength(2);
    expect(idp.requests[1]!.form.get('client_id')).toBe('rollouts id');
    expect(idp.requests[1]!.form.get('client_secret')).toBe('s3cr:et');
    expect(api.requests[0]!.headers.authorization).toBe('Bearer token-1');
  });

  it('reports a refused client as Unauthorized with x/oauth2\'s wording and no secret', async () => {
    idp.handle((_req, res) => sendJson(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed' }));
    const obs = await measureWith(provider, block());
    expect(obs).toEqual({
      kind: 'error',
      code: 'Unauthorized',
      message: `Get "${api.url}/health": oauth2: "invalid_client" "Client authentication failed"`,
    });
    expect(api.requests).toHaveLength(0);
  });

  it('reports a token response without access_token', async () => {
    idp.handle((_req, res) => sendJson(res, 200, { token_type: 'bearer' }));
    const obs = await measureWith(provider, block());
    expect(obs).toMatchObject({ kind: 'error', message: `Get "${api.url}/health": oauth2: server response missing access_token` });
  });

  it('reports an unreachable token endpoint with both URLs, as Go nests them', async () => {
    const raw = block();
    raw.authentication.oauth2.tokenUrl = 'http://127.0.0.1:1/token';
    const obs = await measureWith(provider, raw);
    expect(obs).toEqual({
      kind: 'error',
      code: 'Unreachable',
      message: `Get "${api.url}/health": Post "http://127.0.0.1:1/token": dial tcp 127.0.0.1:1: connect: connection refused`,
    });
  });
});
