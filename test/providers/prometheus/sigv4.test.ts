/**
 * `authentication.sigv4` (Amazon Managed Prometheus): requests signed by the AWS SDK's signer
 * with credentials from the SDK's chain, verified by a loopback AMP (test/support/vendors/amp.ts)
 * in front of a real Prometheus; a role ARN is assumed through a loopback STS. The credential
 * chain is driven the way a user drives it: AWS_* environment variables and shared files.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusProvider } from '../../../providers/prometheus/index.js';
import { startPrometheus, type PrometheusInstance } from '../../support/prometheus.js';
import { startFakeAmp, type FakeAmp } from '../../support/vendors/amp.js';
import { startFakeSts, type FakeSts } from '../../support/vendors/sts.js';
import { measureWith } from '../measure.js';

let prom: PrometheusInstance;
let amp: FakeAmp;
let sts: FakeSts;
let dir: string;
const saved = { ...process.env };
const NOW = Date.now();

function setEnv(vars: Record<string, string | undefined>): void {
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

beforeAll(async () => {
  prom = await startPrometheus();
  await prom.remoteWrite([{ labels: { __name__: 'amp_ratio', job: 'checkout' }, samples: [{ value: 0.42, timestamp: NOW - 1000 }] }]);
  amp = await startFakeAmp(prom.url);
  sts = await startFakeSts(amp.credentials);
  dir = await mkdtemp(join(tmpdir(), 'assay-aws-'));
  // Nothing from the machine's own AWS setup may leak in.
  setEnv({
    AWS_CONFIG_FILE: join(dir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    AWS_PROFILE: undefined,
    AWS_REGION: undefined,
    AWS_DEFAULT_REGION: undefined,
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_STS: sts.url,
  });
  await writeFile(join(dir, 'config'), '');
  await writeFile(join(dir, 'credentials'), '');
}, 30_000);
afterEach(() => setEnv({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_REGION: undefined }));
afterAll(async () => {
  process.env = saved;
  await amp?.close();
  await sts?.close();
  await prom?.stop();
  await rm(dir, { recursive: true, force: true });
});

const block = (sigv4: Record<string, string>) => ({ address: amp.address, query: 'amp_ratio', authentication: { sigv4 } });

describe('prometheus sigv4', () => {
  it('signs with credentials from the environment and reaches the workspace', async () => {
    setEnv({ AWS_ACCESS_KEY_ID: amp.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: amp.credentials.secretAccessKey });
    const p = createPrometheusProvider();
    const obs = await measureWith(p, block({ region: 'us-east-1' }), { now: NOW });
    expect(obs).toMatchObject({ kind: 'value', value: [0.42], display: '[0.42]' });
    const req = amp.requests.at(-1)!;
    expect(String(req.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDAMPTEST\/\d{8}\/us-east-1\/aps\/aws4_request, SignedHeaders=[^ ]*host/);
    expect(req.method).toBe('POST');
    await p.close?.();
  });

  it('takes the region from the SDK chain (AWS_REGION) when the block names only a profile', async () => {
    await writeFile(join(dir, 'credentials'), `[team]\naws_access_key_id = ${amp.credentials.accessKeyId}\naws_secret_access_key = ${amp.credentials.secretAccessKey}\n`);
    setEnv({ AWS_REGION: 'us-east-1' });
    const p = createPrometheusProvider();
    expect(await measureWith(p, block({ profile: 'team' }), { now: NOW })).toMatchObject({ kind: 'value', value: [0.42] });
    await p.close?.();
    await writeFile(join(dir, 'credentials'), '');
  });

  it('assumes roleArn through STS and signs with the temporary credentials', async () => {
    const temp = { accessKeyId: 'ASIAASSAYROLE', secretAccessKey: `temp-${randomUUID()}`, sessionToken: `token-${randomUUID()}` };
    sts.roles.set('arn:aws:iam::123456789012:role/amp-reader', temp);
    const ampForRole = await startFakeAmp(prom.url, { credentials: temp });
    setEnv({ AWS_ACCESS_KEY_ID: amp.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: amp.credentials.secretAccessKey });
    const p = createPrometheusProvider();
    const raw = { address: ampForRole.address, query: 'amp_ratio', authentication: { sigv4: { region: 'us-east-1', roleArn: 'arn:aws:iam::123456789012:role/amp-reader' } } };
    expect(await measureWith(p, raw, { now: NOW })).toMatchObject({ kind: 'value', value: [0.42] });
    expect(sts.requests.at(-1)!.form.get('RoleArn')).toBe('arn:aws:iam::123456789012:role/amp-reader');
    expect(ampForRole.requests.at(-1)!.headers['x-amz-security-token']).toBe(temp.sessionToken);
    await p.close?.();
    await ampForRole.close();
  });

  it('reports a signature AMP refuses as Unauthorized, without the secret', async () => {
    const wrong = `wrong-${randomUUID()}`;
    setEnv({ AWS_ACCESS_KEY_ID: amp.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: wrong });
    const p = createPrometheusProvider();
    const obs = await measureWith(p, block({ region: 'us-east-1' }), { now: NOW });
    expect(obs).toMatchObject({ kind: 'error', code: 'Unauthorized' });
    expect(JSON.stringify(obs)).not.toContain(wrong);
    await p.close?.();
  });

  it('fails clearly without a region anywhere, and without credentials', async () => {
    const p = createPrometheusProvider();
    const noRegion = await measureWith(p, block({ profile: 'nobody' }), { now: NOW });
    expect(noRegion).toMatchObject({ kind: 'error', code: 'Unauthorized' });
    if (noRegion.kind === 'error') expect(noRegion.message).toContain('region not configured in sigv4 or in default credentials chain');
    const noCreds = await measureWith(p, block({ region: 'us-east-1' }), { now: NOW });
    expect(noCreds).toMatchObject({ kind: 'error', code: 'Unauthorized' });
    if (noCreds.kind === 'error') expect(noCreds.message).toMatch(/could not get SigV4 credentials: /);
    expect(amp.requests.filter((r) => r.headers.authorization === undefined)).toEqual([]);
    await p.close?.();
  });

  it('does not sign when the address is not a workspace, or sigv4 is all empty (as Argo)', async () => {
    setEnv({ AWS_ACCESS_KEY_ID: amp.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: amp.credentials.secretAccessKey });
    const p = createPrometheusProvider();
    expect(await measureWith(p, { address: prom.url, query: 'amp_ratio', authentication: { sigv4: { region: 'us-east-1' } } }, { now: NOW })).toMatchObject({ kind: 'value' });
    const before = amp.requests.length;
    const unsigned = await measureWith(p, block({}), { now: NOW });
    expect(unsigned).toMatchObject({ kind: 'error', code: 'Unauthorized' });
    expect(amp.requests.slice(before).every((r) => r.headers.authorization === undefined)).toBe(true);
    await p.close?.();
  });
});
