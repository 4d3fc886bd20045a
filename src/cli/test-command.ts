/**
 * `assay test FILES|DIRS... [--output json]`: offline AnalysisTests on a virtual clock.
 * Exit status: 0 all passed, 1 an expectation failed, 2 a file is invalid.
 */
import { offlineProviders } from '../composition/offline.js';
import { runSuite } from '../testing/suite.js';
import type { TestOutcome } from '../testing/run-test.js';

export interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
}

function show(v: unknown): string {
  return v === undefined ? '(absent)' : JSON.stringify(v);
}

function printHuman(t: TestOutcome, io: Output): void {
  io.out(`${t.passed ? 'PASS' : 'FAIL'} ${t.name}${t.passed ? '' : `  (${t.file})`}`);
  for (const f of t.failures) io.out(`    ${f.field}: expected ${show(f.expected)} got ${show(f.got)}`);
  if (!t.passed && t.trace.length > 0) {
    io.out('    why:');
    for (const line of t.trace) io.out(`      ${line}`);
  }
}

export async function testCommand(paths: string[], opts: { output?: string }, io: Output): Promise<number> {
  if (paths.length === 0) {
    io.err('assay test: name at least one AnalysisTest file or directory (see `assay test --help`)');
    return 2;
  }
  const json = opts.output === 'json';
  if (opts.output && !json && opts.output !== 'text') {
    io.err(`assay test: --output must be "text" or "json", not "${opts.output}"`);
    return 2;
  }
  const report = await runSuite(paths, offlineProviders(), json ? undefined : (t) => printHuman(t, io));
  for (const inv of report.invalid) io.err(`INVALID ${inv.message}`);
  if (json) {
    const doc: Record<string, unknown> = {
      tests: report.tests.map((t) => ({ file: t.file, name: t.name, passed: t.passed, failures: t.failures, result: t.result, trace: t.trace })),
      passed: report.passed,
      failed: report.failed,
    };
    if (report.invalid.length > 0) doc.invalid = report.invalid;
    io.out(JSON.stringify(doc, null, 2));
  } else {
    io.out(`${report.passed} passed, ${report.failed} failed`);
  }
  if (report.invalid.length > 0) return 2;
  return report.failed > 0 ? 1 : 0;
}
