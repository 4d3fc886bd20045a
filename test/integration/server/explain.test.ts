/**
 * `assay serve` explains and exports what it measured: the decision trace API of a failed run,
 * and the measured values and counters of running runs on /metrics (gone once the run completes).
 * Real HTTP on loopback against a local JSON endpoint measured with the web provider.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../../src/runtime/config.js';
import { startServer } from '../../../src/composition/serve.js';
import type { RunningServer } from '../../../src/server/server.js';
import { sendJson, startHttpServer, type TestHttpServer } from '../../support/http-server.js';
import { json, post, templatesDir, waitForPhase, waitUntil } from './helpers.js';

let metric: TestHttpServer;
const valueOf: Record<string, number> = { bad: 0.5, good: 0.97 };
let templates: Awaited<ReturnType<typeof templatesDir>>;
let server: RunningServer;
let base: string;

beforeAll(async () => {
  metric = await startHttpServer((req, res) => sendJson(res, 200, { value: valueOf[req.path.slice(1)] ?? 0 }));
  templates = await templatesDir(metric.url);
  server = await startServer({ config: configFromEnv({}), port: 0, templatesDir: templates.dir });
  base = server.url;
});
afterAll(async () => {
  await server?.close();
  await metric?.close();
  await templates?.remove();
});

describe('the decision trace API', () => {
  it('says which value, condition, counter and limit failed the run; Argo\'s message is unchanged', async () => {
    const created = await post(`${base}/api/v1/runs`, { templates: [{ templateName: 'web-ok' }], args: [{ name: 'path', value: 'bad' }], name: 'why-1' });
    expect(created.status).toBe(201);
    const run = await waitForPhase(base, 'default/why-1', ['Failed']);
    expect(run.status.message).toBe('Metric "availability" assessed Failed due to failed (1) > failureLimit (0)');
    const res = await fetch(`${base}/api/v1/runs/default/why-1/trace`);
    expect(res.status).toBe(200);
    const trace = await json(res);
    expect(trace.message).toBe(run.status.message);
    expect(trace.reasons).toEqual(['availability = 0.5: successCondition result > 0.9 is false; failed (1) > failureLimit (0)']);
    expect(trace.decisions).toEqual([
      { metric: 'availability', phase: 'Failed', reason: 'failed (1) > failureLimit (0)', counter: 'failed', count: 1, limitName: 'failureLimit', limit: 0 },
    ]);
    const [m] = trace.metrics.availability;
    expect(m).toMatchObject({
      phase: 'Failed',
      value: '0.5',
      raw: '0.5',
      numeric: 0.5,
      judgedBy: 'conditions',
      conditions: [{ kind: 'successCondition', expression: 'result > 0.9', outcome: 'false' }],
      why: 'availability = 0.5: successCondition result > 0.9 is false',
    });
    expect((await fetch(`${base}/api/v1/runs/default/nope/trace`)).status).toBe(404);
  });
});

describe('measured values on /metrics', () => {
  const scrape = async () => (await fetch(`${base}/metrics`)).text();
  const labels = 'namespace="default",run="watch-1",metric="availability",provider="Web"';

  it('exports the last value and the counters of a running run, and drops them when it completes', async () => {
    await post(`${base}/api/v1/runs`, { templates: [{ templateName: 'web-forever' }], args: [{ name: 'path', value: 'good' }], name: 'watch-1' });
    const text = await waitUntil(async () => {
      const t = await scrape();
      return /assay_analysis_metric_measurements\{[^}]*counter="count"\} [2-9]/.test(t) ? t : undefined;
    }, 10_000, 'two measurements on /metrics');
    expect(text).toContain(`assay_analysis_metric_value{${labels}} 0.97`);
    expect(text).toContain(`assay_analysis_metric_measurements{${labels},counter="failed"} 0`);
    expect(text).toMatch(new RegExp(`assay_analysis_metric_measurements\\{${labels.replace(/[{}]/g, '\\$&')},counter="successful"\\} [2-9]`));
    expect((await post(`${base}/api/v1/runs/default/watch-1/terminate`, {})).status).toBe(202);
    await waitForPhase(base, 'default/watch-1', ['Successful']);
    const after = await scrape();
    expect(after).not.toContain('run="watch-1"');
    expect(after).toContain('analysis_run_info{namespace="default",name="watch-1",phase="Successful"} 1');
  });
});
