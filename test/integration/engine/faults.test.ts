/**
 * Faults from real parts, through the whole engine (store, in-memory scheduler, real providers):
 * Prometheus down, slow past its timeout, answering 500, answering garbage; a web endpoint that
 * never answers. Each becomes an Error measurement with a clear message, counts against
 * consecutiveErrorLimit, and the engine keeps serving the healthy runs beside them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisRun, Metric } from '../../../src/api/types.js';
import { isCompleted } from '../../../src/api/phase.js';
import { assemble, type Assembly } from '../../../src/composition/engine.js';
import { liveProviders } from '../../../src/composition/provider-registry.js';
import { MemoryRunStore } from '../../../src/store/memory-store.js';
import { hang, sendJson, sendText, startHttpServer, unusedPort, type TestHttpServer } from '../../support/http-server.js';
import { startPrometheus, type PrometheusInstance } from '../../support/prometheus.js';

let prom: PrometheusInstance;
let broken: TestHttpServer; // answers like a sick Prometheus, by path
let healthy: TestHttpServer; // a web metric that is fine
let deadPort: number;
let store: MemoryRunStore;
let assembly: Assembly;

const run = (name: string, metric: Metric): AnalysisRun => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisRun',
  metadata: { name, namespace: 'faults' },
  spec: { metrics: [metric] },
});

const until = async (name: string, timeoutMs = 20_000): Promise<AnalysisRun> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await store.get(`faults/${name}`);
    if (r && isCompleted(r.status?.phase)) return r;
    if (Date.now() > deadline) throw new Error(`run ${name} did not complete: ${JSON.stringify(r?.status)}`);
    await new Promise((res) => setTimeout(res, 50));
  }
};

beforeAll(async () => {
  prom = await startPrometheus();
  deadPort = await unusedPort();
  broken = await startHttpServer((req, res) => {
    if (req.path.startsWith('/slow')) return hang(req, res);
    if (req.path.startsWith('/500')) return sendText(res, 500, 'internal error: tsdb unavailable');
    if (req.path.startsWith('/garbage')) return sendText(res, 200, '{"status":"success","data":{"resultType":', { 'content-type': 'application/json' });
    return sendJson(res, 404, {});
  });
  healthy = await startHttpServer((_req, res) => sendJson(res, 200, { ok: true, rate: 0.99 }));
  store = new MemoryRunStore();
  assembly = await assemble({ config: { logLevel: 'silent', queueName: 'faults' }, store, providers: liveProviders() });
  await assembly.engine.start(8);
}, 60_000);

afterAll(async () => {
  await assembly?.close();
  await Promise.all([prom?.stop(), broken?.close(), healthy?.close()]);
});

const prometheusMetric = (address: string, extra: Partial<Metric> = {}): Metric => ({
  name: 'rate',
  successCondition: 'result[0] >= 0.95',
  consecutiveErrorLimit: 0,
  provider: { prometheus: { address, query: 'vector(0.99)', timeout: 1 } },
  ...extra,
});

describe('provider faults become Error measurements, and the engine keeps serving', () => {
  it('classifies each fault with a clear message while a healthy run completes beside them', async () => {
    const { engine } = assembly;
    await engine.submit(run('healthy', { name: 'web', interval: '300ms', count: 3, successCondition: 'result.rate > 0.9', provider: { web: { url: `${healthy.url}/m` } } }));
    await engine.submit(run('prom-ok', prometheusMetric(prom.url)));
    await engine.submit(run('prom-down', prometheusMetric(`http://127.0.0.1:${deadPort}`)));
    await engine.submit(run('prom-slow', prometheusMetric(`${broken.url}/slow`)));
    await engine.submit(run('prom-500', prometheusMetric(`${broken.url}/500`)));
    await engine.submit(run('prom-garbage', prometheusMetric(`${broken.url}/garbage`)));
    await engine.submit(run('web-hangs', { name: 'web', consecutiveErrorLimit: 0, provider: { web: { url: `${broken.url}/slow`, timeoutSeconds: 1 } } }));

    const healthyRun = await until('healthy');
    expect(healthyRun.status?.phase).toBe('Successful');
    expect(healthyRun.status?.metricResults?.[0]?.count).toBe(3);
    expect((await until('prom-ok')).status?.phase).toBe('Successful');

    const messageOf = async (name: string) => {
      const r = await until(name);
      expect(r.status?.phase, name).toBe('Error');
      const result = r.status!.metricResults![0]!;
      expect(result.error, name).toBe(1);
      expect(result.consecutiveError, name).toBe(1);
      expect(r.status!.message, name).toContain('assessed Error due to consecutiveErrors (1) > consecutiveErrorLimit (0): "Error Message: ');
      return result.measurements![0]!.message!;
    };
    expect(await messageOf('prom-down')).toMatch(/connect: connection refused|ECONNREFUSED/);
    expect(await messageOf('prom-slow')).toContain('context deadline exceeded');
    expect(await messageOf('prom-500')).toMatch(/500/);
    expect(await messageOf('prom-garbage')).toMatch(/unexpected end of JSON input|JSON/i);
    expect(await messageOf('web-hangs')).toMatch(/Client\.Timeout|deadline exceeded|timeout/i);
    // Everything above ran concurrently: the healthy run measured while the hanging one waited
    // for its 1 s timeout (an order of events, not a duration).
    const hung = (await until('web-hangs')).status!.metricResults![0]!.measurements![0]!;
    expect(Date.parse(healthyRun.status!.metricResults![0]!.measurements![0]!.finishedAt!)).toBeLessThan(Date.parse(hung.finishedAt!));
  }, 40_000);

  it('an error streak below consecutiveErrorLimit is retried after 10 s, and a success resets it', async () => {
    let calls = 0;
    broken.handle((req, res) => {
      calls++;
      if (calls === 1) return sendText(res, 503, 'warming up');
      return sendJson(res, 200, { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [Date.now() / 1000, '0.97'] }] } });
    });
    await assembly.engine.submit(run('flaky', prometheusMetric(broken.url, { consecutiveErrorLimit: 1 })));
    const r = await until('flaky', 20_000);
    expect(r.status?.phase).toBe('Successful');
    const result = r.status!.metricResults![0]!;
    expect(result.measurements!.map((m) => m.phase)).toEqual(['Error', 'Successful']);
    expect(result).toMatchObject({ error: 1, successful: 1, count: 1 });
    expect(result).not.toHaveProperty('consecutiveError'); // reset to zero, and zero is omitted (Argo's omitempty)
    const gap = Date.parse(result.measurements![1]!.startedAt!) - Date.parse(result.measurements![0]!.finishedAt!);
    expect(gap).toBeGreaterThanOrEqual(9_900);
  }, 30_000);
});
