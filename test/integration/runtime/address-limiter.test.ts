/**
 * Bounded concurrency per provider address (src/runtime/address-limiter.ts), proven by what real
 * local HTTP servers see: never more requests in flight per server than the bound, each server
 * with its own bound, FIFO hand-over, and shutdown releasing the queue at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Metric } from '../../../src/api/types.js';
import type { MeasureRequest } from '../../../src/reconcile/ports.js';
import { AddressLimiter } from '../../../src/runtime/address-limiter.js';
import { liveProviders } from '../../../src/composition/provider-registry.js';
import { addressOf, ProviderMeasurer } from '../../../src/runtime/provider-measurer.js';
import { sendJson, startHttpServer, type TestHttpServer } from '../../support/http-server.js';

const servers: TestHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A Prometheus stand-in that answers after `delayMs` and records its peak concurrency. */
async function slowPrometheus(delayMs: number): Promise<TestHttpServer & { peak: () => number }> {
  let inFlight = 0;
  let peak = 0;
  const s = await startHttpServer(async (_req, res) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((r) => setTimeout(r, delayMs));
    inFlight--;
    sendJson(res, 200, { status: 'success', data: { resultType: 'scalar', result: [0, '1'] } });
  });
  servers.push(s);
  return Object.assign(s, { peak: () => peak });
}

const req = (address: string, query: string): MeasureRequest => ({
  metric: { name: 'm', provider: { prometheus: { address, query } } } as Metric,
  mode: 'measure',
  index: 1,
  run: { namespace: 'ns', name: query, uid: query },
  now: Date.now(),
});

describe('bounded concurrency per provider address', () => {
  it('keeps at most N requests in flight to one server; each server has its own bound', async () => {
    const a = await slowPrometheus(100);
    const b = await slowPrometheus(100);
    const m = new ProviderMeasurer({ providers: liveProviders(), env: {}, maxConcurrentPerAddress: 4 });
    // Distinct queries, so coalescing does not reduce the load.
    const calls = [];
    for (let i = 0; i < 20; i++) {
      calls.push(m.measure(req(a.url, `qa${i}`)));
      calls.push(m.measure(req(`${b.url}/`, `qb${i}`)));
    }
    const started = Date.now();
    const out = await Promise.all(calls);
    expect(out.every((r) => r.kind === 'observed' && r.observation.kind === 'value')).toBe(true);
    expect(a.requests).toHaveLength(20);
    expect(b.requests).toHaveLength(20);
    expect(a.peak()).toBe(4);
    expect(b.peak()).toBe(4);
    // 20 requests, 4 at a time, 100 ms each: about 5 rounds, in parallel on both servers.
    expect(Date.now() - started).toBeGreaterThanOrEqual(480);
    expect(m.addressLimiter.stats()).toEqual([]);
  });

  it('hands slots over in FIFO order', async () => {
    const l = new AddressLimiter(1);
    const order: number[] = [];
    let release!: () => void;
    const first = l.run('x', () => new Promise<void>((r) => (release = r)));
    const rest = [1, 2, 3].map((i) => l.run('x', async () => void order.push(i)));
    expect(l.stats()).toEqual([{ address: 'x', active: 1, queued: 3 }]);
    release();
    await Promise.all([first, ...rest]);
    expect(order).toEqual([1, 2, 3]);
    expect(l.maxActive()).toBe(1);
  });

  it('lets queued calls through at once when the engine shuts down (they return Aborted, not hang)', async () => {
    const s = await slowPrometheus(2000);
    const shutdown = new AbortController();
    const m = new ProviderMeasurer({ providers: liveProviders(), env: {}, maxConcurrentPerAddress: 2, shutdown: shutdown.signal });
    const calls = Array.from({ length: 6 }, (_, i) => m.measure(req(s.url, `q${i}`)));
    await new Promise((r) => setTimeout(r, 100));
    shutdown.abort();
    // The backend answers only after 2 s, with a value: Aborted on every call means the abort
    // released them, queued ones included.
    const out = await Promise.all(calls);
    expect(out.every((r) => r.kind === 'observed' && r.observation.kind === 'error' && r.observation.code === 'Aborted')).toBe(true);
    expect(s.requests.length).toBeLessThanOrEqual(2);
  });

  it('derives the address from the origin of address/url, else the provider key', () => {
    expect(addressOf('prometheus', { address: 'http://prom:9090/some/prefix' })).toBe('http://prom:9090');
    expect(addressOf('web', { url: 'https://api.example.com:8443/health?x=1' })).toBe('https://api.example.com:8443');
    expect(addressOf('job', { spec: {} })).toBe('job');
  });

  it('0 means unbounded', async () => {
    const s = await slowPrometheus(100);
    const m = new ProviderMeasurer({ providers: liveProviders(), env: {}, maxConcurrentPerAddress: 0 });
    await Promise.all(Array.from({ length: 30 }, (_, i) => m.measure(req(s.url, `q${i}`))));
    expect(s.peak()).toBe(30);
  });
});
