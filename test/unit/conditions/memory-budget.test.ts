/**
 * Hostile conditions: expressions that amplify strings and collections must end as an error
 * ("memory budget exceeded") and never grow the heap past what a 512 MB process can hold.
 * The generator is seeded so that a failure reproduces; each case is evaluated in this process,
 * and the nastiest ones again in a child process with a small heap (an OOM there kills the child).
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOnce } from '../../support/build.js';
import { seededRandom } from '../../support/seeded-random.js';
import { evalCondition } from '../../../src/conditions/index.js';
import { TEXT_BUDGET } from '../../../src/conditions/evaluator.js';

const rng = seededRandom;

/** A string-valued expression that grows geometrically with depth. */
function hostileString(r: () => number, depth: number): string {
  if (depth === 0) {
    const leaves = ['"abcdefgh"', 'result', 'repeat("x", 1000000)', 'string(1..100000)', '"\\u00e9\\u00e9"'];
    return leaves[Math.floor(r() * leaves.length)]!;
  }
  const inner = hostileString(r, depth - 1);
  const n = 1 + Math.floor(r() * 1_000_000);
  switch (Math.floor(r() * 9)) {
    case 0:
      return `repeat(${inner}, ${n})`;
    case 1:
      return `replace(${inner}, "${'abcdefghx'[Math.floor(r() * 9)]}", ${hostileString(r, depth - 1)})`;
    case 2:
      return `replace(${inner}, "", ${inner})`;
    case 3:
      return `(${inner} + ${inner} + ${inner})`;
    case 4:
      return `join(map(1..${Math.floor(r() * 900_000)}, ${inner}), ${inner})`;
    case 5:
      return `toJSON(split(${inner}, ""))`;
    case 6:
      return `upper(${inner})`;
    case 7:
      return `string([${inner}, ${inner}, ${inner}, ${inner}])`;
    default:
      return `(let s = ${inner}; s + s + s + s)`;
  }
}

function hostileCondition(seed: number): string {
  const r = rng(seed);
  const s = hostileString(r, 2 + Math.floor(r() * 3));
  return r() < 0.5 ? `len(${s}) > 0` : `${s} contains "zz"`;
}

const CASES = Array.from({ length: 20 }, (_, i) => 1000 + i);

describe('expression memory budget', () => {
  beforeAll(buildOnce, 240_000);

  it('amplifying string builtins end in "memory budget exceeded", with a bounded heap (seeded property)', () => {
    const base = process.memoryUsage().heapUsed;
    let refused = 0;
    for (const seed of CASES) {
      const expr = hostileCondition(seed);
      const out = evalCondition(expr, 'payload'.repeat(1000));
      if (!out.ok) {
        // Any failure must be a clean error from the language, never an internal one.
        expect(out.error, `seed ${seed}: ${expr}`).not.toMatch(/internal error|Invalid string length|heap/);
        if (out.error.startsWith('memory budget exceeded')) refused++;
      }
      // What an evaluation built is garbage once it returns: the heap does not keep it.
      expect(process.memoryUsage().heapUsed - base, `seed ${seed}: ${expr}`).toBeLessThan(400 * 1024 * 1024);
    }
    // The generator is hostile: many cases must hit the budget (otherwise it tests nothing).
    expect(refused).toBeGreaterThan(CASES.length / 3);
  }, 180_000);

  it('the reported probe (replace of repeat chained, + of large strings) is an error, not a crash', () => {
    const probe = 'replace(replace(repeat("abcdefgh", 1000000), "a", repeat("b", 1000)), "b", repeat("c", 1000)) == ""';
    expect(evalCondition(probe, 1)).toEqual({ ok: false, error: expect.stringContaining('memory budget exceeded') });
    const plus = 'let s = repeat("abcdefgh", 1000000); s + s + s + s + s + s + s + s + s == ""';
    expect(evalCondition(plus, 1)).toEqual({ ok: false, error: expect.stringContaining('memory budget exceeded') });
    const joined = 'len(join(map(1..500000, repeat("q", 1000)), "")) > 0';
    expect(evalCondition(joined, 1)).toEqual({ ok: false, error: expect.stringContaining('memory budget exceeded') });
  });

  it('ordinary string work well below the budget still evaluates', () => {
    expect(evalCondition('len(replace(repeat("ab", 100000), "a", "xyz")) == 400000', 1)).toEqual({ ok: true, value: true });
    expect(evalCondition('len(join(split(result, ","), ";")) == len(result)', 'a,b,c,d')).toEqual({ ok: true, value: true });
    expect(evalCondition(`len(repeat("x", ${TEXT_BUDGET / 64})) > 0`, 1)).toEqual({ ok: true, value: true });
  });

  it('a child process with a 160 MB heap survives the hostile cases', async () => {
    const exprs = CASES.map(hostileCondition);
    const script = `
      const { evalCondition } = await import(${JSON.stringify(resolve(import.meta.dirname, '../../../dist/src/conditions/index.js'))});
      const exprs = JSON.parse(process.argv[1]);
      let errors = 0;
      for (const e of exprs) if (!evalCondition(e, 'payload').ok) errors++;
      console.log(JSON.stringify({ errors, heap: process.memoryUsage().heapUsed }));
    `;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--max-old-space-size=160', '--input-type=module', '-e', script, JSON.stringify(exprs)],
      { maxBuffer: 1024 * 1024, timeout: 120_000 },
    );
    const out = JSON.parse(stdout.trim()) as { errors: number; heap: number };
    expect(out.errors).toBeGreaterThan(0);
  }, 180_000);
});
