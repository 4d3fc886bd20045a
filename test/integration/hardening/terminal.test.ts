/**
 * `assay run` prints values that come from backends: escape sequences (clear screen, window
 * title, cursor moves), NUL and C1 controls in them must reach the terminal as visible text.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce } from '../../support/build.js';
import { sendText, startHttpServer, type TestHttpServer } from '../../support/http-server.js';
import { terminalSafe } from '../../../src/cli/progress.js';
import { runCli } from '../run-cli/cli.js';

const HOSTILE = 'ok\x1b[2J\x1b]0;pwned\x07\x00\r\x9b31m\u202eevil';
let backend: TestHttpServer;
let dir: string;

beforeAll(async () => {
  await buildOnce();
  backend = await startHttpServer((_req, res) => sendText(res, 200, HOSTILE));
  dir = await mkdtemp(join(tmpdir(), 'assay-hardening-term-'));
  await writeFile(
    join(dir, 'template.yaml'),
    `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: term}
spec:
  metrics:
  - name: m
    count: 1
    successCondition: result startsWith "ok"
    provider:
      web:
        url: ${backend.url}/x
`,
  );
}, 240_000);

afterAll(async () => {
  await backend?.close();
  await rm(dir, { recursive: true, force: true });
});

// Only newlines may remain of the C0/C1 controls.
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/;

describe('assay run on a terminal', () => {
  it('escapes control characters from a backend in progress lines and the verdict', async () => {
    const r = await runCli(['run', '-f', join(dir, 'template.yaml')]);
    expect(r.stdout).toContain('Verdict: Successful');
    expect(r.stdout).toContain('ok\\x1b[2J\\x1b]0;pwned\\x07\\x00\\x0d\\x9b31m\\u202eevil');
    expect(CONTROL.test(r.stdout), JSON.stringify(r.stdout)).toBe(false);
    expect(CONTROL.test(r.stderr), JSON.stringify(r.stderr)).toBe(false);
  }, 60_000);

  it('keeps --output json valid JSON with every control character escaped', async () => {
    const r = await runCli(['run', '-f', join(dir, 'template.yaml'), '-o', 'json']);
    expect(CONTROL.test(r.stdout)).toBe(false);
    const run = JSON.parse(r.stdout) as { status: { metricResults: Array<{ measurements: Array<{ value: string }> }> } };
    expect(run.status.metricResults[0]!.measurements[0]!.value).toBe(HOSTILE);
    expect(CONTROL.test(r.stderr)).toBe(false);
  }, 60_000);

  it('terminalSafe leaves printable text alone', () => {
    expect(terminalSafe('0.99 ünïcødé 🔑 [x]')).toBe('0.99 ünïcødé 🔑 [x]');
  });
});
