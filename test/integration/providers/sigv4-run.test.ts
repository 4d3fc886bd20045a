/**
 * `assay run` (child process) against Amazon Managed Prometheus with `authentication.sigv4`,
 * credentials as a user exports them (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY): the loopback
 * AMP verifies every signature before the real Prometheus behind it answers. A wrong secret is
 * an Error (exit 2) that does not print the secret.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisRun } from '../../../src/api/types.js';
import { startPrometheus, type PrometheusInstance } from '../../support/prometheus.js';
import { startFakeAmp, type FakeAmp } from '../../support/vendors/amp.js';
import { ensureBuilt, runCli } from '../run-cli/cli.js';

let prom: PrometheusInstance;
let amp: FakeAmp;
let dir: string;

beforeAll(async () => {
  [prom, dir] = await Promise.all([startPrometheus(), mkdtemp(join(tmpdir(), 'assay-sigv4-run-')), ensureBuilt()]).then(([p, d]) => [p, d] as const);
  await prom.remoteWrite([{ labels: { __name__: 'amp_error_ratio', service: 'checkout' }, samples: [{ value: 0.01, timestamp: Date.now() - 5000 }] }]);
  amp = await startFakeAmp(prom.url);
  await writeFile(
    join(dir, 'amp.yaml'),
    JSON.stringify({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: 'amp' },
      spec: {
        metrics: [
          {
            name: 'error-ratio',
            successCondition: 'result[0] < 0.05',
            consecutiveErrorLimit: 0,
            provider: { prometheus: { address: amp.address, query: 'amp_error_ratio{service="checkout"}', authentication: { sigv4: { region: amp.region } } } },
          },
        ],
      },
    }),
  );
}, 120_000);
afterAll(async () => {
  await amp?.close();
  await prom?.stop();
  await rm(dir, { recursive: true, force: true });
});

const env = (secret: string) => ({
  AWS_ACCESS_KEY_ID: amp.credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: secret,
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_CONFIG_FILE: '/nonexistent/aws-config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
});

describe('assay run with prometheus authentication.sigv4', () => {
  it('signs with the exported credentials and reaches Successful (exit 0)', async () => {
    const r = await runCli(['run', '-f', join(dir, 'amp.yaml'), '-o', 'json'], env(amp.credentials.secretAccessKey));
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as AnalysisRun).status?.metricResults?.[0]?.measurements?.at(-1)?.value).toBe('[0.01]');
    expect(String(amp.requests.at(-1)!.headers.authorization)).toMatch(/\/us-east-1\/aps\/aws4_request/);
    expect(r.stdout + r.stderr).not.toContain(amp.credentials.secretAccessKey);
  }, 60_000);

  it('is an Error (exit 2) when AMP refuses the signature, and never prints the secret', async () => {
    const wrong = `wrong-${randomUUID()}`;
    const r = await runCli(['run', '-f', join(dir, 'amp.yaml'), '-o', 'json'], env(wrong));
    expect(r.code).toBe(2);
    expect((JSON.parse(r.stdout) as AnalysisRun).status?.phase).toBe('Error');
    expect(r.stdout + r.stderr).not.toContain(wrong);
  }, 60_000);
});
