/** Operators, precedence, literals and member access with expr-lang v1.17.8 semantics. */
import { describe, it } from 'vitest';
import { expectError, expectValue, type ErrRow, type Row } from './table.js';

describe('logical operators and precedence', () => {
  it.each<Row>([
    ['true || false && false', null, true], // && binds tighter than || (jexl alone gives false)
    ['true or false and false', null, true],
    ['false && true || true', null, true],
    ['false and true or true', null, true],
    ['(true || false) && false', null, false],
    ['!true', null, false],
    ['!false && true', null, true],
    ['not true', null, false],
    ['not (1 > 2)', null, true],
    ['not false and false', null, false], // (not false) and false
    ['!result', false, true],
    ['1 + 2 * 3 == 7', null, true],
    ['(1 + 2) * 3 == 9', null, true],
    ['2 ** 3 ** 2 == 512', null, true], // right-associative
    ['2 ^ 3 == 8', null, true],
    ['-2 ** 2 == -4', null, true], // unary minus binds looser than **
    ['-result == -1', 1, true],
    ['+result == 1', 1, true],
    ['10 - 4 - 3 == 3', null, true], // left-associative
    ['100 / 10 / 5 == 2', null, true],
    ['1 < 2 < 3', null, true], // comparison chaining: 1 < 2 && 2 < 3
    ['3 > 2 > 1', null, true],
    ['1 < 3 < 2', null, false],
  ])('%s (result=%j) -> %s', expectValue);

  it('logical operators return the right operand unchanged (the VM only asserts the left side)', () => {
    expectError('true && result.a', { a: 5 }, 'expected bool, but got float64');
    expectValue('false && result.a', { a: 5 }, false);
    expectError('result.a && true', { a: 1 }, 'interface conversion: interface {} is float64, not bool');
    expectError('result.a || true', { a: null }, 'interface conversion: interface {} is nil, not bool');
  });
});

describe('equality is strict across kinds but numeric across int/float', () => {
  it.each<Row>([
    ['result == 10', 10, true], // float64 result vs int literal
    ['10 == 10.0', null, true],
    ['result.a == 10', { a: 10 }, true],
    ['result.a == "10"', { a: 10 }, false], // interface values of different kinds are unequal
    ['result.a != "10"', { a: 10 }, true],
    ['result.a == 1', { a: '1' }, false],
    ['result.a == true', { a: 'true' }, false],
    ['nil == nil', null, true],
    ['result == nil', null, true],
    ['result.missing == nil', {}, true],
    ['result.a == nil', { a: 0 }, false],
    ['result == [1, 2]', [1, 2], true], // []float64 vs []interface {} of ints: element-wise
    ['[1.0] == [1]', null, true],
    ['result.a == result.b', { a: { x: [1, 'y'] }, b: { x: [1, 'y'] } }, true],
    ['result.a == result.b', { a: { x: 1 }, b: { x: 2 } }, false],
    ['"a" == "a"', null, true],
    ['"a" != "b"', null, true],
    ['result == result', NaN, false], // NaN is unequal to itself
    ['0.1 + 0.2 == 0.3', null, false], // float64 arithmetic
  ])('%s (result=%j) -> %s', expectValue);

  it.each<ErrRow>([
    // Argo compiles against the actual result, so mismatched static kinds are compile errors.
    ['1 == "1"', null, 'invalid operation: == (mismatched types int and string)'],
    ['result == true', 'true', 'invalid operation: == (mismatched types string and bool)'],
    ["result == 'true'", true, 'invalid operation: == (mismatched types bool and string)'],
    ['result == 1', 'x', 'invalid operation: == (mismatched types string and int)'],
  ])('%s (result=%j) -> error %s', expectError);
});

describe('arithmetic keeps Go int/float64 types', () => {
  it.each<Row>([
    ['7 % 3 == 1', null, true],
    ['10 / 4 == 2.5', null, true], // `/` always yields float64
    ['1 + 1 == 2', null, true],
    ['result + 1 == 2.5', 1.5, true],
    ['"a" + "b" == "ab"', null, true],
    ['9223372036854775807 + 1 < 0', null, true], // int64 wrap-around
    ['1 / 0 > 1000000', null, true], // float division by zero is +Inf
  ])('%s -> %s', expectValue);

  it.each<ErrRow>([
    ['1 + 1', null, 'expected bool, but got int'],
    ['10 / 5', null, 'expected bool, but got float64'],
    ['result', 'x', 'expected bool, but got string'],
    ['result', [1], 'expected bool, but got []float64'],
    ['result', ['a'], 'expected bool, but got []interface {}'],
    ['result', { a: 1 }, 'expected bool, but got map[string]interface {}'],
    ['result', null, 'expected bool, but got <nil>'],
    ['"a" + 1', null, 'invalid operation: + (mismatched types string and int)'],
    ['result.s + 1 == 2', { s: 'x' }, 'invalid operation: + (mismatched types string and int)'],
    ['7.5 % 2 == 1', null, 'invalid operation: % (mismatched types float64 and int)'],
    ['1 % 0 == 0', null, 'runtime error: integer divide by zero'],
    ['-"a"', null, 'invalid operation: - (mismatched type string)'],
    ['-result.s', { s: 'a' }, 'invalid operation: - string'],
  ])('%s (result=%j) -> error %s', expectError);
});

describe('comparison with nil, NaN and mixed types', () => {
  it.each<ErrRow>([
    ['result.x < 0.5', {}, 'invalid operation: < (mismatched types <nil> and float64)'],
    ['result.x >= 1', { x: 'a' }, 'invalid operation: >= (mismatched types string and int)'],
    ['result > 0.5', [0.7], 'invalid operation: > (mismatched types []float64 and float64)'],
    ['result[0] > 0.5', [[0.7]], 'invalid operation: > (mismatched types []float64 and float64)'],
    ['"a" < 1', null, 'invalid operation: < (mismatched types string and int)'],
  ])('%s (result=%j) -> error %s', expectError);

  it.each<Row>([
    ['result >= 0.9', NaN, false],
    ['result < 0.9', NaN, false],
    ['result == 0.9', NaN, false],
    ['result != 0.9', NaN, true],
    ['"abc" < "abd"', null, true],
    ['result.a < result.b', { a: 'a', b: 'b' }, true],
  ])('%s (result=%j) -> %s', expectValue);
});

describe('membership and string operators', () => {
  it.each<Row>([
    ['result in [1, 2]', 2, true],
    ['result in [1, 2]', 3, false],
    ['result not in [1, 2]', 3, true],
    ['2 in result', [1, 2], true],
    ['"a" in result', { a: 1 }, true], // map key
    ['"b" in result', { a: 1 }, false],
    ['"b" not in result', { a: 1 }, true],
    ['"constructor" in result', {}, false],
    ['result.x in [nil]', {}, true],
    ['"x" in result.missing', {}, false], // `in` on nil is false
    ['"hello" contains "ell"', null, true],
    ['"hello" not contains "xyz"', null, true],
    ['"hello" startsWith "he"', null, true],
    ['"hello" endsWith "lo"', null, true],
    ['result matches "^ok"', 'okay', true],
    ['result matches "^ok$"', 'okay', false],
    ['result not matches "^ok$"', 'okay', true],
    ['result matches "\\\\d+"', 'abc123', true], // RE2 \d; the expr string literal escapes the backslash
    ['result matches `\\d{3}`', 'abc123', true], // raw string literal
    ['result matches "(?i)^OK"', 'okay', true],
    ['result matches "a.c"', 'a\nc', false], // RE2: `.` does not match newline
  ])('%s (result=%j) -> %s', expectValue);

  it.each<ErrRow>([
    ['result matches "("', 'a', 'error parsing regexp: missing closing ): `(`'],
    ['result matches "a**"', 'a', 'error parsing regexp: invalid nested repetition operator: `**`'],
    ['result matches "[a"', 'a', 'error parsing regexp: missing closing ]: `[a`'],
    ['result matches "x{1001}"', 'a', 'error parsing regexp: invalid repeat count: `{1001}`'],
    ['result.x matches "a"', { x: 1 }, 'interface conversion: interface {} is float64, not string'],
    ['"a" in "abc"', null, 'invalid operation: in (mismatched types string and string)'],
    ['"1" in result', [1], 'cannot use string as type float64 in array'],
    ['1 in result', { a: 1 }, 'cannot use int as type string in map key'],
    ['"a" in result.x', { x: 5 }, 'operator "in" not defined on float64'],
  ])('%s (result=%j) -> error %s', expectError);
});

describe('nil coalescing, ternary and elvis', () => {
  it.each<Row>([
    ['result ?? false', null, false],
    ['result ?? false', true, true],
    ['(result.x ?? 5) == 5', {}, true],
    ['(result.x ?? 5) == 1', { x: 1 }, true],
    ['result > 1 ? true : false', 2, true],
    ['(result > 1 ? 10 : 20) == 20', 0, true],
    ['result ? false : true', true, false],
    ['true ? false ? false : true : false', null, true],
    ['false ? false : true ? true : false', null, true],
    ['1 > 2 ?: true', null, true],
  ])('%s (result=%j) -> %s', expectValue);

  it.each<ErrRow>([
    ['result.x ?? 5 == 5', {}, 'Operator (==) and coalesce expressions (??) cannot be mixed. Wrap either by parentheses.'],
    ['result ? 1 : 2', 'x', 'non-bool expression (type string) used as condition'],
    ['result.x ? 1 : 2', { x: 1 }, 'interface conversion: interface {} is float64, not bool'],
    ['true ? 1 : 2', null, 'expected bool, but got int'],
  ])('%s (result=%j) -> error %s', expectError);
});

describe('member access, indexing and slices', () => {
  it.each<Row>([
    ['result.a.b.c', { a: { b: { c: true } } }, true],
    ['result["a"] == 1', { a: 1 }, true],
    ['result.a[0] == "x"', { a: ['x'] }, true],
    ['result.missing == nil', {}, true],
    ['result[-1] == 3', [1, 2, 3], true], // negative index counts from the end
    ['result[-3] == 1', [1, 2, 3], true],
    ['result.a[result.i] == 2', { a: [1, 2, 3], i: 1.9 }, true], // a dynamic float index truncates (runtime.ToInt)
    ['result[1:3] == [2, 3]', [1, 2, 3, 4], true],
    ['result[:2] == [1, 2]', [1, 2, 3], true],
    ['result[1:] == [2, 3]', [1, 2, 3], true],
    ['result[-2:] == [2, 3]', [1, 2, 3], true],
    ['result[5:10] == []', [1, 2, 3], true], // slice bounds are clamped
    ['result.not == 1 && result.in == 2', { not: 1, in: 2 }, true], // operator words as property names
    ['result?.a == nil', {}, true],
    ['result.a?.b.c == nil', {}, true], // optional chain short-circuits the rest
    ['result.a?.[0] == nil', {}, true],
    ['result.a?.b == 1', { a: { b: 1 } }, true],
    ['[1, 2, 3][1] == 2', null, true],
    ['{"a": 1, b: 2}.b == 2', null, true],
    ['(result)[0] == 1', [1], true],
    ['$env.result == 1', 1, true],
  ])('%s (result=%j) -> %s', expectValue);

  it.each<ErrRow>([
    ['result[5] > 1', [1], 'index out of range: 5 (array length is 1)'],
    ['result[-5] > 1', [1], 'index out of range: -4 (array length is 1)'],
    ['result.foo.bar == 1', {}, 'cannot fetch bar from <nil>'],
    ['result.a.foo == 1', { a: null }, 'cannot fetch foo from <nil>'],
    ['result?.a.b == nil', {}, 'cannot fetch b from <nil>'], // `?.` only guards its own base
    ['result.a[0] == 1', { a: 5 }, 'cannot fetch 0 from float64'],
    ['result.x == 1', 5, 'type float64 has no field x'],
    ['result.length == 1', [1], 'array elements can only be selected using an integer (got string)'],
    ['result[0] == 1', { a: 1 }, 'cannot use int to get an element from map[string]interface {}'],
    ['result[0] == "a"', 'abc', 'type string[int] is undefined'],
    ['result[1.5] == 1', [1, 2], 'array elements can only be selected using an integer (got float64)'],
  ])('%s (result=%j) -> error %s', expectError);
});

describe('literals, comments, let and pipes', () => {
  it.each<Row>([
    ['0x1F == 31', null, true],
    ['0b101 == 5', null, true],
    ['0o17 == 15', null, true],
    ['1_000 == 1000', null, true],
    ['1e3 == 1000', null, true],
    ['.5 == 0.5', null, true],
    ['"\\u0041\\x42\\n" == "AB\\n"', null, true],
    ["'it\\'s' == \"it's\"", null, true],
    ['`a\\nb` == "a\\\\nb"', null, true], // raw strings keep backslashes
    ['1 == 1 // trailing comment', null, true],
    ['/* leading */ true', null, true],
    ['let x = result[0]; x > 0.5', [0.7], true],
    ['let x = 1; let y = 2; x + y == 3', null, true],
    ['result | len() == 3', [1, 2, 3], true],
    ['result | filter(# > 1) | len() == 2', [1, 2, 3], true],
    ['1 + 2 | string() == "3"', null, true],
    ['1..3 == [1, 2, 3]', null, true],
    ['len(5..1) == 0', null, true],
  ])('%s -> %s', expectValue);

  it.each<ErrRow>([
    ['"\\d" == "d"', null, 'unable to unescape string'],
    ['9223372036854775808 > 0', null, 'invalid integer literal: strconv.ParseInt: parsing "9223372036854775808": value out of range'],
    ['1e > 0', null, 'invalid float literal: strconv.ParseFloat: parsing "1e": invalid syntax'],
    ['12abc', null, 'bad number syntax: "12a"'],
    ['"abc', null, 'literal not terminated'],
    ['result @ 1', 1, "unrecognized character: U+0040 '@'"],
    ['', null, 'unexpected token EOF'],
    ['(1 + 2', null, 'unexpected token EOF'],
    ['a b', null, 'unexpected token Identifier("b")'],
    ['1 = 1', null, 'unexpected token Operator("=")'],
    ['let result = 1; true', null, 'cannot redeclare result'],
    ['let len = 1; true', null, 'cannot redeclare builtin len'],
    ['let x = 1; let x = 2; true', null, 'cannot redeclare variable x'],
  ])('%s -> error %s', expectError);
});
