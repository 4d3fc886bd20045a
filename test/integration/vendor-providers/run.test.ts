/**
 * `assay run` as a child process against the vendor stand-ins, with the credentials a user sets
 * outside a cluster: DD_* env vars for Datadog, a `--secrets` file of Secret manifests (Argo's
 * names) for New Relic, Wavefront and a secretRef'd Datadog. Every (provider, scenario) reaches
 * Argo's verdict and exit status, and no secret value appears on stdout, stderr or in
 * `--output json`. Wavefront is reached over https at a bare `host:port` address, as in Argo.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { BIN, ensureBuilt, ROOT, type CliResult } from '../run-cli/cli.js';
import { analysisRun, datadogEnv, datadogErroring, EXIT, leakedSecrets, scenarios, startVendors, writeSecretsFile, type Scenario, type Vendors } from './fixtures.js';

let v: Vendors;
let secretsFile: string;

beforeAll(async () => {
  await ensureBuilt();
  v = await startVendors();
  secretsFile = writeSecretsFile(v);
}, 180_000);
afterAll(() => v?.close());

function runAssay(args: string[], env: Record<string, string>): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

async function runScenario(s: Scenario): Promise<{ s: Scenario; r: CliResult }> {
  const file = join(v.dir, `${s.name}.yaml`);
  writeFileSync(file, stringify(analysisRun(s)));
  const env = { ...datadogEnv(v), NODE_EXTRA_CA_CERTS: v.caFile };
  const r = await runAssay(['run', '-f', file, '--secrets', secretsFile, '-o', 'json'], env);
  return { s, r };
}

/** At most `n` child processes at once (the machine is shared), results in input order. */
async function pool<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: n }, worker));
  return out;
}

describe('assay run with datadog, newRelic, wavefront and kayenta', () => {
  it('reaches Argo\'s verdict and exit status on healthy, failing, empty and erroring backends, leaking no secret', async () => {
    // Kayenta first: its verdict comes after a 15 s resume, the others overlap with that wait.
    const all = [...scenarios(v), datadogErroring()].sort((a, b) => Number(b.provider === 'kayenta') - Number(a.provider === 'kayenta'));
    const results = await pool(all, 4, runScenario);
    const seen = results.map(({ s, r }) => {
      let phase = '(no json)';
      let message = '';
      try {
        const run = JSON.parse(r.stdout) as { status: { phase: string; message?: string; metricResults?: { measurements?: { message?: string }[] }[] } };
        phase = run.status.phase;
        message = [run.status.message ?? '', ...(run.status.metricResults ?? []).flatMap((m) => (m.measurements ?? []).map((x) => x.message ?? ''))].join(' | ');
      } catch {
        message = r.stderr;
      }
      return { name: s.name, phase, code: r.code, okMessage: s.message === undefined || message.includes(s.message), leaked: leakedSecrets(r.stdout + r.stderr), detail: message };
    });
    const expected = results.map(({ s }) => ({ name: s.name, phase: s.expect, code: EXIT[s.expect], okMessage: true, leaked: [] as string[] }));
    expect(seen.map(({ detail: _d, ...rest }) => rest), JSON.stringify(seen.filter((x) => !x.okMessage).map((x) => x.detail))).toEqual(expected);
    // What the backends saw: the keys in Datadog's headers, the NerdGraph key, the Wavefront token.
    expect(v.datadog.requests.some((q) => q.headers['dd-api-key'] === datadogEnv(v).DD_API_KEY)).toBe(true);
    expect(v.wavefront.requests.every((q) => q.headers['authorization'] === `Bearer ${'wftok-9a3e7c1f5b2d8046'}`)).toBe(true);
    expect(v.kayenta.executions().every((e) => e.polls >= 1)).toBe(true);
  }, 240_000);
});
