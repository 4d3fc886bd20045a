/**
 * The web page of `assay serve` in real headless Chromium (Debian's /usr/bin/chromium driven by
 * playwright-core): sign in with the bearer token, the runs list (filter by text and phase, reach
 * a run with the keyboard), a run page whose plot holds the measured points, the failed points and
 * the threshold line (read from the page's uPlot instance and data attributes, not pixels), and a
 * live update arriving over SSE without a reload. Also takes the screenshot shown in the README
 * (written to docs/run-page.png when ASSAY_UPDATE_SCREENSHOT=1).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/runtime/config.js';
import { startServer } from '../../src/composition/serve.js';
import type { RunningServer } from '../../src/server/server.js';
import { sendJson, startHttpServer, type TestHttpServer } from '../support/http-server.js';
import { post, waitForPhase } from '../integration/server/helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TOKEN = 'ui-test-token';
const auth = { Authorization: `Bearer ${TOKEN}` };
/** Values answered per path, in order (the last one repeats). */
const SEQUENCES: Record<string, number[]> = { 'checkout-canary': [0.97, 0.95, 0.5, 0.4], 'search-canary': [0.99], live: [0.96, 0.93, 0.97, 0.92] };
const taken: Record<string, number> = {};

let backend: TestHttpServer;
let server: RunningServer;
let browser: Browser;
let page: Page;
let dir: string;

const TEMPLATE = `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: success-rate}
spec:
  args: [{name: service}]
  metrics:
    - name: success-rate
      interval: 250ms
      count: 4
      failureLimit: 1
      successCondition: result >= 0.9
      provider:
        web:
          url: BACKEND/{{args.service}}
          jsonPath: "{$.value}"
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: watch}
spec:
  args: [{name: service}]
  metrics:
    - name: success-rate
      interval: 400ms
      successCondition: result >= 0.9
      provider:
        web:
          url: BACKEND/{{args.service}}
          jsonPath: "{$.value}"
`;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (Debian: apt-get install -y --no-install-recommends chromium)`);
  backend = await startHttpServer((req, res) => {
    const path = req.path.slice(1);
    const seq = SEQUENCES[path] ?? [0];
    const i = (taken[path] = (taken[path] ?? -1) + 1);
    sendJson(res, 200, { value: seq[Math.min(i, seq.length - 1)] });
  });
  dir = await mkdtemp(join(tmpdir(), 'assay-ui-'));
  await writeFile(join(dir, 'templates.yaml'), TEMPLATE.replaceAll('BACKEND', backend.url));
  server = await startServer({ config: configFromEnv({ ASSAY_API_TOKEN: TOKEN }), port: 0, templatesDir: dir });
  const create = (name: string, template: string, service: string) =>
    post(`${server.url}/api/v1/runs`, { name, namespace: 'shop', templates: [{ templateName: template }], args: [{ name: 'service', value: service }] }, auth);
  expect((await create('checkout-canary', 'success-rate', 'checkout-canary')).status).toBe(201);
  expect((await create('search-canary', 'success-rate', 'search-canary')).status).toBe(201);
  await waitForPhase(server.url, 'shop/checkout-canary', ['Failed'], 10_000, auth);
  await waitForPhase(server.url, 'shop/search-canary', ['Successful'], 10_000, auth);
  browser = await chromium.launch({ executablePath: CHROMIUM });
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await backend?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the runs list', () => {
  it('asks for the token, lists runs with their phase, filters, and opens a run from the keyboard', async () => {
    await page.goto(`${server.url}/ui`);
    await page.waitForSelector('#login:not([hidden])');
    await page.fill('#token', TOKEN);
    await page.press('#token', 'Enter');
    await page.waitForSelector('#runs tbody tr[data-key="shop/checkout-canary"]');
    expect(await page.isVisible('#login')).toBe(false);
    const rows = () => page.$$eval('#runs tbody tr', (trs) => trs.map((tr) => `${(tr as HTMLElement).dataset.key} ${(tr as HTMLElement).dataset.phase}`));
    expect((await rows()).sort()).toEqual(['shop/checkout-canary Failed', 'shop/search-canary Successful']);

    await page.fill('#filter', 'search');
    expect(await rows()).toEqual(['shop/search-canary Successful']);
    await page.fill('#filter', '');
    await page.selectOption('#phase-filter', 'Failed');
    expect(await rows()).toEqual(['shop/checkout-canary Failed']);
    expect(new URL(page.url()).search).toBe('?phase=Failed');

    // Keyboard only: from the phase filter, Tab reaches the run's link and Enter opens it.
    await page.focus('#phase-filter');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('checkout-canary');
    await Promise.all([page.waitForURL('**/ui/runs/shop/checkout-canary'), page.keyboard.press('Enter')]);
  });
});

describe('a run page', () => {
  // Signed in as the runs list test leaves it, also when this block runs alone.
  beforeAll(async () => {
    await page.goto(`${server.url}/ui`);
    await page.evaluate((t) => sessionStorage.setItem('assay-token', t), TOKEN);
  });

  it('plots the measured points, marks the failed ones, draws the threshold and says why', async () => {
    await page.goto(`${server.url}/ui/runs/shop/checkout-canary`);
    await page.waitForSelector('figure[data-metric="success-rate"] canvas');
    const plot = await page.evaluate(() => {
      const u = (window as unknown as { assayPlots: Record<string, { data: unknown[][]; series: Array<{ label?: string }> }> }).assayPlots['success-rate']!;
      return { data: u.data.slice(1), labels: u.series.slice(1).map((s) => s.label) };
    });
    expect(plot.labels).toEqual(['success-rate', 'Failed', 'Inconclusive', 'Error (at the last value)', 'success: result >= 0.9']);
    expect(plot.data).toEqual([
      [0.97, 0.95, 0.5, 0.4],
      [null, null, 0.5, 0.4],
      [null, null, null, null],
      [null, null, null, null],
      [0.9, 0.9, 0.9, 0.9],
    ]);
    const attrs = await page.$eval('figure[data-metric="success-rate"]', (f) => ({ points: JSON.parse((f as HTMLElement).dataset.points!), thresholds: JSON.parse((f as HTMLElement).dataset.thresholds!) }));
    expect(attrs.points.map((p: { value: number; phase: string }) => `${p.value} ${p.phase}`)).toEqual(['0.97 Successful', '0.95 Successful', '0.5 Failed', '0.4 Failed']);
    expect(attrs.thresholds).toEqual([0.9]);
    expect(await page.textContent('#argo-message')).toBe('Metric "success-rate" assessed Failed due to failed (2) > failureLimit (1)');
    expect(await page.$$eval('#reasons li', (lis) => lis.map((li) => li.textContent))).toEqual([
      'success-rate = 0.4: successCondition result >= 0.9 is false; failed (2) > failureLimit (1)',
    ]);
    const whys = await page.$$eval('.metric tbody tr .why', (els) => els.map((e) => e.textContent));
    expect(whys[0]).toBe('success-rate = 0.4: successCondition result >= 0.9 is false');
    expect(whys).toHaveLength(4);

    const png = await page.screenshot({ fullPage: true });
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    if (process.env.ASSAY_UPDATE_SCREENSHOT === '1') await writeFile(join(__dirname, '../../docs/run-page.png'), png);
  });

  it('adds measurements as they are taken, over SSE, without a reload', async () => {
    expect((await post(`${server.url}/api/v1/runs`, { name: 'live', namespace: 'shop', templates: [{ templateName: 'watch' }], args: [{ name: 'service', value: 'live' }] }, auth)).status).toBe(201);
    await page.goto(`${server.url}/ui/runs/shop/live`);
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    const count = () => page.evaluate(() => (JSON.parse(document.querySelector<HTMLElement>('figure[data-metric="success-rate"]')?.dataset.points ?? '[]') as unknown[]).length);
    const before = await count();
    await page.waitForFunction((n) => (JSON.parse(document.querySelector<HTMLElement>('figure[data-metric="success-rate"]')?.dataset.points ?? '[]') as unknown[]).length >= n + 2, before, { timeout: 15_000 });
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    expect(Number(await page.getAttribute('body', 'data-updates'))).toBeGreaterThan(0);
    // The verdict arrives live too.
    expect((await post(`${server.url}/api/v1/runs/shop/live/terminate`, {}, auth)).status).toBe(202);
    await page.waitForSelector('body[data-phase="Successful"]', { timeout: 15_000 });
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
  });
});

describe('assets', () => {
  it('are served by assay itself, so the page works offline', async () => {
    for (const asset of ['uplot.js', 'uplot.css', 'app.js', 'app.css']) {
      const res = await fetch(`${server.url}/ui/assets/${asset}`);
      expect(res.status, asset).toBe(200);
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    }
    expect((await readFile(join(__dirname, '../../web/index.html'), 'utf8')).match(/(src|href)="https?:/g)).toBeNull();
    expect((await fetch(`${server.url}/ui/assets/..%2Fpackage.json`)).status).toBe(404);
    // The page is public; the data behind it is not.
    expect((await fetch(`${server.url}/api/v1/runs/shop/live/trace`)).status).toBe(401);
  });
});
