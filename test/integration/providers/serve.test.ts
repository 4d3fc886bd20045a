/**
 * `assay serve` (the real binary, a child process) with the providers of issue 8: runs created
 * through the API on healthy, failing, empty and erroring backends reach Argo's verdicts, with
 * the credentials a user would give the service (AWS_* environment, `--secrets FILE`); no
 * credential shows up in its logs, the API's answers, the event stream or /metrics.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisRun } from '../../../src/api/types.js';
import { isCompleted } from '../../../src/api/phase.js';
import { unusedPort } from '../../support/http-server.js';
import { BIN, ensureBuilt, ROOT } from '../run-cli/cli.js';
import { awsEnv, cases, influxSecret, startBackends, type Backends } from './backends.js';

let b: Backends;
let dir: string;
let child: ChildProcess;
let base: string;
let logs = '';

beforeAll(async () => {
  const [backends, d] = await Promise.all([startBackends(), mkdtemp(join(tmpdir(), 'assay-providers-serve-')), ensureBuilt()]);
  b = backends;
  dir = d;
  await writeFile(join(dir, 'secret.yaml'), JSON.stringify(influxSecret(b)));
  const port = await unusedPort();
  base = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--secrets', join(dir, 'secret.yaml')], {
    cwd: ROOT,
    env: { ...awsEnv(b), ASSAY_LOG_LEVEL: 'debug' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => (logs += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (logs += c.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`assay serve exited ${child.exitCode}: ${logs}`);
    if ((await fetch(`${base}/healthz`).catch(() => undefined))?.ok) break;
    if (Date.now() > deadline) throw new Error(`assay serve did not start: ${logs}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 180_000);
afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  await b?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function getRun(name: string): Promise<{ run: AnalysisRun; text: string }> {
  const res = await fetch(`${base}/api/v1/runs/default/${name}`);
  const text = await res.text();
  return { run: JSON.parse(text) as AnalysisRun, text };
}

/** What an SSE stream sends in its first second (the current state comes first). */
async function readEvents(url: string): Promise<string> {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal });
  const reader = res.body!.getReader();
  let text = '';
  const stop = setTimeout(() => controller.abort(), 1000);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString();
    }
  } catch {
    // aborted after a second: the stream stays open by design
  } finally {
    clearTimeout(stop);
  }
  return text;
}

describe('assay serve with the cloudWatch, graphite, influxdb and skywalking providers', () => {
  it('reaches the verdict Argo would for every provider and backend state, without leaking credentials', async () => {
    const all = cases(b);
    const seen: string[] = [];
    for (const c of all) {
      const analysisRun = { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', metadata: { name: c.name, namespace: 'default' }, spec: { metrics: [c.metric] } };
      const res = await fetch(`${base}/api/v1/runs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ analysisRun }) });
      expect(res.status, await res.clone().text()).toBe(201);
    }
    const deadline = Date.now() + 90_000;
    for (const c of all) {
      let got = await getRun(c.name);
      while (!isCompleted(got.run.status?.phase)) {
        if (Date.now() > deadline) throw new Error(`${c.name} did not complete: ${got.text}`);
        await new Promise((r) => setTimeout(r, 200));
        got = await getRun(c.name);
      }
      expect(got.run.status?.phase, c.name).toBe(c.phase);
      if (c.message) expect(got.run.status?.metricResults?.[0]?.measurements?.at(-1)?.message, c.name).toMatch(c.message);
      seen.push(got.text);
    }
    const events = await readEvents(`${base}/api/v1/runs/default/${all.find((c) => c.provider === 'influxdb')!.name}/events`);
    expect(events).toContain('event:');
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('analysis_run_info');
    const everything = [...seen, events, metrics, logs, await (await fetch(`${base}/api/v1/runs`)).text()].join('\n');
    for (const s of b.secrets) expect(everything, 'a credential leaked').not.toContain(s);
  }, 150_000);
});
