/** Argo's env helpers (asInt, asFloat, isNaN, isInf, isNil, default) including the whole-`result` quirk. */
import { describe, it } from 'vitest';
import { expectError, expectValue, type ErrRow, type Row } from './table.js';

describe('asInt / asFloat', () => {
  it.each<Row>([
    ['asInt(result) == 1', 1.123, true], // truncation
    ['asInt(result) == -1', -1.9, true],
    ['asInt(result) == 42', '42', true],
    ['asInt(result) == 42', '+42', true],
    ['asInt("5") + 1 == 6', null, true],
    ['asInt(result.v) == 7', { v: '7' }, true],
    ['asFloat(result) == 1.5', '1.5', true],
    ['asFloat(result) == 1000', '1e3', true],
    ['asFloat(result) == 2', 2, true],
    ['isInf(asFloat(result))', '+Inf', true],
    ['isNaN(asFloat(result))', 'NaN', true],
    ['asFloat(result) == 0.25', '0x1p-2', true], // Go accepts hex floats
  ])('%s (result=%j) -> %s', expectValue);

  it.each<ErrRow>([
    ['asInt(result) == 1', '1.1', 'strconv.ParseInt: parsing "1.1": invalid syntax'],
    ['asInt(result) == 1', 'notint', 'strconv.ParseInt: parsing "notint": invalid syntax'],
    ['asInt(result) == 1', '99999999999999999999', 'strconv.ParseInt: parsing "99999999999999999999": value out of range'],
    ['asInt(result) == 1', true, 'asInt() not supported on bool true'],
    ['asInt(result.x) == 1', {}, 'asInt() not supported on <nil> <nil>'],
    ['asFloat(result) > 1', 'NotANum', 'strconv.ParseFloat: parsing "NotANum": invalid syntax'],
    ['asFloat(result) > 1', '1e400', 'strconv.ParseFloat: parsing "1e400": value out of range'],
    ['asFloat(result) > 1', [1], 'asFloat() not supported on []float64 [1]'],
    ['asInt(result)', 1, 'expected bool, but got int'],
    ['asInt()', 1, 'not enough arguments to call asInt'],
    ['asInt(1, 2)', 1, 'too many arguments to call asInt'],
  ])('%s (result=%j) -> error %s', expectError);
});

describe('isNaN / isInf (typed float64 parameter)', () => {
  it.each<Row>([
    ['isNaN(result)', NaN, true],
    ['isNaN(result)', 1, false],
    ['isNaN(result[0])', [NaN], true],
    ['isNaN(1)', null, false], // integer literals become float64 for a float64 parameter
    ['isNaN(1 + 2)', null, false],
    ['isInf(result)', -Infinity, true],
    ['isInf(1 / 0)', null, true],
    ['isInf(result.x)', { x: 3 }, false],
  ])('%s (result=%j) -> %s', expectValue);

  it.each<ErrRow>([
    ['isNaN(result)', [1], 'cannot use []float64 as argument (type float64) to call isNaN '],
    ['isNaN(result)', 'x', 'cannot use string as argument (type float64) to call isNaN '],
    ['isNaN(nil)', 1, 'cannot use nil as argument (type float64) to call isNaN'],
    ['isNaN(result.x)', { x: 'a' }, 'interface conversion: interface {} is string, not float64'],
    ['isNaN(result.x)', {}, 'interface conversion: interface {} is nil, not float64'],
    ['isNaN(len(result))', [1], 'interface conversion: interface {} is int, not float64'],
  ])('%s (result=%j) -> error %s', expectError);
});

describe('isNil / default ignore their argument and look at the whole result', () => {
  it.each<Row>([
    ['isNil(result)', null, true],
    ['isNil(result)', 0, false],
    ['isNil(result)', [], false], // an empty (non-nil) slice is not nil
    ['isNil(1)', null, true], // argument ignored: result is nil
    ['isNil(nil)', 5, false], // argument ignored: result is not nil
    ['isNil(result.x)', { x: 1 }, false],
    ['isNil(result.missing)', { a: 1 }, false], // result.missing is nil, but result is not
    ['default(result, 0) < 0.05', null, true],
    ['default(result, 0) == 0.5', 0.5, true],
    ['default(nil, 2) == 5', 5, true], // returns the whole result, not the argument
    ['default(1, 2) == 2', null, true],
    ['default(result.missing, 7) == result', { a: 1 }, true], // returns result (a map), not 7
    ['default(result.missing, 7) == 7', { a: 1 }, false],
    ['default(result, "x") == "x"', null, true],
  ])('%s (result=%j) -> %s', expectValue);

  it.each<ErrRow>([
    ['default(result) < 1', null, 'not enough arguments to call default'],
    ['isNil()', null, 'not enough arguments to call isNil'],
    // With a nil result, touching its fields is a compile error (Argo masks it as "nil or empty").
    ['default(result.missing, 7) == 7', null, 'type nil has no field missing'],
  ])('%s (result=%j) -> error %s', expectError);
});
