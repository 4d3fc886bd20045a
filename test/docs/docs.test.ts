/**
 * The doc test: every code block in README.md, charts/assay/README.md and docs/*.md is run or validated, so the docs cannot
 * rot. The convention (test/docs/README.md): shell blocks (sh, bash, shell) run with bash -e in a
 * sandbox; console blocks run each `$ ` command and compare the output shown; yaml/json blocks are
 * parsed, and written as files when a `<!-- doc-test: file NAME -->` directive says so; files holding
 * argoproj.io kinds pass `assay lint`, AnalysisTests pass `assay test`. A block of any other language
 * needs a directive; `<!-- doc-test: skip REASON -->` is the only way not to run a block, and shows up
 * as a skipped test with its reason. Failures name the doc and the line of the block.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { applyReplacements, extractBlocks, parseConsole, type Block } from './blocks.js';
import { fixtureFor } from './fixtures.js';
import { kubectlBinary } from '../support/kubectl.js';
import { openSandbox, root, runScript, type Sandbox } from './sandbox.js';

const DOCS = ['README.md', 'charts/assay/README.md', ...readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
const SHELL = new Set(['sh', 'bash', 'shell']);
const FILE_LANGS = new Set(['yaml', 'yml', 'json']);
/** Bare fences hold diagrams and sample output: text, nothing to run. */
const TEXT = new Set(['', 'text']);
const hasKubectl = kubectlBinary() !== undefined;
const ARGO_KINDS = new Set(['AnalysisTemplate', 'ClusterAnalysisTemplate', 'AnalysisRun', 'Rollout', 'Experiment']);

const label = (doc: string, b: Block) => `${doc}:${b.line} \`\`\`${b.lang || '(text)'}`;

function skipReason(b: Block): string | undefined {
  if (b.directive?.skip) return b.directive.skip;
  const missing = (b.directive?.needs ?? []).filter((n) => n === 'kubectl' && !hasKubectl);
  return missing.length > 0 ? `needs ${missing.join(', ')}, not installed on this machine` : undefined;
}

/** The documents of a YAML text; a syntax error fails with the line inside the doc. */
function yamlDocuments(text: string, where: string): Record<string, unknown>[] {
  return parseAllDocuments(text).map((d) => {
    if (d.errors.length > 0) throw new Error(`${where}: invalid YAML: ${d.errors[0]!.message}`);
    return d.toJS() as Record<string, unknown>;
  }).filter((d) => d !== null && d !== undefined);
}

describe.each(DOCS)('%s', (doc) => {
  const markdown = readFileSync(path.join(root, doc), 'utf8');
  let blocks: Block[];
  try {
    blocks = extractBlocks(markdown);
  } catch (err) {
    throw new Error(`${doc}: ${(err as Error).message}`);
  }
  const fixture = fixtureFor(doc);
  let sandbox: Sandbox;
  let cleanup: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    sandbox = await openSandbox(fixture.namespaces);
    cleanup = await fixture.setup(sandbox);
    // Files first: a command may use a file shown further down.
    for (const b of blocks) {
      if (!b.directive?.file || b.directive.skip) continue;
      const target = path.join(sandbox.dir, b.directive.file);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, applyReplacements(b.body, b.directive, label(doc, b)), { mode: b.directive.file.endsWith('.sh') ? 0o755 : 0o644 });
    }
  }, 120_000);

  afterAll(async () => {
    await cleanup?.();
    await sandbox?.close();
  });

  test('points nowhere outside the repository (../shared, /work)', () => {
    const bad = markdown.split('\n').flatMap((l, i) => (/\.\.\/shared|\/work\//.test(l) ? [`${doc}:${i + 1}: ${l.trim()}`] : []));
    expect(bad, 'users only have the repository: copy what they need into it').toEqual([]);
  });

  for (const b of blocks) {
    const name = label(doc, b);
    const skip = skipReason(b);
    if (skip) {
      test.skip(`${name}: ${skip}`, () => {});
      continue;
    }
    const timeout = (b.directive?.timeout ?? 60) * 1000;

    if (TEXT.has(b.lang) && !b.directive) continue; // text: no test to run

    test(name, async () => {
      const d = b.directive;
      if (d?.sameAs) {
        const source = readFileSync(path.join(root, d.sameAs), 'utf8');
        expect(b.body, `${name} must be identical to ${d.sameAs} (the file the tests use); copy it into the doc`).toBe(source);
      }
      if (SHELL.has(b.lang) && d?.file) {
        const r = await runScript(`bash -n ${JSON.stringify(d.file)}`, sandbox, timeout); // a script shown as a file: its syntax
        expect(r.code, `${name}: bash -n ${d.file}:\n${r.output}`).toBe(0);
        return;
      }
      if (SHELL.has(b.lang)) {
        const r = await runScript(applyReplacements(b.body, d, name), sandbox, timeout);
        expect(r.code, `${name}: the commands exited ${r.code}, expected ${d?.exit ?? 0}. Output:\n${r.output}`).toBe(d?.exit ?? 0);
        return;
      }
      if (b.lang === 'console') {
        for (const step of parseConsole(b.body)) {
          const r = await runScript(applyReplacements(step.command, d, name), sandbox, timeout);
          expect(r.code, `${name}: \`${step.command}\` exited ${r.code}, expected ${d?.exit ?? 0}. Output:\n${r.output}`).toBe(d?.exit ?? 0);
          const got = r.output.replace(/\n$/, '').split('\n').map((l) => l.trimEnd());
          expect(got, `${name}: the output of \`${step.command}\` differs from the doc`).toEqual(step.output.map((l) => l.trimEnd()));
        }
        return;
      }
      if (FILE_LANGS.has(b.lang)) {
        const text = applyReplacements(b.body, d, name);
        const docs = b.lang === 'json' ? [JSON.parse(text) as Record<string, unknown>] : yamlDocuments(text, name);
        expect(docs.length, `${name}: no YAML document in the block`).toBeGreaterThan(0);
        if (!d?.file) return; // a fragment (values, a snippet): parsed is all it can be
        const kinds = docs.map((o) => String(o.kind ?? ''));
        if (kinds.includes('AnalysisTest')) {
          const r = await runScript(`assay test ${JSON.stringify(d.file)}`, sandbox, timeout);
          expect(r.code, `${name}: assay test ${d.file} exited ${r.code}:\n${r.output}`).toBe(0);
        } else if (kinds.some((k) => ARGO_KINDS.has(k))) {
          const r = await runScript(`assay lint ${JSON.stringify(d.file)}`, sandbox, timeout);
          expect(r.code, `${name}: assay lint ${d.file} exited ${r.code}:\n${r.output}`).toBe(0);
        }
        return;
      }
      if (d?.file) return; // another language shown as a file, written to the sandbox for the commands that use it
      throw new Error(`${name}: no doc-test rule for \`\`\`${b.lang} blocks: add <!-- doc-test: file NAME --> or <!-- doc-test: skip REASON --> before it (see test/docs/README.md)`);
    }, timeout * 4);
  }
});
