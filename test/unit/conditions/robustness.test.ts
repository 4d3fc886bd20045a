/**
 * Property test: random expressions (grammar-shaped and raw characters) never throw, never report an
 * internal error, and never fall through to jexl's own syntax errors (the pre-pass must catch
 * malformed input first with expr's wording).
 */
import { describe, expect, it } from 'vitest';
import { checkCondition, evalCondition, evalTime } from '../../../src/conditions/index.js';

function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rnd = rng(20240601);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;

const LEAVES = ['result', '1', '0.5', '"a"', 'true', 'nil', 'result.a', 'result[0]', '[1, 2]', '{a: 1}'];
const BINARY = ['+', '-', '*', '/', '%', '**', '==', '!=', '<', '>=', '&&', '||', 'and', 'or', 'in', 'not in', 'matches', 'contains', '??', '..'];

function gen(depth: number, inPredicate: boolean): string {
  if (depth <= 0) return pick(inPredicate ? [...LEAVES, '#', '.a', '#.a'] : LEAVES);
  const sub = (): string => gen(depth - 1, inPredicate);
  const pred = (): string => gen(depth - 1, true);
  switch (Math.floor(rnd() * 14)) {
    case 0: return `${sub()} ${pick(BINARY)} ${sub()}`;
    case 1: return `${pick(['!', 'not ', '-'])}${sub()}`;
    case 2: return `(${sub()})`;
    case 3: return `${pick(['all', 'any', 'filter', 'map', 'count', 'none', 'one', 'find', 'sum', 'sortBy', 'groupBy'])}(${sub()}, ${rnd() < 0.5 ? `{${pred()}}` : pred()})`;
    case 4: return `${pick(['len', 'max', 'abs', 'string', 'int', 'upper', 'first', 'keys', 'type', 'asInt', 'asFloat', 'isNaN', 'isNil', 'sort'])}(${sub()})`;
    case 5: return `${sub()} ? ${sub()} : ${sub()}`;
    case 6: return `${sub()}[${sub()}]`;
    case 7: return `${sub()}${pick(['.', '?.'])}${pick(['a', 'b', 'not'])}`;
    case 8: return `[${sub()}, ${sub()}]`;
    case 9: return `{a: ${sub()}, "b": ${sub()}}`;
    case 10: return `let v = ${sub()}; ${sub()}`;
    case 11: return `${sub()} | ${pick(['len()', 'string()', 'all(# > 0)', 'map(#)'])}`;
    case 12: return `${sub()}[${sub()}:${sub()}]`;
    default: return `default(${sub()}, ${sub()})`;
  }
}

const RESULTS: unknown[] = [[1, 2, 3], { a: [1, 'x'], b: 2 }, 0.5, 'str', null, true, [{ a: 1 }]];
const CHARS = 'result#.?:()[]{},"\'`|&!=<>+-*/%^ 0123456789abcxyz_$\\\n@~';

function assertClean(out: { ok: boolean; error?: string }, expression: string): void {
  if (!out.ok) {
    expect(out.error, expression).not.toMatch(/^internal error|^syntax error|too complex/);
  }
}

describe('robustness', () => {
  it('grammar-shaped random expressions', () => {
    for (let i = 0; i < 2500; i++) {
      const e = gen(1 + Math.floor(rnd() * 4), false);
      assertClean(evalCondition(e, pick(RESULTS)), e);
      assertClean(checkCondition(e), e);
      assertClean(evalTime(e, 0), e);
    }
  });

  it('random character soup', () => {
    for (let i = 0; i < 4000; i++) {
      const e = Array.from({ length: 1 + Math.floor(rnd() * 20) }, () => pick([...CHARS])).join('');
      assertClean(evalCondition(e, pick(RESULTS)), e);
    }
  });
});
