/**
 * `assay run --secrets FILE`: secretKeyRef args read from ordinary Secret manifests, sent to the
 * provider, and kept out of everything assay prints or stores.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, startHttpServer, unusedPort, type TestHttpServer } from '../../support/http-server.js';
import { ensureBuilt, runCli } from './cli.js';

let api: TestHttpServer;
let dir: string;
const TOKEN = 'tok-3f9a-very-secret';

beforeAll(async () => {
  await ensureBuilt();
  api = await startHttpServer((req, res) =>
    req.headers.authorization === `Bearer ${TOKEN}` ? sendJson(res, 200, { ok: true }) : sendJson(res, 401, { error: `bad token ${req.headers.authorization}` }),
  );
  dir = mkdtempSync(join(tmpdir(), 'assay-secrets-'));
  writeFileSync(
    join(dir, 'template.yaml'),
    `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: health}
spec:
  args:
    - name: token
      valueFrom: {secretKeyRef: {name: api-creds, key: token}}
  metrics:
    - name: health
      successCondition: result.ok == true
      consecutiveErrorLimit: 0
      provider:
        web:
          url: ${api.url}/health?token={{args.token}}
          headers: [{key: Authorization, value: "Bearer {{args.token}}"}]
`,
  );
  // The same template against a dead port: the transport error quotes the URL, token included.
  const dead = await unusedPort();
  writeFileSync(
    join(dir, 'dead.yaml'),
    `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: dead}
spec:
  args:
    - name: token
      valueFrom: {secretKeyRef: {name: api-creds, key: token}}
  metrics:
    - name: health
      consecutiveErrorLimit: 0
      provider:
        web:
          url: http://127.0.0.1:${dead}/health?token={{args.token}}
`,
  );
  writeFileSync(join(dir, 'secret.yaml'), `apiVersion: v1\nkind: Secret\nmetadata: {name: api-creds}\ndata: {token: ${Buffer.from(TOKEN).toString('base64')}}\n`);
  writeFileSync(join(dir, 'wrong.yaml'), `apiVersion: v1\nkind: Secret\nmetadata: {name: api-creds}\nstringData: {token: not-${TOKEN}}\n`);
}, 120_000);
afterAll(() => api.close());

describe('assay run --secrets', () => {
  it('sends the secret to the provider and never prints it', async () => {
    const r = await runCli(['run', '-f', join(dir, 'template.yaml'), '--secrets', join(dir, 'secret.yaml'), '-o', 'json']);
    expect(r.code).toBe(0);
    expect(api.requests.at(-1)?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const run = JSON.parse(r.stdout) as { status: { phase: string } };
    expect(run.status.phase).toBe('Successful');
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it('redacts the secret from a provider error that quotes it', async () => {
    const r = await runCli(['run', '-f', join(dir, 'dead.yaml'), '--secrets', join(dir, 'secret.yaml'), '-o', 'json']);
    expect(r.code).toBe(2);
    const run = JSON.parse(r.stdout) as { status: { phase: string; message: string } };
    expect(run.status.phase).toBe('Error');
    expect(run.status.message).toContain('/health?token=*****');
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it('a wrong token is an Error measurement, and the wrong value is not printed either', async () => {
    const r = await runCli(['run', '-f', join(dir, 'template.yaml'), '--secrets', join(dir, 'wrong.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('received non 2xx response code: 401');
    expect(r.stdout + r.stderr).not.toContain(`not-${TOKEN}`);
  });

  it('says which Secret is missing without one', async () => {
    const r = await runCli(['run', '-f', join(dir, 'template.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Unable to resolve metric arguments: secrets "api-creds" not found');
  });
});
