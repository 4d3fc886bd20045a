/**
 * The web provider block: shape errors, and Argo's construction and Run-start errors with their
 * exact messages, in Argo's order.
 */
import { describe, expect, it } from 'vitest';
import { webProvider } from '../../../providers/web/index.js';
import { refusal } from '../measure.js';

describe('when the block is well formed', () => {
  it('fills Argo\'s defaults', () => {
    const parsed = webProvider.parseConfig({ url: 'http://svc/metrics' }, {});
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.config).toMatchObject({ url: 'http://svc/metrics', method: 'GET', headers: {}, timeoutMs: 10_000, insecure: false });
    expect(parsed.config.requestBody).toBeUndefined();
    expect(parsed.config.oauth2).toBeUndefined();
  });

  it('reads null fields as absent, as Go decoding does', () => {
    const parsed = webProvider.parseConfig({ url: 'http://svc', method: null, headers: null, jsonBody: null, timeoutSeconds: null }, {});
    expect(parsed.ok && parsed.config.method).toBe('GET');
  });

  it('keeps user headers and the timeout', () => {
    const parsed = webProvider.parseConfig(
      { url: 'http://svc', method: 'POST', timeoutSeconds: 3, headers: [{ key: 'X-A', value: '1' }], body: 'q' },
      {},
    );
    expect(parsed.ok && parsed.config).toMatchObject({ method: 'POST', timeoutMs: 3000, headers: { 'X-A': '1' }, requestBody: 'q' });
  });
});

describe('when the block is not usable', () => {
  it('requires a url', () => {
    expect(refusal(webProvider, {})).toBe('invalid web provider: url: Invalid input: expected string, received undefined');
  });

  it('accepts only the CRD methods', () => {
    expect(refusal(webProvider, { url: 'http://svc', method: 'DELETE' })).toMatch(/^invalid web provider: method: /);
  });

  it('refuses a timeout that is not an integer', () => {
    expect(refusal(webProvider, { url: 'http://svc', timeoutSeconds: 1.5 })).toMatch(/^invalid web provider: timeoutSeconds: /);
  });

  it('refuses body and jsonBody together', () => {
    expect(refusal(webProvider, { url: 'http://svc', method: 'POST', body: 'a', jsonBody: { a: 1 } })).toBe(
      'use either Body or JSONBody; both cannot exists for WebMetric payload',
    );
  });

  it.each([
    [{ body: 'a' }],
    [{ jsonBody: { a: 1 } }],
    [{ jsonBody: [] }],
    [{ method: 'GET', jsonBody: 0 }],
  ])('refuses a payload with GET: %j', (extra) => {
    expect(refusal(webProvider, { url: 'http://svc', ...extra })).toBe(
      'Body/JSONBody can only be used with POST or PUT WebMetric Method types',
    );
  });

  it('reports a broken JSONPath with client-go\'s parse error', () => {
    expect(refusal(webProvider, { url: 'http://svc', jsonPath: '{.a[' })).toBe('unterminated array');
  });

  it('checks OAuth2 before the JSONPath and the body, as Argo constructs the client first', () => {
    const raw = { url: 'http://svc', jsonPath: '{.a[', body: 'x', authentication: { oauth2: { tokenUrl: 'http://idp/token', clientId: 'id' } } };
    expect(refusal(webProvider, raw)).toBe('missing mandatory parameter in metric for OAuth2 setup');
  });

  it('ignores OAuth2 credentials without a token URL', () => {
    const parsed = webProvider.parseConfig({ url: 'http://svc', authentication: { oauth2: { clientId: 'id' } } }, {});
    expect(parsed.ok && parsed.config.oauth2).toBeUndefined();
  });
});
