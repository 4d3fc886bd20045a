/**
 * `assay test` and `assay lint` as a user runs them: the real CLI in a child process, its output
 * and its exit status (0 passed, 1 expectation failed, 2 invalid file; lint 0/1).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOnce } from '../../support/build.js';

const root = resolve(import.meta.dirname, '..', '..', '..');
const run = async (args: string[]) => {
  try {
    const r = await promisify(execFile)(process.execPath, [join(root, 'bin/assay.js'), ...args], { cwd: root });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

const TEMPLATE = `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: rate}
spec:
  metrics:
    - name: rate
      interval: 1m
      count: 2
      successCondition: result[0] > 0.9
      provider: {prometheus: {address: "http://p:9090", query: up}}
`;
const test = (name: string, expectPhase: string, extra = '') => `apiVersion: assay/v1alpha1
kind: AnalysisTest
metadata: {name: ${name}}
spec:
  templates: [{file: rate.yaml}]
  run: {templates: [{templateName: rate}]}
  measurements:
    rate: [{value: [0.95]}, {value: [0.5]}]
  expect:
    phase: ${expectPhase}
    completedAt: 1m
${extra}`;

let dir: string;
beforeAll(async () => {
  await buildOnce();
  dir = mkdtempSync(join(tmpdir(), 'assay-cli-'));
  writeFileSync(join(dir, 'rate.yaml'), TEMPLATE);
  writeFileSync(join(dir, 'pass.yaml'), test('second sample fails', 'Failed'));
  writeFileSync(join(dir, 'fail.yaml'), test('wrong expectation', 'Successful', '    runSummary: {count: 1, successful: 1}\n'));
  writeFileSync(join(dir, 'invalid.yaml'), test('typo', 'Failed').replace('expect:', 'expcet:'));
}, 120_000);

describe('assay test', () => {
  it('passes a correct expectation: exit 0 and the closing line', async () => {
    const r = await run(['test', join(dir, 'pass.yaml')]);
    expect(r.stdout).toContain('PASS second sample fails');
    expect(r.stdout.trim().split('\n').pop()).toBe('1 passed, 0 failed');
    expect(r.code).toBe(0);
  });

  it('reports each differing field and exits 1', async () => {
    const r = await run(['test', join(dir, 'fail.yaml')]);
    expect(r.stdout).toContain('FAIL wrong expectation');
    expect(r.stdout).toContain('phase: expected "Successful" got "Failed"');
    expect(r.stdout).toContain('runSummary.failed: expected 0 got 1');
    expect(r.code).toBe(1);
  });

  it('shows why the run ended as it did under a failing test: value, condition, counter and limit', async () => {
    const r = await run(['test', join(dir, 'fail.yaml')]);
    const lines = r.stdout.split('\n');
    const why = lines.indexOf('    why:');
    expect(why).toBeGreaterThan(0);
    expect(lines.slice(why + 1, why + 3)).toEqual([
      '      at 60s: rate = [0.5]: successCondition result[0] > 0.9 is false',
      '      verdict Failed: rate = [0.5]: successCondition result[0] > 0.9 is false; failed (1) > failureLimit (0)',
    ]);
    // A passing test stays one line.
    expect((await run(['test', join(dir, 'pass.yaml')])).stdout).not.toContain('why:');
  }, 90_000);

  it('names the file, document and field of an invalid test and exits 2', async () => {
    const r = await run(['test', join(dir, 'invalid.yaml')]);
    expect(r.stderr).toMatch(/invalid\.yaml: document 1 \(AnalysisTest "typo"\): spec: .*expcet/);
    expect(r.code).toBe(2);
  });

  it('prints one JSON document with --output json', async () => {
    const r = await run(['test', join(dir, 'pass.yaml'), join(dir, 'fail.yaml'), '--output', 'json']);
    const doc = JSON.parse(r.stdout) as { tests: { name: string; passed: boolean; failures: unknown[]; result: Record<string, unknown> }[]; passed: number; failed: number };
    expect(doc.passed).toBe(1);
    expect(doc.failed).toBe(1);
    const failed = doc.tests.find((t) => !t.passed)!;
    expect(failed.failures).toContainEqual({ field: 'phase', expected: 'Successful', got: 'Failed' });
    expect(failed.result).toMatchObject({
      phase: 'Failed',
      completedAt: '1m0s',
      runSummary: { count: 1, failed: 1 },
      measurements: { rate: ['Successful', 'Failed'] },
      values: { rate: ['[0.95]', '[0.5]'] },
    });
    expect(r.code).toBe(1);
  });

  it('runs every test file under a directory', async () => {
    const r = await run(['test', join(root, 'test/analysis')]);
    expect(r.stdout.trim().split('\n').pop()).toMatch(/^\d+ passed, 0 failed$/);
    expect(r.code).toBe(0);
  });
});

describe('assay lint', () => {
  it('finds every deliberately broken rule in examples/broken', async () => {
    const r = await run(['lint', join(root, 'examples/broken')]);
    expect(r.code).toBe(1);
    for (const fragment of [
      'spec.metrics[0].sucessCondition: unknown field (did you mean "successCondition"?)',
      'count (2) must be >= failureLimit + consecutiveSuccessLimit (1 + 2) if both >= 0',
      'spec.metrics[1].successCondition: does not compile',
      'failed to resolve {{args.service}}: no arg "service" is declared',
      "metrics[3]: duplicate name 'limits'",
      'invalid interval string: time: unknown unit "d" in duration "1d"',
      'invalid Go regexp "*"',
      'no matches for kind "AnalysisTemplates"',
      'AnalysisTemplate shop-error-watch has metric errors which runs indefinitely',
    ]) {
      expect(r.stdout).toContain(fragment);
    }
  });

  it('exits 0 on warnings alone (fields the CRD prunes)', async () => {
    const r = await run(['lint', join(root, 'test/lint/accepted/job-kubectl-dry-run.yaml')]);
    expect(r.stdout).toMatch(/^warning: .*creationTimestamp/m);
    expect(r.stdout).toMatch(/0 errors, 1 warning/);
    expect(r.code).toBe(0);
  });

  it('passes the shipped examples', async () => {
    const r = await run(['lint', join(root, 'examples/templates'), join(root, 'examples/demo')]);
    expect(r.stdout).toMatch(/0 errors/);
    expect(r.code).toBe(0);
  });
});
