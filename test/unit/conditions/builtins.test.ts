/** expr-lang builtins (builtin/builtin.go) that conditions use: numbers, strings, collections, types. */
import { describe, it } from 'vitest';
import { expectError, expectValue, type ErrRow, type Row } from './table.js';

describe('numeric builtins', () => {
  it.each<Row>([
    ['len(result) == 3', [1, 2, 3], true],
    ['len(result) == 2', { a: 1, b: 2 }, true],
    ['len(result) == 5', 'hello', true],
    ['len(result) == 0', [], true],
    ['max(result) == 3', [1, 3, 2], true],
    ['max(1, 2.5, 2) == 2.5', null, true],
    ['min(result) == 1', [3, 1, 2], true],
    ['max(result) == nil', [], true], // empty: nil, then comparisons against it fail
    ['sum(result) == 6', [1, 2, 3], true],
    ['sum([]) == 0', null, true],
    ['sum(result, # * 2) == 12', [1, 2, 3], true],
    ['mean(result) == 2', [1, 2, 3], true],
    ['mean([]) == 0', null, true],
    ['median(result) == 2.5', [4, 1, 3, 2], true],
    ['abs(-1) == 1', null, true],
    ['abs(result) == 1.5', -1.5, true],
    ['ceil(1.2) == 2', null, true],
    ['floor(-1.2) == -2', null, true],
    ['round(2.5) == 3', null, true],
    ['round(-2.5) == -3', null, true], // half away from zero
    ['int(2.9) == 2', null, true],
    ['int("42") == 42', null, true],
    ['float("1.5") == 1.5', null, true],
    ['float(2) / 4 == 0.5', null, true],
    ['bitand(6, 3) == 2 && bitor(6, 3) == 7 && bitshl(1, 4) == 16 && bitnot(0) == -1', null, true],
  ])('%s (result=%j) -> %s', expectValue);

  it.each<ErrRow>([
    ['max(result) < 1', [], 'invalid operation: < (mismatched types <nil> and int)'],
    ['max(result) > 1', ['a'], 'invalid argument for max (type string)'],
    ['max()', null, 'not enough arguments to call max'],
    ['max("a") == 1', null, 'invalid argument for max (type string)'],
    ['len(result) > 0', 1.5, 'invalid argument for len (type float64)'],
    ['len(result.x) > 0', { x: 1 }, 'invalid argument for len (type float64)'],
    ['len(1, 2) > 0', null, 'invalid number of arguments (expected 1, got 2)'],
    ['abs("a") > 0', null, 'invalid argument for abs (type string)'],
    ['ceil(result.s) > 0', { s: 'x' }, 'invalid argument for ceil (type string)'],
    ['int("4.2") == 4', null, 'invalid operation: int(4.2)'],
    ['float("x") == 1', null, 'invalid operation: float(x)'],
    ['mean(result) > 0', ['a'], 'invalid argument for mean (type string)'],
  ])('%s (result=%j) -> error %s', expectError);
});

describe('string builtins', () => {
  it.each<Row>([
    ['upper("a") == "A" && lower("B") == "b"', null, true],
    ['trim("  a \\n") == "a"', null, true],
    ['trim("xxaxx", "x") == "a"', null, true],
    ['trimPrefix("prefix-a", "prefix-") == "a"', null, true],
    ['trimSuffix("a.txt", ".txt") == "a"', null, true],
    ['split("a,b,c", ",") == ["a", "b", "c"]', null, true],
    ['split("a,b,c", ",", 2) == ["a", "b,c"]', null, true],
    ['replace("aaa", "a", "b") == "bbb"', null, true],
    ['replace("aaa", "a", "b", 1) == "baa"', null, true],
    ['repeat("ab", 2) == "abab"', null, true],
    ['join(["a", "b"], "-") == "a-b"', null, true],
    ['indexOf("hello", "l") == 2 && lastIndexOf("hello", "l") == 3', null, true],
    ['hasPrefix("hello", "he") && hasSuffix("hello", "lo")', null, true],
    ['string(1.5) == "1.5"', null, true],
    ['string(1000000.0) == "1e+06"', null, true], // Go %v formatting
    ['string(0.00001) == "1e-05"', null, true],
    ['string(123456.0) == "123456"', null, true],
    ['string(result) == "[1 2.5]"', [1, 2.5], true],
    ['string(result) == "map[a:1 b:x]"', { b: 'x', a: 1 }, true],
    ['string(nil) == "<nil>"', null, true],
    ['string(true) == "true"', null, true],
    ['toJSON(result) == "{\\n  \\"a\\": [\\n    1,\\n    2\\n  ]\\n}"', { a: [1, 2] }, true],
    ['fromJSON("{\\"a\\": 1}").a == 1', null, true],
    ['toBase64("hi") == "aGk=" && fromBase64("aGk=") == "hi"', null, true],
  ])('%s (result=%j) -> %s', expectValue);

  it.each<ErrRow>([
    ['upper(1) == "1"', null, 'cannot use int as argument (type string) to call upper '],
    ['upper(result.x) == "A"', { x: 1 }, 'interface conversion: interface {} is float64, not string'],
    ['repeat("a", -1) == ""', null, 'invalid argument for repeat (expected positive integer, got -1)'],
    ['join(result) == ""', [1], 'cannot use []float64 as argument (type []string) to call join '], // last overload's error
    ['trim() == ""', null, 'not enough arguments to call trim'],
  ])('%s (result=%j) -> error %s', expectError);
});

describe('collection and type builtins', () => {
  it.each<Row>([
    ['first(result) == 1 && last(result) == 3', [1, 2, 3], true],
    ['first(result) == nil', [], true], // first/last recover and return nil
    ['get(result, "a") == 1 && get(result, "z") == nil', { a: 1 }, true],
    ['get(result, 5) == nil', [1], true],
    ['keys(result) == ["a"] && values(result) == [1]', { a: 1 }, true],
    ['take(result, 2) == [1, 2]', [1, 2, 3], true],
    ['reverse(result) == [3, 2, 1]', [1, 2, 3], true],
    ['uniq(result) == [1, 2]', [1, 2, 1, 2], true],
    ['concat(result, [4]) == [1, 2, 4]', [1, 2], true],
    ['flatten([[1], [2, [3]]]) == [1, 2, 3]', null, true],
    ['sort(result) == [1, 2, 3]', [3, 1, 2], true],
    ['sort(result, "desc") == [3, 2, 1]', [3, 1, 2], true],
    ['toPairs(result) == [["a", 1]]', { a: 1 }, true],
    ['fromPairs([["a", 1]]).a == 1', null, true],
    ['type(result) == "float"', 1.5, true],
    ['type(1) == "int"', null, true],
    ['type(result) == "string"', 'x', true],
    ['type(result) == "bool"', true, true],
    ['type(result) == "array"', [1], true],
    ['type(result) == "map"', {}, true],
    ['type(nil) == "nil"', null, true],
  ])('%s (result=%j) -> %s', expectValue);

  it.each<ErrRow>([
    ['first(result) == 1', 5, 'cannot get first element from float64'],
    ['keys(result) == []', [1], 'cannot get keys from []float64'],
    ['reverse(result.x) == []', { x: 1 }, 'cannot reverse float64'],
    ['take(result, "a") == []', [1], 'cannot take string elements'],
    ['sort(result, "up") == []', [1], 'invalid order up, expected asc or desc'],
    ['foo(1)', null, 'unknown name foo'],
  ])('%s (result=%j) -> error %s', expectError);
});
