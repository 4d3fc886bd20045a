/**
 * `assay serve --secrets FILE` as a child process, with the DD_* env vars set: every
 * (provider, scenario) posted as an AnalysisRun reaches Argo's verdict, and no secret value
 * appears in the server's logs (stdout/stderr at info level), the API's answers, or the event
 * stream (/api/v1/events, Server-Sent Events).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCompleted } from '../../../src/api/phase.js';
import { unusedPort } from '../../support/http-server.js';
import { BIN, ensureBuilt, ROOT, waitFor } from '../run-cli/cli.js';
import { analysisRun, datadogEnv, datadogErroring, leakedSecrets, scenarios, startVendors, writeSecretsFile, type Vendors } from './fixtures.js';

let v: Vendors;
let child: ChildProcess;
let base: string;
let logs = '';
let events = '';
const stopEvents = new AbortController();

beforeAll(async () => {
  await ensureBuilt();
  v = await startVendors();
  const port = await unusedPort();
  base = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--secrets', writeSecretsFile(v)], {
    cwd: ROOT,
    env: { ...datadogEnv(v), NODE_EXTRA_CA_CERTS: v.caFile, ASSAY_LOG_LEVEL: 'debug' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (logs += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
  let up = false;
  const probe = setInterval(() => void fetch(`${base}/healthz`).then((r) => (up = r.ok), () => undefined), 100);
  try {
    await waitFor(() => up || child.exitCode !== null, 30_000, 'assay serve to answer /healthz');
  } finally {
    clearInterval(probe);
  }
  if (child.exitCode !== null) throw new Error(`assay serve exited: ${logs}`);
  // Follow every event of every run while the scenarios play.
  void fetch(`${base}/api/v1/events`, { signal: stopEvents.signal })
    .then(async (res) => {
      const reader = res.body!.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        events += Buffer.from(value).toString('utf8');
      }
    })
    .catch(() => undefined);
}, 180_000);

afterAll(async () => {
  stopEvents.abort();
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  await v?.close();
});

describe('assay serve with datadog, newRelic, wavefront and kayenta', () => {
  it('reaches Argo\'s verdict for every scenario and leaks no secret through logs, API or events', async () => {
    const all = [...scenarios(v), datadogErroring()];
    const answers: string[] = [];
    for (const s of all) {
      const res = await fetch(`${base}/api/v1/runs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ analysisRun: analysisRun(s) }) });
      answers.push(await res.text());
      expect(res.status, answers.at(-1)).toBe(201);
    }
    const phases = new Map<string, string>();
    const deadline = Date.now() + 120_000;
    while (phases.size < all.length && Date.now() < deadline) {
      for (const s of all) {
        if (phases.has(s.name)) continue;
        const text = await (await fetch(`${base}/api/v1/runs/default/${s.name}`)).text();
        const phase = (JSON.parse(text) as { status?: { phase?: string } }).status?.phase;
        if (isCompleted(phase)) {
          phases.set(s.name, phase!);
          answers.push(text);
        }
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(Object.fromEntries(phases)).toEqual(Object.fromEntries(all.map((s) => [s.name, s.expect])));
    answers.push(await (await fetch(`${base}/api/v1/runs`)).text());
    answers.push(await (await fetch(`${base}/metrics`)).text());
    await new Promise((r) => setTimeout(r, 300)); // the last events reach the stream
    expect(events).toContain('dd-v2-grouped');
    expect(leakedSecrets(logs), 'logs').toEqual([]);
    expect(leakedSecrets(answers.join('\n')), 'API answers').toEqual([]);
    expect(leakedSecrets(events), 'event stream').toEqual([]);
  }, 300_000);
});
