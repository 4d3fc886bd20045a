import { describe, expect, it } from 'vitest';
import { formatGoDuration, parseGoDuration } from '../../../src/go/duration.js';
import { formatFloatF, goAtoi, goJsonMarshal, goQuote } from '../../../src/go/format.js';

describe('Go time.ParseDuration', () => {
  it.each([
    ['1m', 60_000],
    ['90s', 90_000],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['2h', 7_200_000],
    ['500ms', 500],
    ['0', 0],
    ['-1s', -1000],
    ['+5s', 5000],
    ['1h1m1s', 3_661_000],
    ['.5s', 500],
    ['100us', 0.1],
    ['100µs', 0.1],
  ])('parses %s', (text, ms) => {
    expect(parseGoDuration(text)).toEqual({ ok: true, ms });
  });

  it.each([
    ['', 'time: invalid duration ""'],
    ['abc', 'time: invalid duration "abc"'],
    ['5', 'time: missing unit in duration "5"'],
    ['1d', 'time: unknown unit "d" in duration "1d"'],
    ['1m5', 'time: missing unit in duration "1m5"'],
    ['.s', 'time: invalid duration ".s"'],
  ])('rejects %j with Go message', (text, error) => {
    expect(parseGoDuration(text)).toEqual({ ok: false, error });
  });

  it.each([
    [0, '0s'],
    [90_000, '1m30s'],
    [1500, '1.5s'],
    [3_600_000, '1h0m0s'],
    [250, '250ms'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatGoDuration(ms)).toBe(text);
  });
});

describe('Go formatting', () => {
  it('quotes like strconv.Quote', () => {
    expect(goQuote('a"b\\c\n\t')).toBe('"a\\"b\\\\c\\n\\t"');
    expect(goQuote('héllo')).toBe('"héllo"');
    expect(goQuote('\x01')).toBe('"\\x01"');
  });

  it.each([
    [10, '10'],
    [0.5, '0.5'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [1e21, '1000000000000000000000'],
    [1.5e-7, '0.00000015'],
    [-2.5e-8, '-0.000000025'],
  ])('FormatFloat(%s, f, -1) = %s', (v, s) => {
    expect(formatFloatF(v)).toBe(s);
  });

  it('marshals JSON like encoding/json (sorted keys, HTML escapes)', () => {
    expect(goJsonMarshal({ b: 1, a: 'x<y' })).toBe('{"a":"x\\u003cy","b":1}');
    expect(goJsonMarshal([1, 'two', null, true])).toBe('[1,"two",null,true]');
  });

  it('reads ints like IntOrString.IntValue', () => {
    expect(goAtoi('42')).toBe(42);
    expect(goAtoi('-3')).toBe(-3);
    expect(goAtoi('4.5')).toBe(0);
    expect(goAtoi('abc')).toBe(0);
    expect(goAtoi('')).toBe(0);
  });
});
