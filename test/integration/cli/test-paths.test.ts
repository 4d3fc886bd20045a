/**
 * `assay test` on a path that holds no AnalysisTest must fail: a mistyped path in CI would
 * otherwise report "0 passed, 0 failed" and exit 0 while testing nothing. And every command's
 * --help names its exit statuses.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../run-cli/cli.js';

let dir: string;
beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'assay-test-paths-'));
  mkdirSync(join(dir, 'empty'));
  mkdirSync(join(dir, 'templates-only'));
  writeFileSync(
    join(dir, 'templates-only', 'rate.yaml'),
    'apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata: {name: rate}\nspec:\n  metrics: [{name: rate, provider: {web: {url: "http://x"}}}]\n',
  );
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('assay test on a path without tests', () => {
  it('fails with exit 2 naming an empty directory', async () => {
    const path = join(dir, 'empty');
    const r = await runCli(['test', path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path}: no AnalysisTest documents found in this directory (0 *.yaml/*.yml files searched)`);
  });

  it('fails with exit 2 naming a directory of templates only', async () => {
    const path = join(dir, 'templates-only');
    const r = await runCli(['test', path, '--output', 'json']);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout) as { invalid: { file: string; message: string }[]; passed: number };
    expect(doc.passed).toBe(0);
    expect(doc.invalid).toEqual([{ file: path, message: `${path}: no AnalysisTest documents found in this directory (1 *.yaml/*.yml file searched)` }]);
  });

  it('fails with exit 2 naming a path that does not exist', async () => {
    const path = join(dir, 'no-such-dir');
    const r = await runCli(['test', path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path}: no such file or directory`);
  });
});

describe('--help', () => {
  it.each(['test', 'lint', 'run', 'backtest', 'serve', 'controller'])('of %s names the exit statuses and shows an example', async (command) => {
    const r = await runCli([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Exit status/);
    expect(r.stdout).toMatch(/Examples?:\n\s+(#|assay|REDIS_URL)/);
  });
});
