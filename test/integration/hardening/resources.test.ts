/**
 * What a backend or a template can send an `assay serve` with a 512 MB heap: response bodies near
 * the 32 MiB cap, a condition that amplifies strings, backends that never answer. The server
 * stays up, stored values are capped (and say so), and every run gets the right verdict.
 */
import { readdir, stat } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce } from '../../support/build.js';
import { hang, sendJson, sendText, startHttpServer, type TestHttpServer } from '../../support/http-server.js';
import { getRun, postJson, startServe, until, verdict, webRun, type ServeProcess } from './serve.js';

const MiB = 1024 * 1024;
let backend: TestHttpServer;
let hung: TestHttpServer;
let serve: ServeProcess;
let dir: string;

beforeAll(async () => {
  await buildOnce();
  const pad = 'x'.repeat(30 * MiB);
  const jsonBody = Buffer.from(JSON.stringify({ value: 1, pad }));
  const textBody = Buffer.from(`not json ${pad}`);
  backend = await startHttpServer((req, res) => {
    if (req.path === '/json') sendJson(res, 200, jsonBody.toString());
    else if (req.path === '/text') sendText(res, 200, textBody.toString());
    else sendJson(res, 200, { value: 0.99 });
  });
  hung = await startHttpServer(hang);
  dir = await mkdtemp(join(tmpdir(), 'assay-hardening-res-'));
  serve = await startServe({ args: ['--store-dir', dir], env: { ASSAY_MAX_MEASUREMENT_SECONDS: '20' } });
}, 240_000);

afterAll(async () => {
  await serve?.stop();
  await backend?.close();
  await hung?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('assay serve under hostile input (512 MB heap)', () => {
  it('three runs with 30 MiB bodies succeed, store capped values marked as truncated, and keep status files small', async () => {
    const runs = [
      webRun('huge-json-1', { url: `${backend.url}/json`, jsonPath: '{$.pad}', successCondition: 'len(result) > 1000', count: 2 }),
      webRun('huge-json-2', { url: `${backend.url}/json`, jsonPath: '{$}', successCondition: 'result.value == 1', count: 2 }),
      webRun('huge-text-3', { url: `${backend.url}/text`, successCondition: 'result startsWith "not json"', count: 2 }),
    ];
    for (const r of runs) expect((await postJson(`${serve.url}/api/v1/runs`, { analysisRun: r })).status).toBe(201);
    for (const name of ['huge-json-1', 'huge-json-2', 'huge-text-3']) {
      const run = await verdict(serve.url, `default/${name}`, 120_000);
      expect(run.status?.phase, JSON.stringify(run.status).slice(0, 500)).toBe('Successful');
      const measured = run.status!.metricResults![0]!.measurements!.filter((m) => m.phase === 'Successful');
      expect(measured.length).toBeGreaterThan(0);
      const value = measured[0]!.value!;
      expect(value).toMatch(/…\[truncated \d+ bytes\]$/);
      expect(Buffer.byteLength(value)).toBeLessThan(5 * 1024);
    }
    for (const f of await readdir(dir)) {
      expect((await stat(join(dir, f))).size, f).toBeLessThan(64 * 1024);
    }
    expect((await fetch(`${serve.url}/healthz`)).status).toBe(200);
  }, 180_000);

  it('a condition that amplifies strings is an Error measurement naming the budget, and the server lives', async () => {
    const bomb = 'replace(replace(repeat("abcdefgh", 1000000), "a", repeat("b", 1000)), "b", repeat("c", 1000)) == ""';
    const run = webRun('bomb', { url: `${backend.url}/ok`, successCondition: bomb, consecutiveErrorLimit: 0 });
    expect((await postJson(`${serve.url}/api/v1/runs`, { analysisRun: run })).status).toBe(201);
    const done = await verdict(serve.url, 'default/bomb');
    expect(done.status?.phase).toBe('Error');
    expect(done.status!.metricResults![0]!.measurements![0]!.message).toContain('memory budget exceeded');
    expect((await fetch(`${serve.url}/healthz`)).status).toBe(200);
  }, 60_000);

  it('hung backends with timeoutSeconds 100000000000 do not starve other runs; the engine ceiling ends them', async () => {
    // More hung runs than the old 16 tick slots: before the per-address bound they took every slot.
    const hungNames = Array.from({ length: 40 }, (_, i) => `hung-${i}`);
    for (const name of hungNames) {
      const r = webRun(name, { url: `${hung.url}/never`, timeoutSeconds: 100000000000, consecutiveErrorLimit: 0 });
      expect((await postJson(`${serve.url}/api/v1/runs`, { analysisRun: r })).status).toBe(201);
    }
    await until(async () => (hung.requests.length >= 32 ? true : undefined), 60_000, 'the hung backend to hold 32 requests (its per-address bound)');
    expect((await postJson(`${serve.url}/api/v1/runs`, { analysisRun: webRun('healthy', { url: `${backend.url}/ok`, successCondition: 'result.value > 0.9' }) })).status).toBe(201);
    const healthy = await verdict(serve.url, 'default/healthy');
    expect(healthy.status?.phase).toBe('Successful');
    // The healthy run got its verdict while the hung ones still held their calls (not after the ceiling freed them).
    const stillHung = await Promise.all(hungNames.map((n) => getRun(serve.url, `default/${n}`)));
    const completed = ['Successful', 'Failed', 'Error', 'Inconclusive'];
    expect(stillHung.filter((r) => r !== undefined && !completed.includes(r.status?.phase ?? '')).length).toBeGreaterThan(0);
    for (const name of hungNames) {
      const run = await verdict(serve.url, `default/${name}`, 120_000);
      expect(run.status?.phase).toBe('Error');
      expect(run.status!.metricResults![0]!.measurements![0]!.message).toContain("exceeded the engine's ceiling of 20s");
    }
    expect(await getRun(serve.url, 'default/healthy')).toBeDefined();
  }, 240_000);
});
