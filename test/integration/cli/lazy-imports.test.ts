/**
 * Fast start, checked without a clock: `assay --version`, `lint` and `test` must not load the
 * heavy runtime packages (Kubernetes client, BullMQ, ioredis, pino, prometheus-query). A loader
 * hook (test/support/load-trace) records every module the child process resolves, for the built
 * CLI (bin/assay.js: the bundle) and for tsc's unbundled output (dist/src: the import graph as
 * written). `assay run` does load the Prometheus client: that proves the trace sees what it should;
 * it does not load BullMQ (a live run is in-process; the composition root imports BullMQ only
 * with REDIS_URL).
 * The timings themselves are in bench/ (`npm run bench -- --only cli-start`).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from '../run-cli/cli.js';

const HEAVY = ['@kubernetes/client-node', 'bullmq', 'ioredis', 'pino', 'prometheus-query', '@aws-sdk/client-cloudwatch', '@influxdata/influxdb-client'];
const HOOK = join(ROOT, 'test/support/load-trace/register.mjs');
const UNBUNDLED = `import(${JSON.stringify(join(ROOT, 'dist/src/cli/main.js'))}).then(async (m) => { await m.main(process.argv); process.exit(process.exitCode ?? 0); })`;
let dir: string;
let traces = 0;

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'assay-load-trace-'));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The packages (under node_modules) a CLI invocation resolves, and its exit status. */
async function packagesLoaded(entry: 'bundle' | 'unbundled', args: string[]): Promise<{ code: number; packages: Set<string> }> {
  const out = join(dir, `trace-${++traces}.txt`);
  const node = entry === 'bundle' ? ['--import', HOOK, join(ROOT, 'bin/assay.js'), ...args] : ['--import', HOOK, '--input-type=module', '-e', UNBUNDLED, 'node', ...args];
  let code = 0;
  try {
    await promisify(execFile)(process.execPath, node, { cwd: ROOT, env: { LOAD_TRACE_FILE: out } });
  } catch (err) {
    code = (err as { code: number }).code;
  }
  const packages = new Set<string>();
  for (const url of readFileSync(out, 'utf8').split('\n')) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (m) packages.add(m[1]!);
  }
  return { code, packages };
}

const commands: [string, string[]][] = [
  ['--version', ['--version']],
  ['--help', ['--help']],
  ['lint', ['lint', join(ROOT, 'examples/templates')]],
  ['test', ['test', join(ROOT, 'test/analysis/s8-terminate.test.yaml')]],
];

describe.each(['bundle', 'unbundled'] as const)('the %s CLI', (entry) => {
  it.each(commands)('%s loads none of the heavy packages', async (_name, args) => {
    const r = await packagesLoaded(entry, args);
    expect(r.code).toBe(0);
    expect([...r.packages].filter((p) => HEAVY.includes(p))).toEqual([]);
  });

  it('--version loads nothing beyond commander', async () => {
    const r = await packagesLoaded(entry, ['--version']);
    expect([...r.packages].filter((p) => p !== 'commander')).toEqual([]);
  });

  it('run (the control) loads the Prometheus client, so the trace sees package loads, and not BullMQ', async () => {
    const r = await packagesLoaded(entry, ['run', '-f', join(ROOT, 'examples/templates/success-rate.yaml'), '-a', 'service-name=x', '--prometheus', 'http://127.0.0.1:9', '--timeout', '1ms']);
    expect(r.code).toBe(5);
    expect(r.packages.has('prometheus-query')).toBe(true);
    expect(r.packages.has('bullmq')).toBe(false);
  });
});
