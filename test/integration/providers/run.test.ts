/**
 * `assay run` (the real CLI, a child process) with the providers of issue 8, on healthy,
 * failing, empty and erroring backends, given the credentials a user would set: AWS_*
 * environment variables for cloudWatch, `--secrets FILE` for influxdb's profile Secret. Each
 * reaches Argo's verdict and exit status, and no credential appears in stdout or stderr.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisRun } from '../../../src/api/types.js';
import { ensureBuilt, runCli } from '../run-cli/cli.js';
import { awsEnv, cases, influxSecret, startBackends, type Backends } from './backends.js';

let b: Backends;
let dir: string;
const EXIT = { Successful: 0, Failed: 1, Error: 2 } as const;

beforeAll(async () => {
  [b, dir] = await Promise.all([startBackends(), mkdtemp(join(tmpdir(), 'assay-providers-run-')), ensureBuilt()]).then(([x, d]) => [x, d] as const);
  await writeFile(join(dir, 'secret.yaml'), JSON.stringify(influxSecret(b)));
}, 120_000);
afterAll(async () => {
  await b?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('assay run with the cloudWatch, graphite, influxdb and skywalking providers', () => {
  // One process per backend state, with one metric per provider: each metric's phase is that
  // provider's verdict, and the run's phase and exit status are Argo's worst-of (Failed > Error > Successful).
  it('reaches the verdict and exit status Argo would, for every provider and backend state', async () => {
    const all = cases(b);
    expect(all.length).toBeGreaterThanOrEqual(12);
    const scenarios = ['healthy', 'failing', 'empty', 'erroring'] as const;
    const results = await Promise.all(
      scenarios.map(async (scenario) => {
        const these = all.filter((c) => c.scenario === scenario);
        const file = join(dir, `${scenario}.yaml`);
        const template = { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisTemplate', metadata: { name: scenario }, spec: { metrics: these.map((c) => c.metric) } };
        await writeFile(file, JSON.stringify(template));
        return { these, r: await runCli(['run', '-f', file, '--secrets', join(dir, 'secret.yaml'), '-o', 'json'], awsEnv(b)) };
      }),
    );
    for (const { these, r } of results) {
      const run = JSON.parse(r.stdout) as AnalysisRun;
      // Argo's order of badness: Failed is worse than Error, which is worse than Successful.
      const worst = these.some((c) => c.phase === 'Failed') ? 'Failed' : these.some((c) => c.phase === 'Error') ? 'Error' : 'Successful';
      expect(run.status?.phase, r.stderr).toBe(worst);
      expect(r.code).toBe(EXIT[worst]);
      for (const c of these) {
        const result = run.status?.metricResults?.find((m) => m.name === c.name);
        expect(result?.phase, c.name).toBe(c.phase);
        if (c.message) expect(result?.measurements?.at(-1)?.message, c.name).toMatch(c.message);
      }
      for (const s of b.secrets) expect(r.stdout + r.stderr, 'a credential leaked').not.toContain(s);
    }
  }, 120_000);

  it('says what is missing when the influxdb Secret is not given', async () => {
    const c = cases(b).find((x) => x.name === 'influxdb-healthy')!;
    const file = join(dir, 'no-secret.yaml');
    await writeFile(file, JSON.stringify({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisTemplate', metadata: { name: 'x' }, spec: { metrics: [c.metric] } }));
    const r = await runCli(['run', '-f', file, '-o', 'json'], awsEnv(b));
    expect(r.code).toBe(2);
    expect((JSON.parse(r.stdout) as AnalysisRun).status?.metricResults?.[0]?.measurements?.at(-1)?.message).toBe('secrets "influxdb" not found');
  });

  it('reports cloudWatch without credentials as an Error that names the cause', async () => {
    const c = cases(b).find((x) => x.name === 'cloudwatch-healthy')!;
    const file = join(dir, 'no-aws.yaml');
    await writeFile(file, JSON.stringify({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisTemplate', metadata: { name: 'x' }, spec: { metrics: [c.metric] } }));
    const { AWS_ACCESS_KEY_ID: _a, AWS_SECRET_ACCESS_KEY: _s, ...noCreds } = awsEnv(b);
    const r = await runCli(['run', '-f', file, '-o', 'json'], noCreds);
    expect(r.code).toBe(2);
    expect((JSON.parse(r.stdout) as AnalysisRun).status?.metricResults?.[0]?.measurements?.at(-1)?.message).toMatch(
      /^operation error CloudWatch: GetMetricData, failed to retrieve credentials: /,
    );
  }, 60_000);
});
