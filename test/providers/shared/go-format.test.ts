/**
 * The Go formatting primitives behind measurement values and messages, as tables of inputs and
 * the exact strings Go produces for them.
 */
import { describe, expect, it } from 'vitest';
import { parseGoDuration } from '../../../src/go/duration.js';
import { formatFloatF, goJsonMarshal, goQuote, goSprintV, parseGoFloat } from '../../../src/go/format.js';

describe('formatFloatF = strconv.FormatFloat(v, \'f\', -1, 64)', () => {
  it.each([
    [10, '10'],
    [0.5, '0.5'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [-0, '-0'],
    [1e21, '1000000000000000000000'],
    [1.5e-7, '0.00000015'],
    [123456789.125, '123456789.125'],
    [-2.5e-10, '-0.00000000025'],
    [0.1 + 0.2, '0.30000000000000004'],
  ])('%s -> %s', (v, s) => {
    expect(formatFloatF(v)).toBe(s);
  });
});

describe('parseGoFloat = strconv.ParseFloat', () => {
  it.each([
    ['+Inf', Infinity],
    ['-Inf', -Infinity],
    ['Inf', Infinity],
    ['infinity', Infinity],
    ['NaN', NaN],
    ['0.5', 0.5],
    ['-1e-7', -1e-7],
    ['.5', 0.5],
    ['5.', 5],
    ['1e400', Infinity],
  ])('%s -> %s', (s, v) => {
    expect(parseGoFloat(s)).toBe(v);
  });

  it.each(['', ' 1', '1,5', '0x', 'abc', '1e', '--1'])('refuses %j', (s) => {
    expect(parseGoFloat(s)).toBeUndefined();
  });
});

describe('goJsonMarshal = encoding/json.Marshal of decoded JSON', () => {
  it.each([
    [null, 'null'],
    ['1', '"1"'],
    [1.5, '1.5'],
    [1e21, '1e+21'],
    [1e-7, '1e-7'],
    [-0, '-0'],
    [{ b: 1, a: [true, null] }, '{"a":[true,null],"b":1}'],
    ['<a href="x">&\u2028', '"\\u003ca href=\\"x\\"\\u003e\\u0026\\u2028"'],
    ['tab\tnew\nline\u0001\b\f', '"tab\\tnew\\nline\\u0001\\b\\f"'],
    ['\ud800', '"\ufffd"'],
    [{ é: 1, z: 2, Z: 3 }, '{"Z":3,"z":2,"é":1}'],
  ])('%j -> %s', (v, s) => {
    expect(goJsonMarshal(v)).toBe(s);
  });
});

describe('goSprintV = fmt %v of decoded JSON', () => {
  it.each([
    [{ b: [1, 'x'], a: null }, 'map[a:<nil> b:[1 x]]'],
    [1e6, '1e+06'],
    [123456, '123456'],
    [0.00001, '1e-05'],
    [0.0001, '0.0001'],
    [true, 'true'],
  ])('%j -> %s', (v, s) => {
    expect(goSprintV(v)).toBe(s);
  });
});

describe('goQuote = strconv.Quote', () => {
  it('escapes like Go', () => {
    expect(goQuote('a"b\\c\n\x01é')).toBe('"a\\"b\\\\c\\n\\x01é"');
  });
});

describe('parseGoDuration = time.ParseDuration', () => {
  it.each([
    ['1m', 60],
    ['1h30m', 5400],
    ['1.5s', 1.5],
    ['300ms', 0.3],
    ['-2m', -120],
    ['0', 0],
  ])('%s -> %s s', (s, seconds) => {
    expect(parseGoDuration(s)).toEqual({ ok: true, ms: seconds * 1000 });
  });

  it.each([
    ['', 'time: invalid duration ""'],
    ['1', 'time: missing unit in duration "1"'],
    ['1d', 'time: unknown unit "d" in duration "1d"'],
    ['m', 'time: invalid duration "m"'],
    ['.s', 'time: invalid duration ".s"'],
  ])('%j -> %s', (s, error) => {
    expect(parseGoDuration(s)).toEqual({ ok: false, error });
  });
});
