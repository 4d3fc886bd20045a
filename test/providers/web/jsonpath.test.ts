/**
 * The Kubernetes JSONPath implementation, as tables of template -> results on decoded JSON
 * (every number a float64, as Go decodes into interface{}). Expected results and error texts
 * follow client-go's util/jsonpath.
 */
import { describe, expect, it } from 'vitest';
import { findResults, toPlain } from '../../../providers/web/jsonpath/evaluate.js';
import { parseJsonPath } from '../../../providers/web/jsonpath/parse.js';

const data = {
  kind: 'List',
  items: [
    { metadata: { name: 'pod-a', labels: { 'app.kubernetes.io/name': 'web', tier: 'front' } }, status: { ready: 1, phase: 'Running' } },
    { metadata: { name: 'pod-b', labels: { tier: 'back' } }, status: { ready: 0, phase: 'Pending' } },
    { metadata: { name: 'pod-c', labels: {} }, status: { ready: 3, phase: 'Running' } },
  ],
  'key.with.dots': 'dotted',
  key: { with: { dots: 'nested' } },
  empty: [],
  nothing: null,
  word: 'hi',
};

/** All result lists of a template, with Go ints made plain. */
function run(template: string, input: unknown = data): unknown[][] | string {
  const parsed = parseJsonPath(template);
  if (!parsed.ok) return `parse: ${parsed.error}`;
  const found = findResults(parsed.root, input);
  if (!found.ok) return `eval: ${found.error}`;
  return found.results.map((list) => list.map(toPlain));
}

describe('selection', () => {
  it.each<[string, unknown[][]]>([
    ['{$}', [[data]]],
    ['{@}', [[data]]],
    ['{.kind}', [['List']]],
    ['{$.kind}', [['List']]],
    ['{.items[0].metadata.name}', [['pod-a']]],
    ['{.items[-1].metadata.name}', [['pod-c']]],
    ['{.items[-2].metadata.name}', [['pod-b']]],
    ['{.items[*].metadata.name}', [['pod-a', 'pod-b', 'pod-c']]],
    ['{.items[0:2].metadata.name}', [['pod-a', 'pod-b']]],
    ['{.items[::2].metadata.name}', [['pod-a', 'pod-c']]],
    ['{.items[1:].metadata.name}', [['pod-b', 'pod-c']]],
    ['{.items[0,2].metadata.name}', [['pod-a', 'pod-c']]],
    ["{.items[0].metadata.labels['tier']}", [['front']]],
    ["{['kind','word']}", [['List', 'hi']]],
    ['{.items[0].metadata.labels.app\\.kubernetes\\.io/name}', [['web']]],
    ['{..name}', [['pod-a', 'pod-b', 'pod-c']]],
    ['{..phase}', [['Running', 'Pending', 'Running']]],
    ['{.items[?(@.status.phase=="Running")].metadata.name}', [['pod-a', 'pod-c']]],
    ['{.items[?(@.status.ready>=1.0)].metadata.name}', [['pod-a', 'pod-c']]],
    ['{.items[?(@.status.ready<0.5)].metadata.name}', [['pod-b']]],
    ["{.items[?(@.status.phase!='Pending')].metadata.name}", [['pod-a', 'pod-c']]],
    ['{.items[?(@.metadata.labels.tier)].metadata.name}', [['pod-a', 'pod-b']]],
    ['{.empty[*]}', [[]]],
    ['{.nothing}', [[null]]],
    ['{.nothing[0]}', [[]]],
    ['{.word.*}', [[104, 105]]],
    ['{.kind} is {.word}', [['List'], [' is '], ['hi']]],
    ['{1}{2.5}{true}{"text"}', [[1], [2.5], [true], ['text']]],
    ['{range .items[*]}{.metadata.name}{end}', [['pod-a'], ['pod-b'], ['pod-c']]],
  ])('%s', (template, expected) => {
    expect(run(template)).toEqual(expected);
  });

  it("reads ['key.with.dots'] as three fields, as client-go re-parses it as .key.with.dots", () => {
    expect(run("{['key.with.dots']}")).toEqual([['nested']]);
    expect(run('{.key\\.with\\.dots}')).toEqual([['dotted']]);
  });

  it('visits map values in sorted key order for * and ..', () => {
    expect(run('{.*}', { b: 2, a: 1, c: { z: 0 } })).toEqual([[1, 2, { z: 0 }]]);
    expect(run('{..z}', { b: { z: 2 }, a: { z: 1 } })).toEqual([[1, 2]]);
  });
});

describe('evaluation errors', () => {
  it.each([
    ['{.missing}', 'eval: missing is not found'],
    ['{.items[5]}', 'eval: array index out of bounds: index 5, length 3'],
    ['{.items[2:1]}', 'eval: starting index 2 is greater than ending index 1'],
    ['{.items[0:3:0]}', 'eval: step must be > 0'],
    ['{.kind[0]}', 'eval: string is not array or slice'],
    ['{.items[0].metadata[0]}', 'eval: map[string]interface {} is not array or slice'],
    ['{.key[?(@.a)]}', 'eval: map[with:map[dots:nested]] is not array or slice and cannot be filtered'],
    ['{.items[?(@.status.ready==1)]}', 'eval: incompatible types for comparison'],
    ['{.items[?(@.status==1.0)]}', 'eval: invalid type for comparison'],
    // Argo does not allow missing keys: one element without the field fails the whole filter.
    ['{.items[?(@.metadata.labels.tier=="front")]}', 'eval: tier is not found'],
    ['{.items[?(@.status.phase=1)]}', 'eval: unrecognized filter operator ='],
    ['{end}', 'eval: not in range, nothing to end'],
    ['{foo}', 'eval: unrecognized identifier foo'],
  ])('%s -> %s', (template, expected) => {
    expect(run(template)).toBe(expected);
  });
});

describe('syntax errors', () => {
  it.each([
    ['{.a', 'parse: unclosed action'],
    ['{.a[0}', 'parse: unterminated array'],
    ['{.a[x]}', 'parse: invalid array index x'],
    ['{.a[?(@.x==1}', 'parse: unterminated filter'],
    ['{.a[?(@.x==1)}', 'parse: unclosed array expect ]'],
    ['{"abc}', 'parse: unterminated quoted string'],
    ['{#}', "parse: unrecognized character in action: U+0023 '#'"],
    ['{....a}', 'parse: invalid multiple recursive descent'],
    ['{1.2.3}', 'parse: cannot parse number 1.2.3'],
    ['{.a[-]}', 'parse: array index - is not a number'],
  ])('%s -> %s', (template, expected) => {
    expect(run(template)).toBe(expected);
  });

  it('treats text without braces as a literal result', () => {
    expect(run('plain')).toEqual([['plain']]);
  });
});
