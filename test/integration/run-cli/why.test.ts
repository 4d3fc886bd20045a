/**
 * `assay run` says why: a run that fails on a known value prints that value and the condition
 * that judged it under the measurement, and the counter and limit in the verdict; Argo's own
 * message stays as Argo words it. A real child process against a loopback metric endpoint.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sendJson, startHttpServer, type TestHttpServer } from '../../support/http-server.js';
import { workspace, type Workspace } from '../backtest/history.js';
import { ensureBuilt, runCli } from './cli.js';

let backend: TestHttpServer;
let ws: Workspace;
let file: string;
const values = [0.99, 0.82, 0.5];

beforeAll(async () => {
  // Each run starts its own sequence: the run's name is not in the request, so count per 3.
  let i = 0;
  backend = await startHttpServer((_req, res) => sendJson(res, 200, { data: { rate: [values[i++ % values.length]] } }));
  ws = await workspace();
  await ensureBuilt();
  file = await ws.file(
    'success-rate.yaml',
    `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: success-rate}
spec:
  metrics:
    - name: success-rate
      interval: 100ms
      count: 3
      failureLimit: 1
      successCondition: result[0] >= 0.95
      provider:
        web:
          url: ${backend.url}/rate
          jsonPath: "{$.data.rate}"
`,
  );
}, 60_000);
afterAll(async () => {
  await backend?.close();
  await ws?.remove();
});

it('prints the measured value and the condition that judged it, and the limit in the verdict', async () => {
  const out = await runCli(['run', '-f', file]);
  expect(out.code, out.stderr).toBe(1);
  const lines = out.stdout.split('\n');
  expect(lines).toContain('  why: success-rate = [0.82]: successCondition result[0] >= 0.95 is false');
  expect(lines).toContain('  why: success-rate = [0.5]: successCondition result[0] >= 0.95 is false');
  // The why of the verdict, then the verdict with Argo's message unchanged, still the last line.
  expect(lines.slice(-3, -1)).toEqual([
    'why: success-rate = [0.5]: successCondition result[0] >= 0.95 is false; failed (2) > failureLimit (1)',
    'Verdict: Failed — Metric "success-rate" assessed Failed due to failed (2) > failureLimit (1)',
  ]);
  // A successful measurement gets no why line.
  expect(lines.filter((l) => l.includes('why:') && l.includes('[0.99]'))).toEqual([]);
}, 60_000);

it('sends the verdict to the webhook of --notifications before it exits', async () => {
  const receiver = await startHttpServer((_req, res) => sendJson(res, 200, {}));
  try {
    const notify = await ws.file(
      'notify.yaml',
      `apiVersion: assay/v1alpha1\nkind: NotificationConfig\ndestinations:\n  - name: ci\n    webhook: {url: ${receiver.url}/hook}\nroutes:\n  - match: {phases: [Failed]}\n    destinations: [ci]\n`,
    );
    const out = await runCli(['run', '-f', file, '--name', 'notified', '--notifications', notify]);
    expect(out.code, out.stderr).toBe(1);
    expect(receiver.requests).toHaveLength(1);
    const body = JSON.parse(receiver.requests[0]!.body);
    expect(body).toMatchObject({ event: 'run.completed', run: { name: 'notified', phase: 'Failed' } });
    expect(body.reasons).toEqual(['success-rate = [0.5]: successCondition result[0] >= 0.95 is false; failed (2) > failureLimit (1)']);
  } finally {
    await receiver.close();
  }
}, 60_000);
