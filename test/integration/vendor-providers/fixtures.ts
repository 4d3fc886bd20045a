/**
 * The end-to-end scenarios shared by the `assay run`, `assay serve` and controller suites: the
 * vendor stand-ins (test/support/vendors) with data for healthy, failing and empty answers plus
 * one stand-in per vendor that fails every request, the credentials a user would set (DD_* env
 * vars, Secrets by Argo's names), and one AnalysisRun per (provider, scenario) with the verdict
 * and exit status Argo would reach.
 *
 * Every metric has `count: 1` and `consecutiveErrorLimit: 0`, so one measurement decides.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { AnalysisRun } from '../../../src/api/types.js';
import { selfSignedCert } from '../../support/http-server.js';
import { startFakeDatadog, type FakeDatadog } from '../../support/vendors/datadog.js';
import { startFakeKayenta, type FakeKayenta } from '../../support/vendors/kayenta.js';
import { startFakeNerdGraph, type FakeNerdGraph } from '../../support/vendors/newrelic.js';
import { startFakeWavefront, type FakeWavefront } from '../../support/vendors/wavefront.js';

export const SECRETS = {
  ddApiKey: 'ddapi-7c1e0b5a9f3d4e21',
  ddAppKey: 'ddapp-2b8f6d0c4a1e9357',
  nrKey: 'NRAK-5F2C8A1D9E7B3046',
  wfToken: 'wftok-9a3e7c1f5b2d8046',
};
export const NR_ACCOUNT = 3141592;
export const EXIT = { Successful: 0, Failed: 1, Error: 2, Inconclusive: 3 } as const;
export type Verdict = keyof typeof EXIT;

export interface Scenario {
  name: string;
  provider: 'datadog' | 'newRelic' | 'wavefront' | 'kayenta';
  metric: Record<string, unknown>;
  expect: Verdict;
  /** A phrase the Error message contains. */
  message?: string;
}

export interface Vendors {
  datadog: FakeDatadog;
  datadogDown: FakeDatadog;
  newRelic: FakeNerdGraph;
  newRelicDown: FakeNerdGraph;
  wavefront: FakeWavefront;
  wavefrontDown: FakeWavefront;
  kayenta: FakeKayenta;
  /** Judges every canary with a score of 50 (below marginal 75). */
  kayentaLow: FakeKayenta;
  kayentaDown: FakeKayenta;
  /** PEM file of the wavefront stand-ins' certificate (NODE_EXTRA_CA_CERTS for child processes). */
  caFile: string;
  dir: string;
  close(): Promise<void>;
}

export async function startVendors(): Promise<Vendors> {
  const dir = mkdtempSync(join(tmpdir(), 'assay-vendors-'));
  const tls = selfSignedCert();
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, tls.cert);
  const dd = { apiKey: SECRETS.ddApiKey, appKey: SECRETS.ddAppKey };
  const v: Vendors = {
    datadog: await startFakeDatadog(dd),
    datadogDown: await startFakeDatadog(dd),
    newRelic: await startFakeNerdGraph({ apiKey: SECRETS.nrKey, accountId: NR_ACCOUNT }),
    newRelicDown: await startFakeNerdGraph({ apiKey: SECRETS.nrKey, accountId: NR_ACCOUNT }),
    wavefront: await startFakeWavefront({ token: SECRETS.wfToken, tls }),
    wavefrontDown: await startFakeWavefront({ token: SECRETS.wfToken, tls }),
    kayenta: await startFakeKayenta(),
    kayentaLow: await startFakeKayenta(),
    kayentaDown: await startFakeKayenta(),
    caFile,
    dir,
    close: async () => {
      for (const s of [v.datadog, v.datadogDown, v.newRelic, v.newRelicDown, v.wavefront, v.wavefrontDown, v.kayenta, v.kayentaLow, v.kayentaDown]) await s.close();
    },
  };
  v.datadogDown.fail(500, { errors: ['Internal Server Error'] });
  v.newRelicDown.fail(503, { errors: [{ message: 'Service Unavailable' }] });
  v.wavefrontDown.fail(500, { status: { result: 'ERROR', message: 'Internal Server Error', code: 500 } });
  v.kayentaDown.fail(500, { error: 'Internal Server Error' });
  seed(v);
  return v;
}

/** Data valid for the next minutes: points stamped every 10 s around the present. */
function seed(v: Vendors): void {
  const now = Date.now();
  const stamps = Array.from({ length: 60 }, (_, i) => now - 120_000 + i * 10_000);
  v.datadog.store('avg:errors{svc:ok}', [{ points: stamps.map((t) => [t, 0.01]) }]);
  v.datadog.store('avg:errors{svc:bad}', [{ points: stamps.map((t) => [t, 0.4]) }]);
  v.datadog.store('avg:latency{*} by {svc}', [
    { tags: { svc: 'cart' }, points: stamps.map((t) => [t, 0.2]) },
    { tags: { svc: 'pay' }, points: stamps.map((t) => [t, 0.3]) },
  ]);
  v.newRelic.answer("SELECT percentage(count(*), WHERE error IS false) AS successRate FROM Transaction WHERE appName = 'ok'", [{ successRate: 99.9 }]);
  v.newRelic.answer("SELECT percentage(count(*), WHERE error IS false) AS successRate FROM Transaction WHERE appName = 'bad'", [{ successRate: 71.5 }]);
  const seconds = stamps.map((t) => Math.floor(t / 1000));
  v.wavefront.store('ts(errors, svc=ok)', [{ label: 'errors', data: seconds.map((t) => [t, 0.5]) }]);
  v.wavefront.store('ts(errors, svc=bad)', [{ label: 'errors', data: seconds.map((t) => [t, 12]) }]);
  v.kayenta.addConfig('checkout', 'canary-config');
  v.kayentaDown.addConfig('checkout', 'canary-config');
  v.kayentaLow.addConfig('checkout', 'canary-config');
  v.kayentaLow.judge(50);
}

const kayentaBlock = (address: string, application = 'checkout') => ({
  address,
  application,
  canaryConfigName: 'canary-config',
  metricsAccountName: 'prom',
  configurationAccountName: 'cfg',
  storageAccountName: 'store',
  threshold: { pass: 90, marginal: 75 },
  scopes: [{ name: 'default', controlScope: { scope: 'app=stable', region: 'us', step: 60 }, experimentScope: { scope: 'app=canary', region: 'us', step: 60 } }],
});

export function scenarios(v: Vendors): Scenario[] {
  const nrql = (app: string) => `SELECT percentage(count(*), WHERE error IS false) AS successRate FROM Transaction WHERE appName = '${app}'`;
  const dd = (extra: Record<string, unknown>) => ({ interval: '5m', ...extra });
  return [
    { name: 'dd-v1-healthy', provider: 'datadog', metric: { successCondition: 'result < 0.05', provider: { datadog: dd({ query: 'avg:errors{svc:ok}' }) } }, expect: 'Successful' },
    { name: 'dd-v2-failing', provider: 'datadog', metric: { successCondition: 'result < 0.05', provider: { datadog: dd({ apiVersion: 'v2', query: 'avg:errors{svc:bad}' }) } }, expect: 'Failed' },
    { name: 'dd-v2-grouped', provider: 'datadog', metric: { successCondition: 'all(result, # < 0.5)', provider: { datadog: dd({ apiVersion: 'v2', query: 'avg:latency{*} by {svc}' }) } }, expect: 'Successful' },
    { name: 'dd-v2-empty', provider: 'datadog', metric: { successCondition: 'result < 0.05', provider: { datadog: dd({ apiVersion: 'v2', query: 'avg:errors{svc:none}' }) } }, expect: 'Error', message: 'metric result is nil or empty' },
    { name: 'nr-healthy', provider: 'newRelic', metric: { successCondition: 'result.successRate >= 99', provider: { newRelic: { query: nrql('ok') } } }, expect: 'Successful' },
    { name: 'nr-failing', provider: 'newRelic', metric: { successCondition: 'result.successRate >= 99', provider: { newRelic: { query: nrql('bad') } } }, expect: 'Failed' },
    { name: 'nr-empty', provider: 'newRelic', metric: { successCondition: 'result.successRate >= 99', provider: { newRelic: { query: nrql('none') } } }, expect: 'Error', message: 'no results returned from NRQL query' },
    { name: 'nr-erroring', provider: 'newRelic', metric: { successCondition: 'result.successRate >= 99', provider: { newRelic: { profile: 'newrelic-down', query: nrql('ok') } } }, expect: 'Error', message: '503' },
    { name: 'wf-healthy', provider: 'wavefront', metric: { successCondition: 'result < 1', provider: { wavefront: { address: v.wavefront.hostPort, query: 'ts(errors, svc=ok)' } } }, expect: 'Successful' },
    { name: 'wf-failing', provider: 'wavefront', metric: { successCondition: 'result < 1', provider: { wavefront: { address: v.wavefront.hostPort, query: 'ts(errors, svc=bad)' } } }, expect: 'Failed' },
    { name: 'wf-empty', provider: 'wavefront', metric: { successCondition: 'result < 1', provider: { wavefront: { address: v.wavefront.hostPort, query: 'ts(errors, svc=none)' } } }, expect: 'Error', message: 'No TimeSeries found' },
    { name: 'wf-erroring', provider: 'wavefront', metric: { successCondition: 'result < 1', provider: { wavefront: { address: v.wavefrontDown.hostPort, query: 'ts(errors, svc=ok)' } } }, expect: 'Error', message: 'server returned 500' },
    { name: 'ky-healthy', provider: 'kayenta', metric: { provider: { kayenta: kayentaBlock(v.kayenta.url) } }, expect: 'Successful' },
    { name: 'ky-failing', provider: 'kayenta', metric: { provider: { kayenta: kayentaBlock(v.kayentaLow.url) } }, expect: 'Failed' },
    { name: 'ky-erroring', provider: 'kayenta', metric: { provider: { kayenta: kayentaBlock(v.kayentaDown.url) } }, expect: 'Error', message: 'Invalid Response: HTTP 500' },
  ];
}

/** The datadog scenario against the stand-in that fails every request (its own credentials). */
export function datadogErroring(): Scenario {
  return {
    name: 'dd-erroring',
    provider: 'datadog',
    metric: { successCondition: 'result < 0.05', provider: { datadog: { apiVersion: 'v2', query: 'avg:errors{svc:ok}', secretRef: { name: 'datadog-down' } } } },
    expect: 'Error',
    message: 'received non 2xx response code: 500',
  };
}

export function analysisRun(s: Scenario, namespace = 'default'): AnalysisRun {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: { name: s.name, namespace },
    spec: { metrics: [{ name: s.name, count: 1, consecutiveErrorLimit: 0, interval: '10m', ...s.metric } as never] },
  };
}

/** Secret manifests by Argo's names (controller namespace when given, else any namespace). */
export function secretManifests(v: Vendors, namespace?: string): Record<string, unknown>[] {
  const meta = (name: string) => ({ name, ...(namespace ? { namespace } : {}) });
  return [
    { apiVersion: 'v1', kind: 'Secret', metadata: meta('newrelic'), stringData: { 'personal-api-key': SECRETS.nrKey, 'account-id': String(NR_ACCOUNT), region: 'us', 'base-url-nerdgraph': v.newRelic.graphqlUrl } },
    { apiVersion: 'v1', kind: 'Secret', metadata: meta('newrelic-down'), stringData: { 'personal-api-key': SECRETS.nrKey, 'account-id': String(NR_ACCOUNT), 'base-url-nerdgraph': v.newRelicDown.graphqlUrl } },
    { apiVersion: 'v1', kind: 'Secret', metadata: meta('wavefront-api-tokens'), stringData: { [v.wavefront.hostPort]: SECRETS.wfToken, [v.wavefrontDown.hostPort]: SECRETS.wfToken } },
    { apiVersion: 'v1', kind: 'Secret', metadata: meta('datadog-down'), stringData: { 'api-key': SECRETS.ddApiKey, 'app-key': SECRETS.ddAppKey, address: v.datadogDown.url } },
  ];
}

export function writeSecretsFile(v: Vendors): string {
  const path = join(v.dir, 'secrets.yaml');
  writeFileSync(path, secretManifests(v).map((m) => stringify(m)).join('---\n'));
  return path;
}

/** The env vars a user sets for Datadog (Argo reads DD_API_KEY, DD_APP_KEY, DD_ADDRESS). */
export function datadogEnv(v: Vendors): Record<string, string> {
  return { DD_API_KEY: SECRETS.ddApiKey, DD_APP_KEY: SECRETS.ddAppKey, DD_ADDRESS: v.datadog.url };
}

/** Fails with the secret's name if any secret value occurs in `text`. */
export function leakedSecrets(text: string): string[] {
  return Object.entries(SECRETS)
    .filter(([, value]) => text.includes(value))
    .map(([name]) => name);
}
