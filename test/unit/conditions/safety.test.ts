/**
 * Expressions are user data: no path to JS internals, no unbounded work, bounded caches.
 * Also prints the cost of a cached evaluation (not asserted: machines differ).
 */
import { describe, expect, it } from 'vitest';
import { LruCache } from '../../../src/conditions/cache.js';
import { checkCondition, evalCondition } from '../../../src/conditions/index.js';
import { expectError, expectValue, type Row } from './table.js';

describe('prototype and JS internals are plain missing keys', () => {
  it.each<Row>([
    ['result.constructor == nil', {}, true],
    ['result.__proto__ == nil', {}, true],
    ['result.toString == nil', {}, true],
    ['result.hasOwnProperty == nil', { a: 1 }, true],
    ['result["constructor"] == nil', {}, true],
    ['result.a.constructor == nil', { a: {} }, true],
    ['"constructor" in result', {}, false],
    ['"__proto__" in result', {}, false],
    ['len(result) == 1', { a: 1 }, true],
    ['{"__proto__": 1}.__proto__ == 1', null, true], // a map literal key is just data
    ['keys({"constructor": 1}) == ["constructor"]', null, true],
    ['result.__proto__ == 5', JSON.parse('{"__proto__": 5}'), true], // an own JSON key is data too
  ])('%s (result=%j) -> %s', expectValue);

  it('unknown identifiers never reach globals', () => {
    for (const name of ['constructor', 'process', 'globalThis', 'require', 'eval', 'Function', 'toString', '__proto__', 'this']) {
      expect(evalCondition(`${name} == nil`, {}), name).toEqual({ ok: false, error: `unknown name ${name}` });
    }
    expect(evalCondition('constructor.constructor("return process")() == nil', {}).ok).toBe(false);
    expectError('result.constructor("x")', {}, 'method calls are not supported (constructor)');
  });

  it('array and string internals are not reachable', () => {
    expectError('result.length == 1', [1], 'array elements can only be selected using an integer (got string)');
    expectError('result.a.length == 1', { a: [1] }, 'invalid operation: int(string)');
    expectValue('result.a.length == nil', { a: {} }, true);
  });

  it('evaluation never mutates the result', () => {
    const result = Object.freeze({ a: Object.freeze([3, 1, 2]) });
    expectValue('sort(result.a) == [1, 2, 3] && reverse(result.a)[0] == 2', result, true);
    expect(result.a).toEqual([3, 1, 2]);
  });
});

describe('bounded work', () => {
  it('a catastrophic-backtracking regex completes quickly (RE2, linear time)', () => {
    // A backtracking engine would not finish these in the lifetime of the machine: the test's
    // timeout, not a clock assertion, is what would catch it.
    const input = `${'a'.repeat(200_000)}!`;
    expectValue('result matches "(a+)+$"', input, false);
    expectValue('result matches "^(a|aa)+$"', input, false);
  }, 30_000);

  it('caps the expression length', () => {
    const long = `result == "${'a'.repeat(10_000)}"`;
    expectError(long, 'a', 'expression is longer than 10000 characters');
  });

  it('caps bracket nesting and operator nesting', () => {
    expectError(`${'('.repeat(100)}true${')'.repeat(100)}`, null, 'expression nesting exceeds 64 levels');
    expectError(`${'!'.repeat(1500)}true`, null, 'expression nesting exceeds 1000 levels');
    expectValue(`${'!'.repeat(500)}true`, null, true);
    expectValue(`true${' && true'.repeat(900)}`, null, true);
  });

  it('caps evaluation steps (closure iterations included)', () => {
    expectError('len(map(1..1000, map(1..1000, #))) > 0', null, 'evaluation exceeded 1000000 steps');
    expectError('all(1..600000, # > 0) && all(1..600000, # > 0)', null, 'evaluation exceeded 1000000 steps');
  });

  it('caps memory like expr (MemoryBudget)', () => {
    expectError('len(1..2000000) > 0', null, 'memory budget exceeded');
    expectError('repeat("a", 2000000) == ""', null, 'memory budget exceeded');
  });

  it('the cache is bounded and evicts the least recently used entries', () => {
    const cache = new LruCache<number, string>(10);
    for (let i = 0; i < 10; i++) cache.set(i, `v${i}`);
    expect(cache.get(0)).toBe('v0'); // touch 0: now the most recently used
    cache.set(10, 'v10');
    expect(cache.size).toBeLessThanOrEqual(10);
    expect(cache.get(0)).toBe('v0');
    expect(cache.get(10)).toBe('v10');
    expect(cache.get(1)).toBeUndefined();
  });

  it('many distinct expressions do not break the bounded cache', () => {
    for (let i = 0; i < 12_000; i++) expect(checkCondition(`result == ${i}`).ok).toBe(true);
    expectValue('result == 5', 5, true);
  });
});

describe('performance sanity (printed, not asserted)', () => {
  it('cached evalCondition("result[0] >= 0.95", [0.99]) costs a few µs', () => {
    const result = [0.99];
    for (let i = 0; i < 10_000; i++) evalCondition('result[0] >= 0.95', result);
    const n = 100_000;
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) evalCondition('result[0] >= 0.95', result);
    const perCall = Number(process.hrtime.bigint() - start) / n / 1000;
    console.log(`cached evalCondition('result[0] >= 0.95', [0.99]): ${perCall.toFixed(2)} µs per call`);
    expect(evalCondition('result[0] >= 0.95', result)).toEqual({ ok: true, value: true });
  });
});
