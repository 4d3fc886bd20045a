/**
 * The influxdb provider through the official client against the loopback InfluxDB 2
 * (test/support/vendors/influxdb.ts): credentials from the `profile` Secret, the Flux query sent
 * as written with `now` = ctx.now, every row's `_value` collected, and InfluxDB's errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInfluxdbProvider } from '../../../providers/influxdb/index.js';
import type { ProviderSecrets } from '../../../src/metric/provider.js';
import { startFakeInfluxdb, type FakeInfluxdb } from '../../support/vendors/influxdb.js';
import { measureWith, refusal } from '../measure.js';

const T = Date.parse('2026-11-20T14:00:00Z');
let influx: FakeInfluxdb;

function secretsOf(all: Record<string, Record<string, string>>, namespace = 'argo-rollouts'): ProviderSecrets & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    async get(ns, name, key) {
      reads.push(`${ns}/${name}/${key}`);
      const s = ns === namespace ? all[name] : undefined;
      if (s === undefined) return { ok: false, error: `secrets "${name}" not found` };
      return key in s ? { ok: true, value: s[key]! } : { ok: false, error: `key '${key}' does not exist in secret '${name}'` };
    },
  };
}

const env = { controllerNamespace: 'argo-rollouts' };
const profile = () => ({ influxdb: { address: influx.url, authToken: influx.token, org: influx.org } });
const errorRate = `from(bucket: "app")
  |> range(start: -5m)
  |> filter(fn: (r) => r._measurement == "http" and r._field == "error_rate")
  |> mean()`;

beforeAll(async () => {
  influx = await startFakeInfluxdb();
  for (const [min, v] of [[-64, 0.5], [-62, 0.7], [-4, 0.01], [-2, 0.03]] as const) {
    influx.points.push({ bucket: 'app', measurement: 'http', field: 'error_rate', tags: { host: 'a' }, time: T + min * 60_000, value: v });
  }
});
afterAll(async () => influx?.close());

describe('influxdb provider', () => {
  it('sends the Flux query with Token auth, org and now=ctx.now, and returns the _values', async () => {
    const secrets = secretsOf(profile());
    const obs = await measureWith(createInfluxdbProvider(), { query: errorRate }, { now: T, secrets }, env);
    expect(obs).toEqual({ kind: 'value', value: [0.02], display: '[0.02]' });
    const req = influx.requests.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/api/v2/query');
    expect(req.query.get('org')).toBe(influx.org);
    expect(req.headers.authorization).toBe(`Token ${influx.token}`);
    expect(JSON.parse(req.body)).toMatchObject({ query: errorRate, type: 'flux', now: '2026-11-20T14:00:00.000Z' });
    expect(secrets.reads).toContain('argo-rollouts/influxdb/authToken');
  });

  it('answers for the past when ctx.now is a historical instant', async () => {
    const obs = await measureWith(createInfluxdbProvider(), { query: errorRate }, { now: T - 60 * 60_000, secrets: secretsOf(profile()) }, env);
    expect(obs).toMatchObject({ kind: 'value', value: [0.6] });
  });

  it('collects every row of every table, formatted as fmt.Sprint', async () => {
    influx.points.push({ bucket: 'app', measurement: 'http', field: 'error_rate', tags: { host: 'b' }, time: T - 60_000, value: 2 });
    const q = 'from(bucket: "app") |> range(start: -5m) |> filter(fn: (r) => r._field == "error_rate")';
    const obs = await measureWith(createInfluxdbProvider(), { query: q }, { now: T, secrets: secretsOf(profile()) }, env);
    expect(obs).toEqual({ kind: 'value', value: [0.01, 0.03, 2], display: '[0.01 0.03 2]' });
    influx.points.pop();
  });

  it('reports no rows as Argo does', async () => {
    const q = 'from(bucket: "app") |> range(start: -5m) |> filter(fn: (r) => r._field == "nothing")';
    const obs = await measureWith(createInfluxdbProvider(), { query: q }, { now: T, secrets: secretsOf(profile()) }, env);
    expect(obs).toEqual({ kind: 'error', code: 'NoData', message: 'no results returned from flux query' });
  });

  it('uses the Secret named by profile, in the controller namespace', async () => {
    const secrets = secretsOf({ team: profile().influxdb }, 'rollouts-system');
    const obs = await measureWith(createInfluxdbProvider(), { profile: 'team', query: errorRate }, { now: T, secrets }, { controllerNamespace: 'rollouts-system' });
    expect(obs).toMatchObject({ kind: 'value', value: [0.02] });
    expect(secrets.reads[0]).toBe('rollouts-system/team/authToken');
  });

  it("fails with Kubernetes' error without the Secret, and Argo's when a key is empty or missing", async () => {
    const none = await measureWith(createInfluxdbProvider(), { query: errorRate }, { now: T, secrets: secretsOf({}) }, env);
    expect(none).toEqual({ kind: 'error', code: 'Config', message: 'secrets "influxdb" not found' });
    const partial = secretsOf({ influxdb: { address: influx.url, authToken: influx.token } });
    expect(await measureWith(createInfluxdbProvider(), { query: errorRate }, { now: T, secrets: partial }, env)).toEqual({
      kind: 'error',
      code: 'Config',
      message: 'authToken, org, or address not found',
    });
  });

  it("reports InfluxDB's 401 and 400 answers as the Go client words them", async () => {
    const wrong = secretsOf({ influxdb: { ...profile().influxdb, authToken: 'not-the-token' } });
    expect(await measureWith(createInfluxdbProvider(), { query: errorRate }, { now: T, secrets: wrong }, env)).toEqual({
      kind: 'error',
      code: 'Unauthorized',
      message: 'unauthorized: unauthorized access',
    });
    const bad = await measureWith(createInfluxdbProvider(), { query: 'from(bucket: "app") |> nonsense()' }, { now: T, secrets: secretsOf(profile()) }, env);
    expect(bad).toMatchObject({ kind: 'error', code: 'BadQuery' });
    if (bad.kind === 'error') expect(bad.message).toMatch(/^invalid: /);
    influx.failNext(503, 'unavailable', 'service unavailable');
    expect(await measureWith(createInfluxdbProvider(), { query: errorRate }, { now: T, secrets: secretsOf(profile()) }, env)).toEqual({
      kind: 'error',
      code: 'BadResponse',
      message: 'unavailable: service unavailable',
    });
  });

  it('refuses a block of the wrong shape', () => {
    expect(refusal(createInfluxdbProvider(), { query: 42 })).toMatch(/^invalid influxdb provider: query: /);
  });
});
