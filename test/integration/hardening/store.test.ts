/**
 * The file store under what disks and crashes leave behind, through a real `assay serve`
 * process: corrupt, truncated and empty files, stale temporary files, names as long as
 * Kubernetes allows, and a run whose evaluation keeps taking the process down.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce } from '../../support/build.js';
import { hang, sendJson, startHttpServer, type TestHttpServer } from '../../support/http-server.js';
import { postJson, startServe, until, verdict, webRun } from './serve.js';

let backend: TestHttpServer;
let hung: TestHttpServer;
const dirs: string[] = [];

async function storeDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'assay-hardening-store-'));
  dirs.push(d);
  return d;
}

beforeAll(async () => {
  await buildOnce();
  backend = await startHttpServer((_req, res) => sendJson(res, 200, { value: 0.99 }));
  hung = await startHttpServer(hang);
}, 240_000);

afterAll(async () => {
  await backend?.close();
  await hung?.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const GOOD_SPEC = (name: string) => `apiVersion: argoproj.io/v1alpha1
kind: AnalysisRun
metadata:
  name: ${name}
  namespace: default
  uid: 00000000-0000-0000-0000-00000000000${name.length % 10}
spec:
  metrics:
  - name: m
    successCondition: "true"
    provider:
      web:
        url: http://127.0.0.1:1/
`;

describe('the file store behind assay serve', () => {
  it('starts, lists, streams and exports metrics with corrupt, truncated and empty entries; reports each naming run and file; removes stale .tmp files', async () => {
    const dir = await storeDir();
    await writeFile(join(dir, 'default.good.yaml'), GOOD_SPEC('good'));
    await writeFile(join(dir, 'default.good.status.json'), JSON.stringify({ phase: 'Successful', message: 'done' }));
    await writeFile(join(dir, 'default.broken-yaml.yaml'), 'metadata: {name: [unterminated\n');
    await writeFile(join(dir, 'default.truncated.yaml'), GOOD_SPEC('truncated'));
    await writeFile(join(dir, 'default.truncated.status.json'), '{"phase": "Runn');
    await writeFile(join(dir, 'default.empty.yaml'), '');
    await writeFile(join(dir, 'default.empty.status.json'), JSON.stringify({ phase: 'Running' }));
    await writeFile(join(dir, 'default.good.status.json.1a2b3c4d.tmp'), '{"phase":');
    await writeFile(join(dir, 'default.other.yaml.5e6f7a8b.tmp'), '');

    const serve = await startServe({ args: ['--store-dir', dir] });
    try {
      const list = await fetch(`${serve.url}/api/v1/runs`);
      expect(list.status).toBe(200);
      const body = (await list.json()) as { items: Array<{ name: string }> };
      expect(body.items.map((r) => r.name)).toEqual(['good']);
      expect((await fetch(`${serve.url}/metrics`)).status).toBe(200);
      const events = await fetch(`${serve.url}/api/v1/events`);
      expect(events.status).toBe(200);
      await events.body?.cancel();
      const logs = () => serve.stdout();
      await until(async () => (logs().includes('default.truncated.status.json') ? true : undefined), 10_000, 'a log line naming the truncated file');
      for (const [run, file] of [['default/broken-yaml', 'default.broken-yaml.yaml'], ['default/truncated', 'default.truncated.status.json'], ['default/empty', 'default.empty.yaml']]) {
        const line = logs().split('\n').find((l) => l.includes(`"file":"${file}"`));
        expect(line, `a log line for ${file}`).toBeDefined();
        expect(line).toContain(`"run":"${run}"`);
        expect(line).toContain('unreadable');
      }
      expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      // A new run is still created and measured beside the broken ones.
      expect((await postJson(`${serve.url}/api/v1/runs`, { analysisRun: webRun('fresh', { url: `${backend.url}/x`, successCondition: 'result.value > 0.9' }) })).status).toBe(201);
      expect((await verdict(serve.url, 'default/fresh')).status?.phase).toBe('Successful');
    } finally {
      await serve.stop();
    }
  }, 90_000);

  it('stores and measures runs with the longest valid Kubernetes names (253-character name, 63-character namespace)', async () => {
    const dir = await storeDir();
    const serve = await startServe({ args: ['--store-dir', dir] });
    const before = backend.requests.length;
    try {
      const namespace = `n${'s'.repeat(61)}x`;
      const names = [`a${'b'.repeat(193)}c`, `${'label-'.repeat(41)}end.com.x`.slice(0, 253).replace(/[.-]+$/, 'z'), `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`];
      for (const name of names) {
        expect(name.length).toBeGreaterThan(190);
        const res = await postJson(`${serve.url}/api/v1/runs`, { analysisRun: webRun(name, { url: `${backend.url}/x`, successCondition: 'result.value > 0.9' }, { namespace }) });
        expect(res.status, await res.clone().text()).toBe(201);
      }
      for (const name of names) expect((await verdict(serve.url, `${namespace}/${name}`)).status?.phase).toBe('Successful');
      const listed = ((await (await fetch(`${serve.url}/api/v1/runs`)).json()) as { items: Array<{ name: string }> }).items.map((r) => r.name);
      expect(listed.sort()).toEqual([...names].sort());
      // Exactly one measurement each: the provider is not called again and again.
      expect(backend.requests.length - before).toBe(3);
      for (const f of await readdir(dir)) expect(Buffer.byteLength(f)).toBeLessThanOrEqual(255);
    } finally {
      await serve.stop();
    }
  }, 90_000);

  it('quarantines a run whose evaluation was interrupted by three process deaths, instead of evaluating it again', async () => {
    const dir = await storeDir();
    const run = webRun('crashy', { url: `${hung.url}/never`, timeoutSeconds: 100000000000 });
    let serve = await startServe({ args: ['--store-dir', dir] });
    expect((await postJson(`${serve.url}/api/v1/runs`, { analysisRun: run })).status).toBe(201);
    for (let death = 1; death <= 3; death++) {
      await until(async () => (hung.requests.length >= death ? true : undefined), 30_000, `evaluation ${death} to reach the backend`);
      await serve.kill();
      serve = await startServe({ args: ['--store-dir', dir] });
    }
    try {
      const done = await verdict(serve.url, 'default/crashy', 30_000);
      expect(done.status?.phase).toBe('Error');
      expect(done.status?.message).toContain('run quarantined: 3 evaluations of it started and never finished');
      expect(hung.requests.length).toBe(3);
      expect((await fetch(`${serve.url}/healthz`)).status).toBe(200);
      const status = JSON.parse(await readFile(join(dir, 'default.crashy.status.json'), 'utf8')) as { phase: string };
      expect(status.phase).toBe('Error');
    } finally {
      await serve.stop();
    }
  }, 120_000);
});
