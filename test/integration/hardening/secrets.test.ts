/**
 * Secrets with quotes, backslashes, spaces, unicode and overlaps, through every channel assay
 * writes to: status (API and store files), logs, events, SSE, `assay run --output json`, progress
 * lines. They reach text raw, Go-quoted (transport errors quote the URL), JSON-escaped (a JSONPath
 * value), and percent-encoded (a backend echoing the query string), and must be absent in all.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce } from '../../support/build.js';
import { sendJson, sendText, startHttpServer, unusedPort, type TestHttpServer } from '../../support/http-server.js';
import { runCli } from '../run-cli/cli.js';
import { postJson, startServe, verdict } from './serve.js';

const SECRETS = {
  quote: 'pa"ss\\word',
  space: 'with space & plus+',
  unicode: 'ünïcødé-🔑-kéy',
  a: '1a2b3c',
  b: '3c4d5e',
};
/** Fragments that only a leak would put in output (parts of the secrets in each encoding). */
const FRAGMENTS = [
  'pa"ss', 'pa\\"ss', 'pa%22ss', 'ss\\word', 'ss\\\\word', 'ss%5Cword', 'ss%5cword',
  'with space', 'with%20space', 'with+space', 'plus+', 'plus%2B',
  'ünïcødé', 'n%C3%AFc', 'n%c3%afc', '\\u00fcn', '🔑',
  '1a2b', '2b3c', '3c4d', '4d5e',
];

let backend: TestHttpServer;
let dir: string;
let dead: number;

function expectNoSecret(text: string, where: string): void {
  for (const s of Object.values(SECRETS)) expect(text.includes(s), `${where} contains the secret ${s}`).toBe(false);
  for (const f of FRAGMENTS) expect(text.includes(f), `${where} contains ${JSON.stringify(f)}`).toBe(false);
}

const secretArgs = Object.keys(SECRETS).map((k) => ({ name: k, valueFrom: { secretKeyRef: { name: 'creds', key: k } } }));

function metrics(): unknown[] {
  const q = 'q={{args.quote}}&s={{args.space}}&u={{args.unicode}}';
  return [
    // A backend echoing the query string as received (percent-encoded) and re-encoded, and the
    // two overlapping secrets as one string.
    { name: 'echo', count: 1, successCondition: 'result contains "never"', provider: { web: { url: `${backend.url}/echo?${q}` } } },
    // A JSON value holding the raw secrets: the displayed value is JSON-escaped.
    { name: 'json', count: 1, successCondition: 'false', provider: { web: { url: `${backend.url}/json?${q}`, jsonPath: '{$.echo}' } } },
    // A refused connection: Go's error message quotes the URL with the secrets in it.
    { name: 'dead', count: 1, consecutiveErrorLimit: 0, provider: { web: { url: `http://127.0.0.1:${dead}/p?${q}&o={{args.a}}x{{args.b}}` } } },
  ];
}

beforeAll(async () => {
  await buildOnce();
  backend = await startHttpServer((req, res) => {
    const overlap = '1a2b3c4d5e';
    if (req.path === '/json') {
      sendJson(res, 200, { echo: `${Object.values(SECRETS).join(' | ')} ${overlap} <${SECRETS.quote}>` });
      return;
    }
    const reencoded = Object.values(SECRETS).map((s) => encodeURIComponent(s)).join(',');
    sendText(res, 200, `you asked for ${req.url} (${reencoded}) ${reencoded.toLowerCase()} ${overlap}`);
  });
  dead = await unusedPort();
  dir = await mkdtemp(join(tmpdir(), 'assay-hardening-secrets-'));
  const stringData = Object.entries(SECRETS).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`).join('\n');
  await writeFile(join(dir, 'secret.yaml'), `apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\nstringData:\n${stringData}\n`);
  await writeFile(
    join(dir, 'template.yaml'),
    JSON.stringify({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisTemplate', metadata: { name: 'leaky' }, spec: { args: secretArgs, metrics: metrics() } }),
  );
}, 240_000);

afterAll(async () => {
  await backend?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('secrets in every output channel', () => {
  it('assay serve: status, store files, SSE, events and logs carry no form of any secret', async () => {
    const store = join(dir, 'store');
    const serve = await startServe({ args: ['--store-dir', store, '--secrets', join(dir, 'secret.yaml')], env: { ASSAY_LOG_LEVEL: 'debug' } });
    try {
      const run = { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', metadata: { name: 'leaky', namespace: 'default' }, spec: { args: secretArgs, metrics: metrics() } };
      const sse = new AbortController();
      const stream = await fetch(`${serve.url}/api/v1/events`, { signal: sse.signal });
      let sseText = '';
      const reading = (async () => {
        const reader = stream.body!.getReader();
        for (;;) {
          const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
          if (done) break;
          sseText += Buffer.from(value!).toString('utf8');
        }
      })();
      expect((await postJson(`${serve.url}/api/v1/runs`, { analysisRun: run })).status).toBe(201);
      const done = await verdict(serve.url, 'default/leaky');
      // The provider did receive the secrets (they are redacted from output, not from requests).
      expect(backend.requests.some((r) => r.query.get('q') === SECRETS.quote)).toBe(true);
      const messages = done.status!.metricResults!.flatMap((r) => r.measurements ?? []).map((m) => `${m.value ?? ''} ${m.message ?? ''}`).join('\n');
      expect(messages).toContain('*****');
      expect(messages).toContain('connection refused');
      const fullRun = await (await fetch(`${serve.url}/api/v1/runs/default/leaky`)).text();
      expectNoSecret(fullRun, 'GET run');
      for (const f of await readdir(store)) expectNoSecret(await readFile(join(store, f), 'utf8'), `store file ${f}`);
      await new Promise((r) => setTimeout(r, 500));
      sse.abort();
      await reading;
      expect(sseText).toContain('leaky');
      expectNoSecret(sseText, 'SSE');
      expectNoSecret(await (await fetch(`${serve.url}/metrics`)).text(), '/metrics');
    } finally {
      await serve.stop();
    }
    expectNoSecret(serve.stdout() + serve.stderr(), 'serve logs');
  }, 90_000);

  it('assay run: --output json and progress lines carry no form of any secret', async () => {
    const json = await runCli(['run', '-f', join(dir, 'template.yaml'), '--secrets', join(dir, 'secret.yaml'), '-o', 'json']);
    const parsed = JSON.parse(json.stdout) as { status: { phase: string } };
    expect(['Failed', 'Error']).toContain(parsed.status.phase);
    expect(json.stdout).toContain('*****');
    expectNoSecret(json.stdout, 'run --output json');
    expectNoSecret(json.stderr, 'run progress (stderr)');
    const text = await runCli(['run', '-f', join(dir, 'template.yaml'), '--secrets', join(dir, 'secret.yaml')]);
    expect(text.stdout).toContain('Verdict:');
    expectNoSecret(text.stdout + text.stderr, 'run text output');
  }, 90_000);
});
