/**
 * `assay run`'s exit status as a pipeline sees it (`assay run ... && ./switch-traffic.sh`): the
 * real CLI as a child process against a loopback JSON endpoint (the web provider). A run stopped
 * from outside — SIGINT, SIGTERM, --timeout — ends with Argo's terminate semantics in its status
 * (usually Successful, "Run Terminated") but never exits 0; a metric that would run for ever is
 * refused before anything is measured; flags are applied or refused, never dropped.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisRun } from '../../../src/api/types.js';
import { sendJson, startHttpServer, type TestHttpServer } from '../../support/http-server.js';
import { ensureBuilt, runCli, startCli, waitFor, type CliProcess } from './cli.js';

let api: TestHttpServer;
let dir: string;
let watch: string;
let counted: string;
let prom: string;

/** /ok answers a healthy ratio; /broken answers 500 (an Error measurement, retried after 10 s). */
const handler: Parameters<typeof startHttpServer>[0] = (req, res) => {
  if (req.path === '/ok') return sendJson(res, 200, { ratio: 0.99 });
  return sendJson(res, 500, { error: 'backend down' });
};

beforeAll(async () => {
  [api] = await Promise.all([startHttpServer(handler), ensureBuilt()]);
  dir = mkdtempSync(join(tmpdir(), 'assay-exit-'));
  const template = (name: string, countLine: string) => `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: ${name}}
spec:
  args:
    - name: path
  metrics:
    - name: ratio
      interval: 1s
${countLine}      successCondition: result >= 0.95
      provider:
        web:
          url: ${api.url}/{{args.path}}
          jsonPath: '{$.ratio}'
`;
  watch = join(dir, 'watch.yaml');
  writeFileSync(watch, template('watch', ''));
  counted = join(dir, 'counted.yaml');
  writeFileSync(counted, template('counted', '      count: 2\n'));
  prom = join(dir, 'prom.yaml');
  writeFileSync(
    prom,
    `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: prom}
spec:
  metrics:
    - name: q
      provider:
        prometheus:
          address: http://prometheus.monitoring.svc.cluster.invalid:9090
          query: vector(1)
`,
  );
}, 60_000);
afterAll(async () => {
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Progress lines: `12:00:01  ratio  0.99  Successful`. */
const measured = (cli: CliProcess, phase: string) => cli.stdout().split('\n').filter((l) => /^\d\d:\d\d:\d\d\s+ratio\s/.test(l) && l.includes(phase)).length;

async function stopAfterFirst(args: string[], phase: string, signal: NodeJS.Signals) {
  const cli = startCli(args);
  try {
    await waitFor(() => measured(cli, phase) >= 1, 15_000, `a ${phase} measurement`);
    cli.child.kill(signal);
    return await cli.exited;
  } finally {
    if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
  }
}

describe('when assay run is stopped from outside', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('%s after successful measurements exits 5, the status still "Run Terminated"', async (signal) => {
    const r = await stopAfterFirst(['run', '-f', watch, '-a', 'path=ok', '--timeout', '10m'], 'Successful', signal);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('terminating the run');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(
      `Verdict: none — stopped by ${signal} before the analysis reached its own verdict (run status: Successful — Run Terminated); exit 5`,
    );
  });

  it('SIGINT after nothing but Error measurements exits 5', async () => {
    const r = await stopAfterFirst(['run', '-f', watch, '-a', 'path=broken', '--timeout', '10m'], 'Error', 'SIGINT');
    expect(r.code).toBe(5);
    expect(r.stdout).toContain('stopped by SIGINT');
  });

  it('SIGTERM during a counted run exits 5 with the final AnalysisRun on stdout in JSON', async () => {
    const cli = startCli(['run', '-f', counted, '-a', 'path=broken', '-o', 'json']);
    try {
      // The first Error measurement is retried after 10 s: the run is mid-way when the signal comes.
      await waitFor(() => /ratio\s.*Error/.test(cli.stderr()), 15_000, 'an Error measurement');
      cli.child.kill('SIGTERM');
      const r = await cli.exited;
      expect(r.code).toBe(5);
      const run = JSON.parse(r.stdout) as AnalysisRun;
      expect(run.status?.message).toBe('Run Terminated');
      expect(r.stderr).toMatch(/stopped by SIGTERM before the analysis reached its own verdict .*: exit 5/);
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    }
  });

  it('--timeout terminates a healthy watch and exits 5', async () => {
    const cli = startCli(['run', '-f', watch, '-a', 'path=ok', '--timeout', '2s']);
    const r = await cli.exited;
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('--timeout 2s reached: terminating the run');
    expect(measured(cli, 'Successful')).toBeGreaterThanOrEqual(1);
    expect(r.stdout).toContain('stopped by --timeout 2s');
  });

  it('--timeout after nothing but Error measurements exits 5', async () => {
    const r = await runCli(['run', '-f', counted, '-a', 'path=broken', '--timeout', '1s']);
    expect(r.code).toBe(5);
    expect(r.stdout).toMatch(/\bratio\s.*Error/);
    expect(r.stdout).toContain('stopped by --timeout 1s');
  });
});

describe('when assay run would never end, or a flag would be ignored', () => {
  it('refuses a metric without a count (exit 4, naming it) unless --timeout bounds it', async () => {
    const before = api.requests.length;
    const r = await runCli(['run', '-f', watch, '-a', 'path=ok']);
    expect(r.code).toBe(4);
    expect(api.requests.length).toBe(before); // nothing was measured
    expect(r.stderr).toContain('metric "ratio" (interval 1s, no count) runs indefinitely');
    expect(r.stderr).toContain('--timeout');
  });

  it('refuses an -a name no template declares, listing the declared ones', async () => {
    const r = await runCli(['run', '-f', counted, '-a', 'path=ok', '-a', 'pth=ok']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('assay run: -a pth: no such arg (declared: path)');
  });

  it('suggests -a NAME=VALUE for an arg without a value', async () => {
    const r = await runCli(['run', '-f', counted]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('args.path was not resolved');
    expect(r.stderr).toContain('-a path=VALUE');
  });

  it('applies --prometheus to a metric that has its own address (the flag wins)', async () => {
    const promApi = await startHttpServer((req, res) =>
      req.path === '/api/v1/query'
        ? sendJson(res, 200, { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [Date.now() / 1000, '1'] }] } })
        : sendJson(res, 404, { status: 'error', errorType: 'not_found', error: 'not found' }),
    );
    try {
      const r = await runCli(['run', '-f', prom, '--prometheus', promApi.url, '-o', 'json']);
      expect(r.stderr).not.toContain('no such host');
      expect(r.code).toBe(0);
      expect(promApi.requests.map((q) => q.path)).toContain('/api/v1/query');
      const run = JSON.parse(r.stdout) as AnalysisRun;
      expect(run.spec.metrics[0]!.provider.prometheus).toMatchObject({ address: promApi.url });
    } finally {
      await promApi.close();
    }
  });

  it('refuses --prometheus when no metric uses Prometheus, rather than ignoring it', async () => {
    const r = await runCli(['run', '-f', counted, '-a', 'path=ok', '--prometheus', 'http://127.0.0.1:9']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('--prometheus: no metric uses the prometheus provider');
    expect(r.stderr).toContain('ratio (web)');
  });

  it('refuses an invalid --timeout', async () => {
    const r = await runCli(['run', '-f', counted, '-a', 'path=ok', '--timeout', '10 minutes']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('--timeout "10 minutes"');
  });
});
