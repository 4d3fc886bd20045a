/**
 * Notifications from `assay serve` (in process, memory outbox) to real loopback receivers: one
 * delivery per verdict and destination, a correct HMAC-SHA256 signature and idempotency key,
 * routes by namespace/phase, retries after 500s until the receiver recovers, a readable Slack
 * message, and an undeliverable notification counted on /metrics and logged, never dropped silently.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../../src/runtime/config.js';
import { parseNotifyConfig } from '../../../src/notify/config.js';
import { startServer } from '../../../src/composition/serve.js';
import type { RunningServer } from '../../../src/server/server.js';
import { sendJson, startHttpServer, type RecordedRequest, type TestHttpServer } from '../../support/http-server.js';
import { captureLogger, post, templatesDir, waitForPhase, waitUntil } from '../server/helpers.js';

const SECRET = 'whsec-test-0123456789';
const valueOf: Record<string, number> = { bad: 0.5, good: 0.97 };
let backend: TestHttpServer;
let hooks: TestHttpServer;
let slack: TestHttpServer;
let templates: Awaited<ReturnType<typeof templatesDir>>;
let server: RunningServer;
const logs = captureLogger('info');
/** Answers per receiver path: a queue of statuses, then 200. */
const script: Record<string, number[]> = {};

const config = (hooksUrl: string, slackUrl: string) => `
apiVersion: assay/v1alpha1
kind: NotificationConfig
pageUrl: http://assay.example:8080/
retry: {maxAttempts: 4, initialDelay: 50ms, maxDelay: 200ms}
destinations:
  - name: audit
    webhook:
      url: {fromEnv: ASSAY_NOTIFY_AUDIT_URL}
      secret: {fromEnv: ASSAY_NOTIFY_AUDIT_SECRET}
  - name: flaky
    webhook: {url: ${hooksUrl}/flaky, secret: {fromEnv: ASSAY_NOTIFY_AUDIT_SECRET}}
  - name: broken
    webhook: {url: ${hooksUrl}/broken}
  - name: team
    slack: {webhookUrl: ${slackUrl}/services/T000/B000/XXXX}
  - name: phases
    webhook: {url: ${hooksUrl}/phases}
routes:
  - match: {namespaces: [shop]}
    destinations: [audit, team]
  - match: {namespaces: [retry]}
    destinations: [flaky]
  - match: {namespaces: [gone], phases: [Failed]}
    destinations: [broken]
  - match: {namespaces: [watched]}
    on: [metricPhase]
    destinations: [phases]
`;

beforeAll(async () => {
  backend = await startHttpServer((req, res) => sendJson(res, 200, { value: valueOf[req.path.slice(1)] ?? 0 }));
  const answer = (req: RecordedRequest, res: import('node:http').ServerResponse) => {
    const queue = (script[req.path] ??= []);
    const status = queue.length > 0 ? queue.shift()! : req.path === '/broken' ? 400 : 200;
    sendJson(res, status, status < 300 ? { ok: true } : { error: 'nope' });
  };
  hooks = await startHttpServer(answer);
  slack = await startHttpServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('ok');
  });
  templates = await templatesDir(backend.url);
  const vars = { ASSAY_NOTIFY_AUDIT_URL: `${hooks.url}/audit`, ASSAY_NOTIFY_AUDIT_SECRET: SECRET };
  const notifications = await parseNotifyConfig(config(hooks.url, slack.url), 'notify.yaml', { vars });
  server = await startServer({ config: configFromEnv({ ...vars }), port: 0, templatesDir: templates.dir, notifications, logger: logs.logger });
}, 30_000);
afterAll(async () => {
  await server?.close();
  await Promise.all([backend?.close(), hooks?.close(), slack?.close()]);
  await templates?.remove();
});

const create = (namespace: string, name: string, path: string) =>
  post(`${server.url}/api/v1/runs`, { namespace, name, templates: [{ templateName: 'web-ok' }], args: [{ name: 'path', value: path }] });
const deliveries = (path: string) => hooks.requests.filter((r) => r.path === path);

describe('generic JSON webhooks', () => {
  it('delivers one signed notification per verdict, saying why, only where a route matches', async () => {
    // Not routed anywhere: completes first, and must never reach a receiver.
    expect((await create('default', 'unrouted', 'bad')).status).toBe(201);
    await waitForPhase(server.url, 'default/unrouted', ['Failed']);
    expect((await create('shop', 'checkout', 'bad')).status).toBe(201);
    await waitForPhase(server.url, 'shop/checkout', ['Failed']);
    const [req] = await waitUntil(async () => (deliveries('/audit').length > 0 ? deliveries('/audit') : undefined), 10_000, 'a delivery');
    const expected = `sha256=${createHmac('sha256', SECRET).update(req!.body).digest('hex')}`;
    expect(req!.headers['x-assay-signature']).toBe(expected);
    const body = JSON.parse(req!.body);
    expect(req!.headers['x-assay-idempotency-key']).toBe(body.id);
    expect(req!.headers['x-assay-event']).toBe('run.completed');
    expect(body).toMatchObject({
      schema: 'assay.notification/v1',
      event: 'run.completed',
      run: {
        namespace: 'shop',
        name: 'checkout',
        phase: 'Failed',
        message: 'Metric "availability" assessed Failed due to failed (1) > failureLimit (0)',
        url: 'http://assay.example:8080/ui/runs/shop/checkout',
      },
      reasons: ['availability = 0.5: successCondition result > 0.9 is false; failed (1) > failureLimit (0)'],
      metrics: [{ name: 'availability', phase: 'Failed', lastValue: '0.5', failed: 1, why: 'availability = 0.5: successCondition result > 0.9 is false' }],
    });
    expect(req!.body).not.toContain(SECRET);
    expect(req!.body).not.toContain(hooks.url);
    // The Slack destination of the same route got a readable message.
    const msg = await waitUntil(async () => slack.requests[0], 10_000, 'the Slack message');
    expect(msg.path).toBe('/services/T000/B000/XXXX');
    const slackBody = JSON.parse(msg.body);
    expect(slackBody.text).toBe('Analysis shop/checkout: Failed — availability = 0.5: successCondition result > 0.9 is false; failed (1) > failureLimit (0)');
    const blocks = JSON.stringify(slackBody.blocks);
    expect(blocks).toContain('last value `0.5`');
    expect(blocks).toContain('<http://assay.example:8080/ui/runs/shop/checkout|Open the run page>');
    // One delivery per verdict and destination: the run is frozen, nothing more comes. A second
    // run completing later proves the dispatcher has been through the outbox since.
    expect((await create('shop', 'checkout-2', 'good')).status).toBe(201);
    await waitUntil(async () => (deliveries('/audit').length >= 2 ? true : undefined), 10_000, 'the second run\'s delivery');
    const names = deliveries('/audit').map((r) => JSON.parse(r.body).run.name);
    expect(names).toEqual(['checkout', 'checkout-2']);
    expect(hooks.requests.every((r) => JSON.parse(r.body).run.name !== 'unrouted')).toBe(true);
    expect(slack.requests).toHaveLength(2);
  });

  it('retries after 500s with the same idempotency key until the receiver recovers', async () => {
    script['/flaky'] = [500, 503];
    await create('retry', 'r1', 'good');
    await waitUntil(async () => (deliveries('/flaky').length >= 3 ? true : undefined), 10_000, 'three attempts');
    const attempts = deliveries('/flaky');
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((a) => a.headers['x-assay-idempotency-key'])).size).toBe(1);
    expect(new Set(attempts.map((a) => a.body)).size).toBe(1);
    // Counted once the dispatcher has seen the 200 (just after the receiver sent it).
    const metrics = await waitUntil(async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      return text.includes('assay_notifications_delivered_total{destination="flaky"} 1') ? text : undefined;
    }, 10_000, 'the delivery to be counted');
    expect(metrics).toContain('assay_notifications_failed_attempts_total{destination="flaky"} 2');
  });

  it('counts and logs a notification the receiver refuses, without retrying a 400', async () => {
    await create('gone', 'g1', 'bad');
    const line = await waitUntil(
      async () => logs.records().find((r) => r.msg === 'notification undeliverable; kept in the dead list'),
      10_000,
      'the undeliverable log line',
    );
    expect(line).toMatchObject({ destination: 'broken', error: 'HTTP 400', attempts: 1 });
    expect(JSON.stringify(logs.records())).not.toContain(SECRET);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('assay_notifications_undeliverable_total{destination="broken"} 1');
    expect(deliveries('/broken')).toHaveLength(1);
  });

  it('sends each metric phase change when a route asks for metricPhase (and no verdict it did not ask for)', async () => {
    await create('watched', 'w1', 'good');
    await waitForPhase(server.url, 'watched/w1', ['Successful']);
    const got = await waitUntil(async () => (deliveries('/phases').length >= 2 ? deliveries('/phases') : undefined), 10_000, 'two phase changes');
    // Delivered concurrently when both are due at once: compare in phase order.
    const bodies = got.map((r) => JSON.parse(r.body)).sort((a, b) => (a.metric.phase === 'Running' ? -1 : b.metric.phase === 'Running' ? 1 : 0));
    expect(bodies.map((b) => `${b.event} ${b.metric.name} ${b.metric.previousPhase || '-'} -> ${b.metric.phase}`)).toEqual([
      'metric.phaseChanged availability - -> Running',
      'metric.phaseChanged availability Running -> Successful',
    ]);
    expect(bodies[1].reasons).toEqual(['availability = 0.97: successCondition result > 0.9 is true; count (3) reached; failed (0) <= failureLimit (0)']);
    expect(new Set(got.map((r) => r.headers['x-assay-idempotency-key'])).size).toBe(2);
  });
});
