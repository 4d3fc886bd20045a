/**
 * The runs API over real HTTP on loopback: an in-process server with a memory store, templates
 * measuring a local JSON endpoint with the web provider (interval 200ms, count 3).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../../src/runtime/config.js';
import { startServer } from '../../../src/composition/serve.js';
import type { RunningServer } from '../../../src/server/server.js';
import type { TestHttpServer } from '../../support/http-server.js';
import { json, openSse, post, startMetricEndpoint, templatesDir, waitForPhase } from './helpers.js';

let metric: TestHttpServer;
let templates: Awaited<ReturnType<typeof templatesDir>>;
let server: RunningServer;
let base: string;

beforeAll(async () => {
  metric = await startMetricEndpoint(0.97);
  templates = await templatesDir(metric.url);
  server = await startServer({ config: configFromEnv({}), port: 0, templatesDir: templates.dir, heartbeatMs: 100 });
  base = server.url;
});

afterAll(async () => {
  await server?.close();
  await metric?.close();
  await templates?.remove();
});

describe('when a run is created from templates', () => {
  it('streams Running then Successful over SSE, with Argo events, and lists and gets it', async () => {
    // Subscribed before the run exists, so the stream must show every transition in order.
    const all = await openSse(`${base}/api/v1/events?namespace=default`);
    const mine = (e: { event: string; data: Record<string, unknown> }) => e.data.key === 'default/checkout-1';
    try {
      const created = await post(`${base}/api/v1/runs`, { templates: [{ templateName: 'web-ok' }], name: 'checkout-1' });
      expect(created.status).toBe(201);
      expect(created.headers.get('location')).toBe('/api/v1/runs/default/checkout-1');
      const run = await json(created);
      expect(run).toMatchObject({ kind: 'AnalysisRun', metadata: { name: 'checkout-1', namespace: 'default' } });
      expect(run.spec.metrics[0].name).toBe('availability');
      expect(run.spec.args).toEqual([{ name: 'path', value: 'availability' }]);

      const running = await all.waitFor((e) => mine(e) && e.event === 'status' && e.data.phase === 'Running');
      expect(running.data).toMatchObject({ key: 'default/checkout-1', message: '' });
      const done = await all.waitFor((e) => mine(e) && e.event === 'status' && e.data.phase === 'Successful');
      expect((done.data.status as { metricResults: Array<{ count: number }> }).metricResults[0]!.count).toBe(3);
      await all.waitFor((e) => mine(e) && e.event === 'event' && e.data.reason === 'AnalysisRunSuccessful');
      expect(all.events.find((e) => mine(e) && e.data.reason === 'MetricSuccessful')?.data.message).toBe(
        "Metric 'availability' Completed. Result: Successful",
      );
      const phases = all.events.filter((e) => mine(e) && e.event === 'status').map((e) => e.data.phase);
      expect(phases.indexOf('Running')).toBeLessThan(phases.indexOf('Successful'));
      expect(phases.at(-1)).toBe('Successful');
      expect(all.comments).toContain('heartbeat');
    } finally {
      all.close();
    }

    // A stream opened later starts with the current state.
    const one = await openSse(`${base}/api/v1/runs/default/checkout-1/events`);
    try {
      expect(one.status).toBe(200);
      const first = await one.waitFor(() => true);
      expect(first).toMatchObject({ event: 'status', data: { key: 'default/checkout-1', phase: 'Successful' } });
    } finally {
      one.close();
    }

    const list = await json(await fetch(`${base}/api/v1/runs`));
    const item = list.items.find((i: { name: string }) => i.name === 'checkout-1');
    expect(Object.keys(item).sort()).toEqual(['completedAt', 'message', 'name', 'namespace', 'phase', 'startedAt']);
    expect(item).toMatchObject({ namespace: 'default', phase: 'Successful', message: '' });
    expect(typeof item.startedAt).toBe('string');
    expect(typeof item.completedAt).toBe('string');
    expect((await json(await fetch(`${base}/api/v1/runs?phase=Successful&namespace=default`))).items.map((i: { name: string }) => i.name)).toContain('checkout-1');
    expect((await json(await fetch(`${base}/api/v1/runs?namespace=elsewhere`))).items).toEqual([]);

    const got = await json(await fetch(`${base}/api/v1/runs/default/checkout-1`));
    expect(got.status).toMatchObject({ phase: 'Successful', runSummary: { count: 1, successful: 1 } });
    expect(got.status.metricResults[0].measurements).toHaveLength(3);
  });

  it('generates a name, resolves cluster templates and args, and refuses a duplicate name with 409', async () => {
    const res = await post(`${base}/api/v1/runs`, {
      templates: [{ templateName: 'web-cluster', clusterScope: true }],
      args: [{ name: 'path', value: 'latency' }],
      namespace: 'team-a',
    });
    expect(res.status).toBe(201);
    const run = await json(res);
    expect(run.metadata.name).toMatch(/^web-cluster-[a-z0-9]{5}$/);
    expect(run.metadata.namespace).toBe('team-a');
    await waitForPhase(base, `team-a/${run.metadata.name}`, ['Successful']);
    expect(metric.requests.some((r) => r.path === '/latency')).toBe(true);

    const again = await post(`${base}/api/v1/runs`, { templates: [{ templateName: 'web-ok' }], namespace: 'team-a', name: run.metadata.name });
    expect(again.status).toBe(409);
    expect((await json(again)).error.message).toContain('already exists');
  });

  it('creates a run from a full AnalysisRun manifest, dropping any status it carries and warning about unknown fields', async () => {
    const manifest = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: { generateName: 'manual-', namespace: 'default' },
      spec: {
        metrics: [{ name: 'm', count: 1, successCondition: 'result > 0.9', provider: { web: { url: `${metric.url}/x`, jsonPath: '{$.value}' } } }],
        colour: 'red',
      },
      status: { phase: 'Failed' },
    };
    const res = await post(`${base}/api/v1/runs`, { analysisRun: manifest });
    expect(res.status).toBe(201);
    // Unknown fields are accepted, as Argo's CRD prunes them, but reported the way Kubernetes does.
    expect(res.headers.get('warning')).toContain('analysisRun.spec.colour: unknown field');
    const run = await json(res);
    expect(run.metadata.name).toMatch(/^manual-[a-z0-9]{5}$/);
    expect(run.status).toBeUndefined();
    await waitForPhase(base, `default/${run.metadata.name}`, ['Successful']);
  });
});

describe('when a run is terminated', () => {
  it('completes Successful with the message "Run Terminated", and a second terminate is a 409', async () => {
    await post(`${base}/api/v1/runs`, { templates: [{ templateName: 'web-forever' }], name: 'forever' });
    await waitForPhase(base, 'default/forever', ['Running']);
    const res = await fetch(`${base}/api/v1/runs/default/forever/terminate`, { method: 'POST', headers: { 'Content-Type': 'application/json' } });
    expect(res.status).toBe(202);
    expect((await json(res)).spec.terminate).toBe(true);
    const run = await waitForPhase(base, 'default/forever', ['Successful', 'Failed', 'Error', 'Inconclusive']);
    expect(run.status).toMatchObject({ phase: 'Successful', message: 'Run Terminated' });
    const again = await fetch(`${base}/api/v1/runs/default/forever/terminate`, { method: 'POST', headers: { 'Content-Type': 'application/json' } });
    expect(again.status).toBe(409);
  });

  it('deletes a run (204), then 404s for it, and ends its event stream', async () => {
    await post(`${base}/api/v1/runs`, { templates: [{ templateName: 'web-forever' }], name: 'doomed' });
    const sse = await openSse(`${base}/api/v1/runs/default/doomed/events`);
    await sse.waitFor((e) => e.event === 'status');
    expect((await fetch(`${base}/api/v1/runs/default/doomed`, { method: 'DELETE' })).status).toBe(204);
    await sse.waitFor((e) => e.event === 'deleted');
    await sse.ended;
    expect((await fetch(`${base}/api/v1/runs/default/doomed`)).status).toBe(404);
    expect((await fetch(`${base}/api/v1/runs/default/doomed`, { method: 'DELETE' })).status).toBe(404);
    expect((await fetch(`${base}/api/v1/runs/default/doomed/events`)).status).toBe(404);
  });
});

describe('when the input is wrong', () => {
  const cases: Array<[string, unknown, string, string]> = [
    ['an arg value that is a number', { templates: [{ templateName: 'web-ok' }], args: [{ name: 'path', value: 5 }] }, 'args[0].value', 'expected string'],
    ['a template without a name', { templates: [{}] }, 'templates[0].templateName', 'missing required field'],
    ['an empty template list', { templates: [] }, 'templates', 'at least 1'],
    ['an unknown field', { templates: [{ templateName: 'web-ok' }], colour: 'red' }, 'colour', 'unknown field'],
    ['an invalid run name', { templates: [{ templateName: 'web-ok' }], name: 'Bad_Name' }, 'name', 'DNS subdomain'],
    ['neither templates nor analysisRun', { args: [] }, 'templates', 'missing required field'],
    ['a manifest of another kind', { analysisRun: { kind: 'Rollout' } }, 'analysisRun.kind', 'expected "AnalysisRun"'],
    ['a manifest with a bad count', { analysisRun: { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', metadata: { name: 'x' }, spec: { metrics: [{ name: 'm', count: true, provider: { web: { url: 'http://x' } } }] } } }, 'analysisRun.spec.metrics[0].count', 'expected integer or string'],
  ];
  it.each(cases)('answers 400 naming the field for %s', async (_what, body, field, text) => {
    const res = await post(`${base}/api/v1/runs`, body);
    expect(res.status).toBe(400);
    const { error } = await json(res);
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
    expect(error.message).toContain(text);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const res = await fetch(`${base}/api/v1/runs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"templates": [' });
    expect(res.status).toBe(400);
    expect((await json(res)).error.message).toContain('not valid JSON');
  });

  it('answers 413 for a body over 1 MiB, on a connection that still gets the answer', async () => {
    const res = await fetch(`${base}/api/v1/runs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: `{"templates": "${'x'.repeat(1024 * 1024 + 10)}"}` });
    expect(res.status).toBe(413);
    expect((await json(res)).error.message).toContain('larger than');
  });

  it("answers 422 with Argo's message when a template does not exist", async () => {
    const res = await post(`${base}/api/v1/runs`, { templates: [{ templateName: 'x' }] });
    expect(res.status).toBe(422);
    expect((await json(res)).error.message).toBe('analysistemplate.argoproj.io "x" not found');
    const cluster = await post(`${base}/api/v1/runs`, { templates: [{ templateName: 'web-ok', clusterScope: true }] });
    expect((await json(cluster)).error.message).toBe('clusteranalysistemplate.argoproj.io "web-ok" not found');
  });

  it('answers 404 for unknown paths and runs, 405 for a wrong method, 400 for a bad phase filter', async () => {
    expect((await fetch(`${base}/api/v1/nothing`)).status).toBe(404);
    expect((await fetch(`${base}/api/v1/runs/default/missing`)).status).toBe(404);
    const wrong = await fetch(`${base}/api/v1/runs`, { method: 'PUT' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST, GET');
    const phase = await fetch(`${base}/api/v1/runs?phase=Done`);
    expect(phase.status).toBe(400);
    expect((await json(phase)).error.field).toBe('phase');
  });
});
