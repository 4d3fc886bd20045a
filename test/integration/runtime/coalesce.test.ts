/**
 * Coalescing of identical in-flight provider requests (src/runtime/coalesce.ts), proven by
 * counting what a real local HTTP server received: the real Prometheus and web providers, the
 * real ProviderMeasurer, and the engine end to end.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isCompleted } from '../../../src/api/phase.js';
import type { AnalysisRun, Metric } from '../../../src/api/types.js';
import type { MeasureRequest } from '../../../src/reconcile/ports.js';
import { assemble } from '../../../src/composition/engine.js';
import { liveProviders } from '../../../src/composition/provider-registry.js';
import { canonicalJson, RequestCoalescer } from '../../../src/runtime/coalesce.js';
import { ProviderMeasurer } from '../../../src/runtime/provider-measurer.js';
import { MemoryRunStore } from '../../../src/store/memory-store.js';
import { sendJson, startHttpServer, type RecordedRequest, type TestHttpServer } from '../../support/http-server.js';

const DELAY_MS = 300;
let server: TestHttpServer;

/** A Prometheus-shaped answer after DELAY_MS, so that concurrent requests overlap in flight. */
beforeAll(async () => {
  server = await startHttpServer(async (req, res) => {
    await new Promise((r) => setTimeout(r, DELAY_MS));
    if (req.path === '/api/v1/query') {
      const t = Number(req.form.get('time') ?? req.query.get('time'));
      return sendJson(res, 200, { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [t, '0.99'] }] } });
    }
    return sendJson(res, 200, { ok: true, rate: 0.99 });
  });
});
afterAll(() => server.close());
afterEach(() => server.requests.splice(0));

const queries = (): RecordedRequest[] => server.requests.filter((r) => r.path === '/api/v1/query');

const promMetric = (query: string, extra: Record<string, unknown> = {}): Metric => ({
  name: 'm',
  successCondition: 'result[0] >= 0.95',
  provider: { prometheus: { address: server.url, query, ...extra } },
});

const request = (metric: Metric, now: number, run = 'r'): MeasureRequest => ({
  metric,
  mode: 'measure',
  index: 1,
  run: { namespace: 'ns', name: run, uid: `uid-${run}` },
  now,
});

const measurer = (coalesceStepMs?: number) =>
  new ProviderMeasurer({ providers: liveProviders(), env: {}, ...(coalesceStepMs !== undefined ? { coalesceStepMs } : {}) });

describe('coalescing identical in-flight provider requests', () => {
  it('sends one Prometheus query for 50 identical concurrent requests, and each caller gets the answer', async () => {
    const m = measurer();
    const now = Date.UTC(2026, 0, 1, 12, 0, 0, 123);
    const out = await Promise.all(Array.from({ length: 50 }, (_, i) => m.measure(request(promMetric('up'), now, `run-${i}`))));
    expect(queries()).toHaveLength(1);
    for (const r of out) expect(r.observation).toMatchObject({ kind: 'value', display: '[0.99]' });
    // Each caller has its own observation object (sharing the read-only value is fine).
    expect(new Set(out.map((r) => r.observation)).size).toBe(50);
    expect(m.callStats()).toMatchObject({ requested: 50, issued: 1, joined: 49, inFlight: 0 });
  });

  it('issues each distinct request once: 5 queries x 10 runs give 5 requests', async () => {
    const m = measurer();
    const now = Date.UTC(2026, 0, 1, 12, 0, 1);
    const reqs = [];
    for (let q = 0; q < 5; q++) for (let r = 0; r < 10; r++) reqs.push(m.measure(request(promMetric(`q${q}`), now, `run-${r}`)));
    await Promise.all(reqs);
    expect(queries().map((r) => r.form.get('query')).sort()).toEqual(['q0', 'q1', 'q2', 'q3', 'q4']);
    expect(m.callStats()).toMatchObject({ requested: 50, issued: 5 });
  });

  it('treats configurations that differ in anything (headers, timeout) as different requests, key order aside', async () => {
    const m = measurer();
    const now = Date.UTC(2026, 0, 1, 12, 0, 2);
    await Promise.all([
      m.measure(request(promMetric('up', { timeout: 5 }), now)),
      m.measure(request({ ...promMetric('up'), provider: { prometheus: { timeout: 5, query: 'up', address: server.url } } }, now)),
      m.measure(request(promMetric('up', { timeout: 6 }), now)),
      m.measure(request(promMetric('up', { headers: [{ key: 'X-Scope-OrgID', value: 'a' }] }), now)),
      m.measure(request(promMetric('up', { headers: [{ key: 'X-Scope-OrgID', value: 'b' }] }), now)),
    ]);
    expect(queries()).toHaveLength(4);
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
  });

  it('by default only the same millisecond is identical; a step quantises the evaluation time for every request', async () => {
    const t = Date.UTC(2026, 0, 1, 12, 0, 3, 100);
    const exact = measurer();
    await Promise.all([exact.measure(request(promMetric('up'), t)), exact.measure(request(promMetric('up'), t + 1))]);
    expect(queries().map((r) => r.form.get('time'))).toEqual(expect.arrayContaining([String(t / 1000), String((t + 1) / 1000)]));
    expect(queries()).toHaveLength(2);
    server.requests.splice(0);

    const stepped = measurer(1000);
    const out = await Promise.all([stepped.measure(request(promMetric('up'), t)), stepped.measure(request(promMetric('up'), t + 800))]);
    expect(queries()).toHaveLength(1);
    // Evaluated at the start of the step, for both callers.
    expect(queries()[0]!.form.get('time')).toBe(String(Date.UTC(2026, 0, 1, 12, 0, 3) / 1000));
    expect(out.every((r) => r.kind === 'observed' && r.observation.kind === 'value')).toBe(true);
  });

  it('never shares a request that is no longer in flight (no caching), and step 0 turns coalescing off', async () => {
    const m = measurer();
    const now = Date.UTC(2026, 0, 1, 12, 0, 4);
    await m.measure(request(promMetric('up'), now));
    await m.measure(request(promMetric('up'), now));
    expect(queries()).toHaveLength(2);
    server.requests.splice(0);
    const off = measurer(0);
    await Promise.all(Array.from({ length: 10 }, () => off.measure(request(promMetric('up'), now))));
    expect(queries()).toHaveLength(10);
    expect(off.callStats()).toMatchObject({ requested: 10, issued: 10 });
  });

  it('shares web GETs but never POSTs (they may have side effects)', async () => {
    const m = measurer();
    const now = Date.UTC(2026, 0, 1, 12, 0, 5);
    const web = (method?: string): Metric => ({ name: 'w', provider: { web: { url: `${server.url}/health`, jsonPath: '{$.rate}', ...(method ? { method, body: '{}' } : {}) } } });
    await Promise.all(Array.from({ length: 10 }, () => m.measure(request(web(), now))));
    expect(server.requests.filter((r) => r.method === 'GET')).toHaveLength(1);
    await Promise.all(Array.from({ length: 10 }, () => m.measure(request(web('POST'), now))));
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(10);
  });

  it('shares a failure the same way as a success (all callers get the same Error)', async () => {
    const c = new RequestCoalescer();
    let calls = 0;
    const issue = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 50));
      return { kind: 'error' as const, code: 'Timeout' as const, message: 'context deadline exceeded' };
    };
    const out = await Promise.all(Array.from({ length: 5 }, () => c.run('prometheus', { q: 1 }, 0, issue)));
    expect(calls).toBe(1);
    expect(out.every((o) => o.kind === 'error' && o.message === 'context deadline exceeded')).toBe(true);
  });

  it('end to end: 20 runs of one template started together send the shared query once per wave', async () => {
    const store = new MemoryRunStore();
    const assembly = await assemble({ config: { logLevel: 'silent', queueName: 'coalesce', coalesceStepMs: 60_000 }, store, providers: liveProviders() });
    await assembly.engine.start(32);
    try {
      const run = (i: number): AnalysisRun => ({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AnalysisRun',
        metadata: { name: `canary-${i}`, namespace: 'shop' },
        spec: { metrics: [{ ...promMetric('sum(rate(http_requests_total[5m]))'), count: 1 }] },
      });
      const at = Date.now();
      for (let i = 0; i < 20; i++) {
        const created = await store.create(run(i));
        await assembly.engine.schedule(`shop/${created.metadata.name}`, at);
      }
      const deadline = Date.now() + 10_000;
      while ((await store.list()).some((r) => !isCompleted(r.status?.phase))) {
        if (Date.now() > deadline) throw new Error('runs did not complete');
        await new Promise((r) => setTimeout(r, 20));
      }
      const runs = await store.list();
      expect(runs.every((r) => r.status?.phase === 'Successful')).toBe(true);
      const stats = assembly.measurer.callStats();
      expect(stats.requested).toBe(20);
      // The server's own count is the proof: what assay says it issued is what arrived.
      expect(queries()).toHaveLength(stats.issued);
      expect(stats.issued).toBeLessThanOrEqual(2);
    } finally {
      await assembly.close();
    }
  });
});
