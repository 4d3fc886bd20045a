// The doc test's block extraction: directives bind to the next block, errors name the line.
import { describe, expect, test } from 'vitest';
import { applyReplacements, extractBlocks, parseConsole, parseDirective } from './blocks.js';

describe('extractBlocks', () => {
  test('finds fenced blocks with their language, line and directive (blank lines allowed between)', () => {
    const md = ['# t', '<!-- doc-test: file a.yaml; exit 1 -->', '', '```yaml', 'a: 1', '```', 'text', '```sh', 'echo hi', '```', '```', 'diagram', '```'].join('\n');
    const blocks = extractBlocks(md);
    expect(blocks.map((b) => [b.line, b.lang, b.body])).toEqual([[4, 'yaml', 'a: 1\n'], [8, 'sh', 'echo hi\n'], [11, '', 'diagram\n']]);
    expect(blocks[0]!.directive).toMatchObject({ file: 'a.yaml', exit: 1 });
    expect(blocks[1]!.directive).toBeUndefined(); // prose in between: the directive does not carry over
  });

  test('an unclosed fence and an unknown clause are errors naming the line', () => {
    expect(() => extractBlocks('x\n```sh\necho')).toThrow(/line 2: code block is never closed/);
    expect(() => extractBlocks('<!-- doc-test: fle a.yaml -->\n```yaml\na: 1\n```')).toThrow(/line 1: unknown doc-test clause "fle a.yaml"/);
  });
});

test('skip takes the whole rest as its reason and needs one', () => {
  expect(parseDirective('skip needs a cluster; and more').skip).toBe('needs a cluster; and more');
  expect(() => parseDirective('skip')).toThrow(/needs a reason/);
});

test('console transcripts: commands, continuations and their output', () => {
  expect(parseConsole('$ assay test \\\n  x.yaml\nPASS x\n1 passed\n$ true\n')).toEqual([
    { command: 'assay test \n  x.yaml', output: ['PASS x', '1 passed'] },
    { command: 'true', output: [] },
  ]);
  expect(() => parseConsole('orphan\n')).toThrow(/output line before any/);
});

test('a replacement that matches nothing is an error (the doc changed under it)', () => {
  const d = parseDirective('replace interval: 30s => interval: 1s');
  expect(applyReplacements('interval: 30s', d, 'x.md:1')).toBe('interval: 1s');
  expect(() => applyReplacements('interval: 1m', d, 'x.md:1')).toThrow(/x.md:1: "replace interval: 30s => interval: 1s"/);
});
