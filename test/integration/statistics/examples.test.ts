/**
 * The shipped statistics examples (examples/statistics) as users run them: every template lints
 * clean, and every AnalysisTest beside it passes under `assay test`, which runs the real
 * assay/compare and assay/guard computations on the scripted samples.
 */
import { describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../run-cli/cli.js';

describe('examples/statistics', () => {
  it('lints clean', async () => {
    await ensureBuilt();
    const r = await runCli(['lint', 'examples/statistics']);
    expect(r.stdout + r.stderr).toMatch(/0 errors/);
    expect(r.code).toBe(0);
  }, 120_000);

  it('passes its AnalysisTests', async () => {
    await ensureBuilt();
    const r = await runCli(['test', 'examples/statistics']);
    expect(r.stdout).not.toContain('FAIL');
    expect(r.stdout).toMatch(/^\d+ passed, 0 failed$/m);
    expect(r.code).toBe(0);
  }, 120_000);

  it('rejects a misconfigured compare in lint, naming the field', async () => {
    const { writeFile, mkdtemp, rm } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'assay-stats-lint-'));
    try {
      const file = join(dir, 'bad.yaml');
      await writeFile(
        file,
        `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: bad}
spec:
  metrics:
    - name: m
      count: 1
      successCondition: result.decision == "pass"
      provider:
        plugin:
          assay/compare:
            method: t-test
            baseline: {prometheus: {address: http://p:9090, query: up}}
            canary: {prometheus: {address: http://p:9090, query: up}}
`,
      );
      const r = await runCli(['lint', file]);
      expect(r.code).not.toBe(0);
      expect(r.stdout + r.stderr).toContain('provider.plugin["assay/compare"]');
      expect(r.stdout + r.stderr).toContain('method');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
