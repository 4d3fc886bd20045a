/**
 * Compile-time behaviour: checkCondition (linter) and the per-result-type type check Argo gets from
 * `expr.Compile(cond, expr.Env({result: <actual value>}))`.
 */
import { describe, expect, it } from 'vitest';
import { checkCondition, evalCondition } from '../../../src/conditions/index.js';
import { expectError, type ErrRow } from './table.js';

describe('checkCondition', () => {
  it.each([
    'result[0] >= 0.95',
    'all(result, {# > 0.9})',
    'default(result, 0) < 0.05',
    'isNil(result) || asFloat(result.value) > 1',
    'result.ok && result.successPercent >= 0.90',
    'len(result) > 0 and result[0] <= 0.01',
    'result == "I am OK" or result == true', // types unknown for the linter: both allowed
    'result[5] > 1 && asFloat("NotANum") > 0', // run-time errors are not compile errors
  ])('accepts %s', (e) => {
    expect(checkCondition(e)).toEqual({ ok: true });
  });

  it.each([
    ['invalidVariable > 1', 'unknown name invalidVariable'],
    ['results[0] >= 90', 'unknown name results'],
    ['foo(result)', 'unknown name foo'],
    ['result >', 'unexpected token EOF'],
    ['"a" > 1', 'invalid operation: > (mismatched types string and int)'],
    ['1 && true', 'invalid operation: && (mismatched types int and bool)'],
    ['all(result, {# > 1}', 'unexpected token EOF'],
    ['result matches "("', 'error parsing regexp: missing closing ): `(`'],
    ['now() > 1', 'invalid operation: > (mismatched types time.Time and int)'],
    ['x'.repeat(10_001), 'expression is longer than 10000 characters'],
  ])('rejects %s', (e, message) => {
    expect(checkCondition(e)).toEqual({ ok: false, error: message });
  });
});

describe('the type of result decides compile errors, like expr.Env(map)', () => {
  it.each<ErrRow>([
    ['result == true', 'true', 'invalid operation: == (mismatched types string and bool)'],
    ['result.x > 1', 5, 'type float64 has no field x'],
    ['result[0] > 1', 5, 'type float64[int] is undefined'],
    ['len(result) > 0', 5, 'invalid argument for len (type float64)'],
    ['isNaN(result)', [1], 'cannot use []float64 as argument (type float64) to call isNaN '],
    ['result > 1', [1], 'invalid operation: > (mismatched types []float64 and int)'],
    ['"a" in result', [1], 'cannot use string as type float64 in array'],
    ['result && true', 1, 'invalid operation: && (mismatched types float64 and bool)'],
    ['!result', 1, 'invalid operation: ! (mismatched type float64)'],
    ['result(1)', 1, 'float64 is not callable'],
  ])('%s (result=%j) -> %s', expectError);

  it('a dead branch still fails to compile when the types mismatch', () => {
    expectError('false && result == true', 'x', 'invalid operation: == (mismatched types string and bool)');
  });

  it('the same expression compiles for one result type and not another (cache is per type)', () => {
    expect(evalCondition('result == true', true)).toEqual({ ok: true, value: true });
    expect(evalCondition('result == true', 'true')).toEqual({ ok: false, error: 'invalid operation: == (mismatched types string and bool)' });
    expect(evalCondition('result == true', { a: 1 })).toEqual({ ok: false, error: 'invalid operation: == (mismatched types map[string]interface {} and bool)' });
    expect(evalCondition('result == true', true)).toEqual({ ok: true, value: true });
  });

  it('values read from maps are interface {} and only checked at run time', () => {
    expect(evalCondition('result.flag == true', { flag: 'true' })).toEqual({ ok: true, value: false });
    expect(evalCondition('result.flag == true', { flag: true })).toEqual({ ok: true, value: true });
  });
});
