import { it } from 'vitest';
import { evalCondition } from '../../../src/conditions/index.js';
it('fuzz', () => {
  let a = 12345; const rnd = () => { a |= 0; a = a + 0x6D2B79F5 | 0; let t = Math.imul(a ^ a >>> 15, 1 | a); t = t + Math.imul(t ^ t >>> 7, 61 | t) ^ t; return ((t ^ t >>> 14) >>> 0) / 4294967296; };
  const pick = <T,>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const gen = (d: number, inPred: boolean): string => {
    if (d <= 0) return pick(['result', '1', '0.5', '"a"', 'true', 'nil', ...(inPred ? ['#', '.a', '#.a'] : []), 'result.a', 'result[0]', '[1, 2]', '{a: 1}']);
    const k = Math.floor(rnd() * 16);
    switch (k) {
      case 0: return `${gen(d - 1, inPred)} ${pick(['+', '-', '*', '/', '%', '**', '==', '!=', '<', '>=', '&&', '||', 'and', 'or', 'in', 'not in', 'matches', 'contains', '??', '..'])} ${gen(d - 1, inPred)}`;
      case 1: return `${pick(['!', 'not ', '-'])}${gen(d - 1, inPred)}`;
      case 2: return `(${gen(d - 1, inPred)})`;
      case 3: return `${pick(['all', 'any', 'filter', 'map', 'count', 'none', 'one', 'find', 'sum', 'sortBy', 'groupBy'])}(${gen(d - 1, inPred)}, ${rnd() < 0.5 ? '{' + gen(d - 1, true) + '}' : gen(d - 1, true)})`;
      case 4: return `${pick(['len', 'max', 'min', 'abs', 'string', 'int', 'float', 'upper', 'first', 'last', 'keys', 'type', 'asInt', 'asFloat', 'isNaN', 'isNil', 'reverse', 'sort', 'uniq', 'flatten'])}(${gen(d - 1, inPred)})`;
      case 5: return `${gen(d - 1, inPred)} ? ${gen(d - 1, inPred)} : ${gen(d - 1, inPred)}`;
      case 6: return `${gen(d - 1, inPred)}[${gen(d - 1, inPred)}]`;
      case 7: return `${gen(d - 1, inPred)}.${pick(['a', 'b', 'not', 'in'])}`;
      case 8: return `${gen(d - 1, inPred)}?.${pick(['a', 'b'])}`;
      case 9: return `[${gen(d - 1, inPred)}, ${gen(d - 1, inPred)}]`;
      case 10: return `{a: ${gen(d - 1, inPred)}, "b": ${gen(d - 1, inPred)}}`;
      case 11: return `let v = ${gen(d - 1, inPred)}; ${gen(d - 1, inPred)}`;
      case 12: return `${gen(d - 1, inPred)} | ${pick(['len()', 'string()', 'all(# > 0)', 'map(#)', 'upper()'])}`;
      case 13: return `${gen(d - 1, inPred)}[${gen(d - 1, inPred)}:${gen(d - 1, inPred)}]`;
      case 14: return `default(${gen(d - 1, inPred)}, ${gen(d - 1, inPred)})`;
      default: return `${gen(d - 1, inPred)} ${pick(['<', '==', '>'])} ${gen(d - 1, inPred)} ${pick(['<', '==', '>'])} ${gen(d - 1, inPred)}`;
    }
  };
  const counts: Record<string, number> = {};
  const samples: Record<string, string[]> = {};
  const results: unknown[] = [[1, 2, 3], { a: [1, 'x'], b: 2 }, 0.5, 'str', null, true];
  for (let n = 0; n < 30000; n++) {
    const e = gen(1 + Math.floor(rnd() * 4), false);
    const r = pick(results);
    let out;
    try { out = evalCondition(e, r); } catch (err) { console.log('THROW', e, err); continue; }
    const key = out.ok ? 'ok' : out.error.replace(/\(.*$/, '').replace(/[0-9]+/g, 'N').slice(0, 40);
    counts[key] = (counts[key] ?? 0) + 1;
    (samples[key] ??= []).length < 2 && samples[key].push(e + '  [' + JSON.stringify(r) + '] ==> ' + (out.ok ? out.value : out.error));
  }
  const sorted = Object.entries(counts).sort((x, y) => y[1] - x[1]);
  for (const [k, v] of sorted) console.log(v, k, '\n    ', samples[k]?.join('\n     '));
});
