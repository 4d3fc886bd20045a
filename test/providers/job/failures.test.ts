/**
 * Failures as values: API errors injected into the fake API server, an unreachable server, a
 * plain HTTP server answering like a broken proxy, aborts and timeouts, refused provider blocks.
 * Every call resolves to an Observation in client-go's words; nothing throws.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createJobProvider } from '../../../providers/job/index.js';
import { sendText, startHttpServer, unusedPort } from '../../support/http-server.js';
import { ctx, expectKind, parse, RUN_UID, started, startHarness, type Harness } from './fixtures.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());
beforeEach(() => {
  h.fake.clearFaults();
  h.fake.clearRequests();
  h.fake.setLatency(0);
});

function kubeConfigFor(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'not-a-real-token' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

const jobsPath = '/apis/batch/v1/namespaces/rollouts/jobs';

describe('API errors', () => {
  it('turns a 500 on create into an Error measurement with the Status message', async () => {
    h.fake.injectFault({ method: 'POST', path: jobsPath, status: 500 });
    const obs = await h.provider.measure(parse(h.provider), ctx({ metric: { name: 'e500', index: 1 } }));
    expect(obs).toEqual({ kind: 'error', code: 'BadResponse', message: 'Internal error occurred: injected fault' });
  });

  it('reports 403 and 401 as Unauthorized', async () => {
    h.fake.injectFault({ method: 'POST', path: jobsPath, status: 403 });
    expect(await h.provider.measure(parse(h.provider), ctx({ metric: { name: 'e403', index: 1 } }))).toEqual({
      kind: 'error',
      code: 'Unauthorized',
      message: 'forbidden: injected fault',
    });
    h.fake.injectFault({ method: 'POST', path: jobsPath, status: 401 });
    expect(await h.provider.measure(parse(h.provider), ctx({ metric: { name: 'e401', index: 1 } }))).toEqual({
      kind: 'error',
      code: 'Unauthorized',
      message: 'Unauthorized',
    });
  });

  it('reports the create error when the Job exists but cannot be read back', async () => {
    const c = ctx({ metric: { name: 'verify', index: 1 } });
    await started(h.provider, c);
    h.fake.injectFault({ method: 'GET', path: `${jobsPath}/${RUN_UID}.verify.1`, status: 500 });
    expect(await h.provider.measure(parse(h.provider), c)).toEqual({ kind: 'error', code: 'BadResponse', message: `jobs.batch "${RUN_UID}.verify.1" already exists` });
  });

  it('turns failures while resuming and terminating into Error measurements', async () => {
    const prior = await started(h.provider, ctx({ metric: { name: 'later', index: 1 } }));
    const name = prior.metadata?.['job-name'] ?? '';
    h.fake.injectFault({ method: 'GET', path: `${jobsPath}/${name}`, status: 503 });
    expect(await h.provider.resume(parse(h.provider), prior, ctx())).toEqual({
      kind: 'error',
      code: 'BadResponse',
      message: 'the server is currently unable to handle the request',
    });
    h.fake.injectFault({ method: 'GET', path: '/api/v1/namespaces/rollouts/pods', status: 500 });
    expect(await h.provider.resume(parse(h.provider), prior, ctx())).toMatchObject({ kind: 'error', code: 'BadResponse' });
    h.fake.injectFault({ method: 'DELETE', path: `${jobsPath}/${name}`, status: 500 });
    expect(await h.provider.terminate(parse(h.provider), prior, ctx())).toEqual({
      kind: 'error',
      code: 'BadResponse',
      message: 'Internal error occurred: injected fault',
    });
  });

  it('quotes a non-Status error body as client-go does', async () => {
    const proxy = await startHttpServer((_req, res) => sendText(res, 502, 'upstream connect error'));
    try {
      const provider = createJobProvider({ kubeConfig: kubeConfigFor(proxy.url) });
      const obs = await provider.measure(parse(provider), ctx());
      expect(obs).toEqual({
        kind: 'error',
        code: 'BadResponse',
        message: 'an error on the server ("upstream connect error") has prevented the request from succeeding (post jobs.batch)',
      });
      // The injected KubeConfig's credentials are the ones used.
      expect(proxy.requests[0]?.headers.authorization).toBe('Bearer not-a-real-token');
    } finally {
      await proxy.close();
    }
  });
});

describe('transport', () => {
  it('reports an unreachable API server as Unreachable in Go url.Error words', async () => {
    const port = await unusedPort();
    const provider = createJobProvider({ kubeConfig: kubeConfigFor(`http://127.0.0.1:${port}`) });
    const obs = await provider.measure(parse(provider), ctx());
    expect(obs).toEqual({
      kind: 'error',
      code: 'Unreachable',
      message: `Post "http://127.0.0.1:${port}${jobsPath}": dial tcp 127.0.0.1:${port}: connect: connection refused`,
    });
  });

  it('does not call the API once ctx.signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const obs = await h.provider.measure(parse(h.provider), ctx({ signal: controller.signal }));
    expect(obs).toMatchObject({ kind: 'error', code: 'Aborted' });
    expect(h.fake.requests).toEqual([]);
  });

  it('stops promptly when ctx.signal aborts mid-request', async () => {
    h.fake.setLatency(5000);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const prior = { startedAt: Date.now(), metadata: { 'job-name': `${RUN_UID}.slow.1` } };
    const obs = expectKind(await h.provider.resume(parse(h.provider), prior, ctx({ signal: controller.signal })), 'error');
    // The API answers after 5 s: an Aborted "context canceled" can only come from the abort.
    expect(obs).toEqual({ kind: 'error', code: 'Aborted', message: `Get "${h.fake.url}${jobsPath}/${RUN_UID}.slow.1": context canceled` });
  });

  it('reports the request timeout as Timeout', async () => {
    h.fake.setLatency(5000);
    const provider = createJobProvider({ kubeConfig: h.fake.kubeConfig(), requestTimeoutMs: 200 });
    const obs = await provider.terminate(parse(provider), { metadata: { 'job-name': 'x' } }, ctx());
    expect(obs).toMatchObject({ kind: 'error', code: 'Timeout', message: `Delete "${h.fake.url}${jobsPath}/x?propagationPolicy=Foreground": context deadline exceeded` });
  });
});

describe('parseConfig', () => {
  const refuse = (raw: unknown): string => {
    const parsed = h.provider.parseConfig(raw, {});
    expect(parsed.ok).toBe(false);
    return parsed.ok ? '' : parsed.message;
  };

  it('requires spec and spec.template', () => {
    expect(refuse({ metadata: { labels: { a: 'b' } } })).toBe('invalid job provider: spec: Required value');
    expect(refuse({ spec: { backoffLimit: 1 } })).toBe('invalid job provider: spec.template: Required value');
    expect(refuse({ spec: { template: 'pod' } })).toMatch(/^invalid job provider: spec\.template: Invalid input: expected record/);
  });

  it('requires string label and annotation values, without quoting them', () => {
    const message = refuse({ metadata: { annotations: { token: 12345 } }, spec: { template: {} } });
    expect(message).toMatch(/^invalid job provider: metadata\.annotations\.token: /);
    expect(message).not.toContain('12345');
  });

  it('keeps every JobSpec field and treats null as absent', () => {
    const parsed = h.provider.parseConfig({ metadata: null, spec: { template: { spec: {} }, ttlSecondsAfterFinished: 60, suspend: null } }, {});
    expect(parsed).toEqual({ ok: true, config: { labels: {}, annotations: {}, spec: { template: { spec: {} }, ttlSecondsAfterFinished: 60 } } });
  });
});
