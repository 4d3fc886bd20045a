/**
 * Finding and parsing AnalysisTest documents, then running them all: `assay test FILES|DIRS`.
 * A file that cannot be parsed or validated is reported with its path, document number and
 * field, and counts as invalid (exit status 2) rather than failed.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { analysisTestSchema, type AnalysisTest } from './test-file.js';
import type { MetricProvider } from '../metric/provider.js';
import { InvalidTestError, runAnalysisTest, type TestOutcome } from './run-test.js';

interface SuiteReport {
  tests: TestOutcome[];
  invalid: { file: string; message: string }[];
  passed: number;
  failed: number;
}

async function expand(path: string, fromDir: boolean, out: string[]): Promise<void> {
  const st = await stat(path);
  if (st.isDirectory()) {
    const entries = (await readdir(path)).sort();
    for (const e of entries) await expand(join(path, e), true, out);
  } else if (!fromDir || /\.ya?ml$/.test(path)) {
    out.push(path);
  }
}

interface ParsedTest {
  file: string;
  test: AnalysisTest;
}

function issuePath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('') || '(document)';
}

/** Parse the AnalysisTest documents of one file. Files from a directory without any are skipped. */
async function parseTestFile(file: string, fromDir: boolean): Promise<{ tests: ParsedTest[]; errors: string[] }> {
  const text = await readFile(file, 'utf8');
  const docs = parseAllDocuments(text);
  const tests: ParsedTest[] = [];
  const errors: string[] = [];
  const all = Array.isArray(docs) ? docs : [docs];
  let sawTest = false;
  all.forEach((doc, i) => {
    const n = i + 1;
    if (doc.errors.length > 0) {
      errors.push(`${file}: document ${n}: YAML syntax error: ${doc.errors[0]!.message}`);
      return;
    }
    const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    if (value === null || value === undefined) return;
    const kind = (value as { kind?: unknown }).kind;
    if (kind !== 'AnalysisTest') return;
    sawTest = true;
    // jitless: one parse per document; zod's generated fast path would cost more than it saves.
    const parsed = analysisTestSchema.safeParse(value, { jitless: true });
    if (!parsed.success) {
      const name = (value as { metadata?: { name?: string } }).metadata?.name;
      for (const issue of parsed.error.issues) {
        errors.push(`${file}: document ${n}${name ? ` (AnalysisTest "${name}")` : ''}: ${issuePath(issue.path)}: ${issue.message}`);
      }
      return;
    }
    tests.push({ file, test: parsed.data });
  });
  if (!sawTest && !fromDir && errors.length === 0) errors.push(`${file}: no AnalysisTest documents found`);
  return { tests, errors };
}

/** `providers`: the ones an AnalysisTest runs for real (composition/offline.ts); every other is scripted. */
export async function runSuite(paths: readonly string[], providers: readonly MetricProvider<unknown>[], onResult?: (t: TestOutcome) => void): Promise<SuiteReport> {
  const report: SuiteReport = { tests: [], invalid: [], passed: 0, failed: 0 };
  for (const p of paths) {
    const files: string[] = [];
    try {
      await expand(p, false, files);
    } catch (err) {
      report.invalid.push({ file: p, message: `${p}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : String(err)}` });
      continue;
    }
    const fromDir = (await stat(p)).isDirectory();
    const found = report.tests.length + report.invalid.length;
    for (const file of files) {
      let parsed;
      try {
        parsed = await parseTestFile(file, fromDir);
      } catch (err) {
        report.invalid.push({ file, message: `${file}: ${String(err)}` });
        continue;
      }
      for (const message of parsed.errors) report.invalid.push({ file, message });
      for (const { test } of parsed.tests) {
        try {
          const outcome = await runAnalysisTest(test, file, providers);
          report.tests.push(outcome);
          if (outcome.passed) report.passed++;
          else report.failed++;
          onResult?.(outcome);
        } catch (err) {
          if (!(err instanceof InvalidTestError)) throw err;
          report.invalid.push({ file, message: `${file}: AnalysisTest "${test.metadata.name}": ${err.message}` });
        }
      }
    }
    // A directory without a single AnalysisTest is almost always a wrong path: passing it would
    // keep a CI job green while testing nothing.
    if (fromDir && report.tests.length + report.invalid.length === found) {
      report.invalid.push({ file: p, message: `${p}: no AnalysisTest documents found in this directory (${files.length} *.yaml/*.yml file${files.length === 1 ? '' : 's'} searched)` });
    }
  }
  return report;
}
