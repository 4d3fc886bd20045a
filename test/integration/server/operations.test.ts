/**
 * What operators rely on: bearer-token auth, /metrics in Argo's names, probes, request and phase
 * logging without secrets, and template reloads that keep the last good set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../../src/runtime/config.js';
import { startServer } from '../../../src/composition/serve.js';
import type { RunningServer } from '../../../src/server/server.js';
import type { TestHttpServer } from '../../support/http-server.js';
import { captureLogger, json, openSse, post, startMetricEndpoint, templatesDir, waitForPhase, waitUntil } from './helpers.js';

const TOKEN = 's3cret-token-value';
const AUTH = { Authorization: `Bearer ${TOKEN}` };

let metric: TestHttpServer;
let templates: Awaited<ReturnType<typeof templatesDir>>;
let server: RunningServer;
let base: string;
const logs = captureLogger('debug');

beforeAll(async () => {
  metric = await startMetricEndpoint(0.99);
  templates = await templatesDir(metric.url);
  server = await startServer({
    config: { ...configFromEnv({}), apiToken: TOKEN },
    port: 0,
    templatesDir: templates.dir,
    logger: logs.logger,
  });
  base = server.url;
});

afterAll(async () => {
  await server?.close();
  await metric?.close();
  await templates?.remove();
});

describe('when ASSAY_API_TOKEN is set', () => {
  it('answers 401 without the token or with a wrong one, and 200 with it', async () => {
    const none = await fetch(`${base}/api/v1/runs`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="assay"');
    expect((await json(none)).error.message).toContain('Authorization: Bearer');
    expect((await fetch(`${base}/api/v1/runs`, { headers: { Authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await fetch(`${base}/api/v1/runs`, { headers: { Authorization: TOKEN } })).status).toBe(401);
    expect((await post(`${base}/api/v1/runs`, { templates: [{ templateName: 'web-ok' }] })).status).toBe(401);
    expect((await fetch(`${base}/api/v1/events`, { headers: { Authorization: 'Basic abc' } })).status).toBe(401);
    expect((await fetch(`${base}/api/v1/runs`, { headers: AUTH })).status).toBe(200);
    expect((await fetch(`${base}/api/v1/runs`, { headers: { Authorization: `bearer ${TOKEN}` } })).status).toBe(200);
  });

  it('leaves /healthz, /readyz and /metrics open', async () => {
    expect(await json(await fetch(`${base}/healthz`))).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await json(ready)).toMatchObject({ status: 'ready', checks: { store: { ok: true }, scheduler: { ok: true } } });
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
  });
});

describe('when Prometheus scrapes /metrics', () => {
  it("exports Argo's analysis metrics from the store and templates, and the engine's histograms", async () => {
    expect((await post(`${base}/api/v1/runs`, { templates: [{ templateName: 'web-ok' }], name: 'scraped' }, AUTH)).status).toBe(201);
    await waitForPhase(base, 'default/scraped', ['Successful'], 5000, AUTH);
    const res = await fetch(`${base}/metrics`);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toContain('analysis_run_info{namespace="default",name="scraped",phase="Successful"} 1');
    expect(text).toContain('analysis_run_phase{namespace="default",name="scraped",phase="Successful"} 1');
    expect(text).toContain('analysis_run_phase{namespace="default",name="scraped",phase="Pending"} 0');
    expect(text).toContain('analysis_run_metric_type{namespace="default",name="scraped",metric="availability",type="Web"} 1');
    expect(text).toContain(
      'analysis_run_metric_phase{namespace="default",name="scraped",metric="availability",type="Web",dry_run="false",phase="Successful"} 1',
    );
    expect(text).toContain('analysis_template_info{namespace="",name="web-ok"} 1');
    expect(text).toContain('analysis_template_metric_info{namespace="",name="web-cluster",type="Web",metric="latency"} 1');
    expect(text).toContain('# TYPE analysis_run_reconcile histogram');
    for (const le of ['0.01', '0.15', '0.25', '0.5', '1', '+Inf']) {
      expect(text).toMatch(new RegExp(`analysis_run_reconcile_bucket\\{namespace="default",name="scraped",le="${le.replace('+', '\\+')}"\\} \\d+`));
    }
    expect(text).toContain('# TYPE analysis_run_reconcile_error counter');
    expect(text).toMatch(/assay_measurement_duration_seconds_count\{provider="Web"\} [3-9]/);
    expect(text).toMatch(/assay_measurement_duration_seconds_bucket\{provider="Web",le="\+Inf"\} \d+/);
    expect(text).toMatch(/assay_scheduling_lateness_seconds_count \d+/);
    expect(text).toContain('# TYPE assay_provider_errors_total counter');
  });

  it('counts provider errors by provider and code', async () => {
    const manifest = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: { name: 'unreachable' },
      spec: { metrics: [{ name: 'm', count: 1, provider: { web: { url: 'http://127.0.0.1:1/nothing', jsonPath: '{$.value}' } } }] },
    };
    expect((await post(`${base}/api/v1/runs`, { analysisRun: manifest }, AUTH)).status).toBe(201);
    await waitForPhase(base, 'default/unreachable', ['Running'], 5000, AUTH);
    await expect
      .poll(async () => (await (await fetch(`${base}/metrics`)).text()).match(/assay_provider_errors_total\{provider="Web",code="Unreachable"\} (\d+)/)?.[1])
      .toBe('1');
    await fetch(`${base}/api/v1/runs/default/unreachable`, { method: 'DELETE', headers: AUTH });
  });
});

describe('when requests and runs are logged', () => {
  it('writes one line per request and per phase change, and never the token', async () => {
    const records = logs.records();
    const request = records.find((r) => r.msg === 'request' && r.path === '/api/v1/runs' && r.method === 'POST' && r.status === 201);
    expect(request).toMatchObject({ level: 'info', method: 'POST', status: 201 });
    expect(typeof request?.ms).toBe('number');
    const changes = records.filter((r) => r.msg === 'run phase changed' && r.run === 'default/scraped').map((r) => r.phase);
    expect(changes).toEqual(['Running', 'Successful']);
    expect(logs.lines.join('\n')).not.toContain(TOKEN);
  });

  it('logs an event stream once the client disconnects, which is when its subscription is dropped', async () => {
    const sse = await openSse(`${base}/api/v1/events`, AUTH);
    await sse.waitFor(() => true);
    const streamLines = () => logs.records().filter((r) => r.msg === 'request' && r.path === '/api/v1/events' && r.status === 200);
    expect(streamLines()).toHaveLength(0);
    sse.close();
    await waitUntil(async () => (streamLines().length === 1 ? true : undefined), 2000, 'the stream to be logged as closed');
  });

  it('redacts secrets that reach a log object anyway', () => {
    logs.logger.info({ headers: { authorization: `Bearer ${TOKEN}` }, config: { password: 'hunter2', token: TOKEN } }, 'oops');
    const last = logs.lines.at(-1)!;
    expect(last).not.toContain(TOKEN);
    expect(last).not.toContain('hunter2');
    expect(last).toContain('[REDACTED]');
  });
});

describe('when templates are reloaded', () => {
  it('lists them, reports a broken file with 422 and keeps the previous set, then picks up the fix', async () => {
    const listed = await json(await fetch(`${base}/api/v1/templates`, { headers: AUTH }));
    expect(listed.items.map((t: { kind: string; name: string }) => `${t.kind}/${t.name}`).sort()).toEqual([
      'AnalysisTemplate/web-forever',
      'AnalysisTemplate/web-ok',
      'ClusterAnalysisTemplate/web-cluster',
    ]);
    expect(listed.items.find((t: { name: string }) => t.name === 'web-ok').metrics).toEqual([{ name: 'availability', type: 'Web' }]);

    await templates.write('broken.yaml', 'apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata:\n  name: broken\nspec:\n  metrics:\n  - name: m\n    count: true\n    provider: {web: {url: x}}\n');
    const failed = await fetch(`${base}/api/v1/templates/reload`, { method: 'POST', headers: AUTH });
    expect(failed.status).toBe(422);
    const body = await json(failed);
    expect(body).toMatchObject({ ok: false, templates: 3 });
    expect(body.errors[0].file).toContain('broken.yaml');
    expect(body.errors[0].message).toContain('spec.metrics[0].count');
    expect((await json(await fetch(`${base}/api/v1/templates`, { headers: AUTH }))).items).toHaveLength(3);
    expect(logs.records().some((r) => r.level === 'error' && String(r.msg).includes('broken.yaml'))).toBe(true);

    await templates.write('broken.yaml', 'apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata:\n  name: fixed\nspec:\n  metrics:\n  - name: m\n    provider: {web: {url: x}}\n');
    const reloaded = await server.reloadTemplates();
    expect(reloaded).toMatchObject({ ok: true, templates: 4, errors: [] });
    expect((await json(await fetch(`${base}/api/v1/templates`, { headers: AUTH }))).items).toHaveLength(4);
  });
});
