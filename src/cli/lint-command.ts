/**
 * `assay lint FILES|DIRS...`: schema problems from the loader, then src/lint's checks on every
 * document, each printed with file, document, resource, field path and line:column.
 * Exit 0 when there is no error (warnings alone do not fail), 1 errors found, 2 unreadable input.
 */
import { readFile } from 'node:fs/promises';
import { loadPaths } from '../api/load.js';
import { formatPath } from '../api/schema/issues.js';
import { judgeLoadProblem, lintDocuments, toLintDoc, type LocatedProblem } from '../lint/lint.js';
import { YamlSource } from '../lint/yaml-source.js';
import type { Output } from './test-command.js';

function describe(p: LocatedProblem, source: YamlSource | undefined): { text: string; line: number } {
  const { doc } = p;
  let where = `${doc.file}: document ${doc.documentIndex + 1}`;
  if (doc.itemIndex !== undefined) where += `, items[${doc.itemIndex}]`;
  if (doc.kind) where += ` (${doc.kind} ${doc.name ?? 'without a name'})`;
  const path = p.path.length > 0 ? `${formatPath(p.path)}: ` : '';
  const full = doc.itemIndex === undefined ? p.path : ['items', doc.itemIndex, ...p.path];
  const pos = source?.locate(doc.documentIndex, full);
  return { text: `${p.severity}: ${where}: ${path}${p.message}${pos ? ` (line ${pos.line}, column ${pos.column})` : ''}`, line: pos?.line ?? 0 };
}

export async function lintCommand(paths: string[], io: Output): Promise<number> {
  if (paths.length === 0) {
    io.err('assay lint: name at least one manifest file or directory (see `assay lint --help`)');
    return 2;
  }
  const loaded = await loadPaths(paths);
  const report: { severity: 'error' | 'warning'; text: string; file: string; documentIndex: number; line: number }[] = [];
  let unreadable = false;
  for (const e of [...loaded.errors, ...loaded.warnings]) {
    const judged = judgeLoadProblem(e);
    report.push({ severity: judged.severity, text: `${judged.severity}: ${judged.message}`, file: e.file, documentIndex: e.documentIndex ?? -1, line: e.line ?? 0 });
    if (e.documentIndex === undefined) unreadable = true;
  }

  // The YAML again, for positions and for what the parsed objects no longer show (non-string keys).
  const sources = new Map<string, YamlSource>();
  const files = new Set([...loaded.resources.map((r) => r.file), ...loaded.errors.filter((e) => e.documentIndex !== undefined).map((e) => e.file)]);
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined) sources.set(file, new YamlSource(text));
  }
  const docs = loaded.resources.map(toLintDoc);
  const { problems, checked } = lintDocuments(docs, loaded.errors);
  for (const [file, source] of sources) {
    for (const [documentIndex, list] of source.keyProblems()) {
      const doc = docs.find((d) => d.file === file && d.documentIndex === documentIndex) ?? {
        file, documentIndex, apiVersion: undefined, kind: '', name: undefined, namespace: undefined, object: {},
      };
      problems.push(...list.map((x) => ({ ...x, doc })));
    }
  }
  for (const p of problems) {
    const { text, line } = describe(p, sources.get(p.doc.file));
    report.push({ severity: p.severity, text, file: p.doc.file, documentIndex: p.doc.documentIndex, line });
  }
  // By file (code-point order, as directories are read), then document and line.
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  report.sort((a, b) => cmp(a.file, b.file) || a.documentIndex - b.documentIndex || a.line - b.line);
  for (const r of report) io.out(r.text);
  const errors = report.filter((r) => r.severity === 'error').length;
  const warnings = report.length - errors;
  io.out(`${checked} resource${checked === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
  if (unreadable) return 2;
  return errors > 0 ? 1 : 0;
}
