/**
 * expr-lang's non-predicate builtins (builtin/builtin.go, builtin/lib.go): a static check that
 * mirrors each builtin's `Validate`/`Types`, and a runtime implementation that reproduces its
 * panics. Collection, JSON and time builtins live in builtins-more.ts.
 */
import {
  ARRAY_STRING, BOOL, FLOAT, INT, STRING, UNKNOWN, checkOverloads, isNumberN, natureName, type Nature, type Signature,
} from './nature.js';
import { asString, compare, length } from './runtime.js';
import { parseFloat64 } from './strconv.js';
import {
  fail, floatToInt, fmtV, GoAnyMap, GoDuration, GoLocation, GoTime, isMap, tagArray, typeName, wrapInt, type Value,
} from './types.js';

/**
 * String characters (UTF-16 units) one evaluation may allocate or copy, whatever builds them
 * (`+`, repeat, replace, join, split, toJSON, string(), upper, ...). expr counts no strings, and
 * Go's heap absorbs what V8's cannot: without this bound, one condition that chains
 * `replace(repeat(...))` runs the process out of memory. 32 Mi characters is far above any real
 * condition and far below what a 512 MB heap can hold.
 */
export const TEXT_BUDGET = 32 * 1024 * 1024;

export interface BuiltinCtx {
  nowMs: number;
  /** Memory budget accounting (expr's MemoryBudget, 1e6 units). */
  charge(units: number): void;
  /** String budget accounting: characters about to be built (evaluator.ts TEXT_BUDGET). */
  chargeText(units: number): void;
}

interface Builtin {
  /** Compile-time check: the result nature, or an error message. */
  check(args: Nature[]): Nature | string;
  call(args: Value[], ctx: BuiltinCtx): Value;
}

export const BUILTINS: Record<string, Builtin> = Object.create(null) as Record<string, Builtin>;

export const sigs = (...s: Array<[Nature[], Nature]>): Signature[] => s.map(([params, out]) => ({ params, out }));

export function typed(name: string, signatures: Signature[], call: Builtin['call']): void {
  BUILTINS[name] = { check: (args) => checkOverloads(name, signatures, args), call };
}

export function validated(name: string, check: Builtin['check'], call: Builtin['call']): void {
  BUILTINS[name] = { check, call };
}

export const argCount = (args: unknown[], want: number): string | null =>
  args.length === want ? null : `invalid number of arguments (expected ${want}, got ${args.length})`;

const NUMERIC_OR_ANY = (n: Nature): boolean => isNumberN(n) || n.k === 'unknown';

// ---- numbers ----------------------------------------------------------------------------------

validated(
  'len',
  (a) => argCount(a, 1) ?? (['array', 'map', 'string', 'unknown'].includes((a[0] as Nature).k) ? INT : `invalid argument for len (type ${natureName(a[0] as Nature)})`),
  ([v]) => length(v),
);

validated(
  'abs',
  (a) => argCount(a, 1) ?? (NUMERIC_OR_ANY(a[0] as Nature) ? (a[0] as Nature) : `invalid argument for abs (type ${natureName(a[0] as Nature)})`),
  ([v]) => {
    if (typeof v === 'bigint') return v < 0n ? wrapInt(-v) : v;
    if (typeof v === 'number') return Math.abs(v);
    return fail(`invalid argument for abs (type ${typeName(v)})`);
  },
);

/** Go math.Round: half away from zero. */
const goRound = (x: number): number => (x < 0 ? -Math.round(-x) : Math.round(x));

for (const [name, fn] of [['ceil', Math.ceil], ['floor', Math.floor], ['round', goRound]] as const) {
  validated(
    name,
    (a) => argCount(a, 1) ?? (NUMERIC_OR_ANY(a[0] as Nature) ? FLOAT : `invalid argument for ${name} (type ${natureName(a[0] as Nature)})`),
    ([v]) => {
      if (typeof v === 'number') return fn(v);
      if (typeof v === 'bigint') return Number(v);
      return fail(`invalid argument for ${name} (type ${typeName(v)})`);
    },
  );
}

validated(
  'int',
  (a) => argCount(a, 1) ?? (NUMERIC_OR_ANY(a[0] as Nature) || a[0]?.k === 'string' ? INT : `invalid argument for int (type ${natureName(a[0] as Nature)})`),
  ([v]) => {
    if (typeof v === 'bigint') return v;
    if (typeof v === 'number') return floatToInt(v);
    if (typeof v === 'string') {
      // strconv.Atoi
      if (!/^[+-]?[0-9]+$/.test(v) || BigInt(v) !== wrapInt(BigInt(v))) fail(`invalid operation: int(${v})`);
      return BigInt(v);
    }
    return fail(`invalid operation: int(${typeName(v)})`);
  },
);

validated(
  'float',
  (a) => argCount(a, 1) ?? (NUMERIC_OR_ANY(a[0] as Nature) || a[0]?.k === 'string' ? FLOAT : `invalid argument for float (type ${natureName(a[0] as Nature)})`),
  ([v]) => {
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'string') {
      try {
        return parseFloat64(v);
      } catch {
        return fail(`invalid operation: float(${v})`);
      }
    }
    return fail(`invalid operation: float(${typeName(v)})`);
  },
);

/** validateAggregateFunc (max, min, mean, median). */
function aggregateCheck(name: string) {
  return (a: Nature[]): Nature | string => {
    if (a.length === 0) return `not enough arguments to call ${name}`;
    for (const n of a) {
      if (n.k === 'unknown' || n.k === 'array') return UNKNOWN;
      if (!isNumberN(n)) return `invalid argument for ${name} (type ${natureName(n)})`;
    }
    return a[0] as Nature;
  };
}

function minMax(name: string, pick: (cur: Value, cand: Value) => boolean, args: Value[]): Value {
  let val: Value = null;
  for (const arg of args) {
    if (Array.isArray(arg)) {
      for (const item of arg) {
        const e = minMax(name, pick, [item]);
        if (typeof e !== 'number' && typeof e !== 'bigint') fail(`invalid argument for ${name} (type ${typeName(e)})`);
        if (val === null || pick(val, e)) val = e;
      }
    } else if (typeof arg === 'number' || typeof arg === 'bigint') {
      if (val === null || pick(val, arg)) val = arg;
    } else {
      if (args.length === 1) return arg;
      fail(`invalid argument for ${name} (type ${typeName(arg)})`);
    }
  }
  return val;
}

validated('max', aggregateCheck('max'), (args) => minMax('max', (a, b) => compare('<', a, b), args));
validated('min', aggregateCheck('min'), (args) => minMax('min', (a, b) => compare('>', a, b), args));

function collectNumbers(name: string, args: Value[], out: number[]): void {
  for (const arg of args) {
    if (Array.isArray(arg)) collectNumbers(name, arg, out);
    else if (typeof arg === 'number' || typeof arg === 'bigint') out.push(Number(arg));
    else fail(`invalid argument for ${name} (type ${typeName(arg)})`);
  }
}

validated('mean', aggregateCheck('mean'), (args) => {
  const xs: number[] = [];
  collectNumbers('mean', args, xs);
  return xs.length === 0 ? 0 : xs.reduce((s, x) => s + x, 0) / xs.length;
});

validated('median', aggregateCheck('median'), (args) => {
  const xs: number[] = [];
  collectNumbers('median', args, xs);
  if (xs.length === 0) return 0;
  xs.sort((a, b) => a - b);
  const n = xs.length;
  return n % 2 === 1 ? (xs[(n - 1) / 2] as number) : ((xs[n / 2 - 1] as number) + (xs[n / 2] as number)) / 2;
});

// ---- strings ----------------------------------------------------------------------------------

typed('type', sigs([[UNKNOWN], STRING]), ([v]) => goTypeWord(v));
typed('string', sigs([[UNKNOWN], STRING]), ([v], ctx) => {
  ctx.chargeText(textSize(v));
  return fmtV(v);
});
typed('upper', sigs([[STRING], STRING]), ([s]) => asString(s).toUpperCase());
typed('lower', sigs([[STRING], STRING]), ([s]) => asString(s).toLowerCase());

const GO_SPACE = /^[\s\u0085]+|[\s\u0085]+$/gu;
typed('trim', sigs([[STRING], STRING], [[STRING, STRING], STRING]), (a) => {
  const s = asString(a[0]);
  if (a.length === 1) return s.replace(GO_SPACE, '');
  const cut = new Set(Array.from(asString(a[1])));
  const cs = Array.from(s);
  let i = 0;
  let j = cs.length;
  while (i < j && cut.has(cs[i] as string)) i++;
  while (j > i && cut.has(cs[j - 1] as string)) j--;
  return cs.slice(i, j).join('');
});
typed('trimPrefix', sigs([[STRING, STRING], STRING], [[STRING], STRING]), (a) => {
  const s = asString(a[0]);
  const p = a.length === 2 ? asString(a[1]) : ' ';
  return s.startsWith(p) ? s.slice(p.length) : s;
});
typed('trimSuffix', sigs([[STRING, STRING], STRING], [[STRING], STRING]), (a) => {
  const s = asString(a[0]);
  const p = a.length === 2 ? asString(a[1]) : ' ';
  return p !== '' && s.endsWith(p) ? s.slice(0, s.length - p.length) : s;
});

/** strings.SplitN / SplitAfterN (n < 0: all parts; n == 0: none). */
function split(s: string, sep: string, n: number, after: boolean): string[] {
  if (n === 0) return [];
  let parts: string[];
  if (sep === '') parts = Array.from(s);
  else {
    parts = s.split(sep);
    if (after) parts = parts.map((p, i) => (i < parts.length - 1 ? p + sep : p));
  }
  if (n > 0 && parts.length > n) {
    const head = parts.slice(0, n - 1);
    const tail = parts.slice(n - 1).join(after || sep === '' ? '' : sep);
    parts = [...head, tail];
  }
  return parts;
}
for (const [name, after] of [['split', false], ['splitAfter', true]] as const) {
  typed(name, sigs([[STRING, STRING], ARRAY_STRING], [[STRING, STRING, INT], ARRAY_STRING]), (a, ctx) => {
    const n = a.length === 3 ? Number(a[2] as bigint) : -1;
    const [s, sep] = [asString(a[0]), asString(a[1])];
    // Each part is a string object: an element of the array budget, and its characters copied.
    const parts = sep === '' ? s.length : occurrences(s, sep) + 1;
    ctx.charge(n > 0 ? Math.min(n, parts) : parts);
    ctx.chargeText(s.length + (after ? parts * sep.length : 0));
    return tagArray(split(s, sep, n, after), '[]string');
  });
}

typed('replace', sigs([[STRING, STRING, STRING, INT], STRING], [[STRING, STRING, STRING], STRING]), (a, ctx) => {
  const [s, old, rep] = [asString(a[0]), asString(a[1]), asString(a[2])];
  let n = a.length === 4 ? Number(a[3] as bigint) : -1;
  // The output's size, bounded before it is built: each replaced occurrence adds `rep`.
  let hits = old === '' ? s.length + 1 : occurrences(s, old);
  if (n >= 0 && n < hits) hits = n;
  ctx.chargeText(s.length + hits * rep.length);
  if (old === '') {
    const cs = Array.from(s);
    let out = '';
    for (let i = 0; i <= cs.length; i++) {
      out += n !== 0 ? rep : '';
      if (n > 0) n--;
      out += cs[i] ?? '';
    }
    return out;
  }
  const parts = s.split(old);
  if (n < 0 || n >= parts.length - 1) return parts.join(rep);
  return parts.slice(0, n + 1).join(rep) + old + parts.slice(n + 1).join(old);
});

typed('repeat', sigs([[STRING, INT], STRING]), (a, ctx) => {
  const s = asString(a[0]);
  const n = a[1] as bigint;
  if (n < 0n) fail(`invalid argument for repeat (expected positive integer, got ${n})`);
  if (n > 1_000_000n) fail('memory budget exceeded');
  ctx.chargeText(s.length * Number(n));
  return s.repeat(Number(n));
});

typed(
  'join',
  [
    { params: [ARRAY_STRING, STRING], out: STRING },
    { params: [{ k: 'array', t: '[]interface {}', elem: UNKNOWN }, STRING], out: STRING },
    { params: [{ k: 'array', t: '[]interface {}', elem: UNKNOWN }], out: STRING },
    { params: [ARRAY_STRING], out: STRING },
  ],
  (a, ctx) => {
    const glue = a.length === 2 ? asString(a[1]) : '';
    if (!Array.isArray(a[0])) return fail(`invalid argument for join (type ${typeName(a[0])})`);
    const parts = a[0].map((x) => asString(x));
    ctx.chargeText(parts.reduce((n, p) => n + p.length, 0) + Math.max(0, parts.length - 1) * glue.length);
    return parts.join(glue);
  },
);

const byteIndex = (s: string, sub: string, last: boolean): bigint => {
  const b = Buffer.from(s);
  const needle = Buffer.from(sub);
  return BigInt(last ? b.lastIndexOf(needle) : b.indexOf(needle));
};
typed('indexOf', sigs([[STRING, STRING], INT]), (a) => byteIndex(asString(a[0]), asString(a[1]), false));
typed('lastIndexOf', sigs([[STRING, STRING], INT]), (a) => byteIndex(asString(a[0]), asString(a[1]), true));
typed('hasPrefix', sigs([[STRING, STRING], BOOL]), (a) => asString(a[0]).startsWith(asString(a[1])));
typed('hasSuffix', sigs([[STRING, STRING], BOOL]), (a) => asString(a[0]).endsWith(asString(a[1])));

/** Occurrences of a non-empty `sub` in `s`, without allocating (strings.Count). */
function occurrences(s: string, sub: string): number {
  let count = 0;
  for (let i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length)) count++;
  return count;
}

/**
 * A lower bound of the characters a value prints as (string(), toJSON): its strings plus one per
 * element, summed over every reference (an array may hold the same long string many times).
 * Stops counting past the string budget, which is all the caller needs to know.
 */
export function textSize(v: Value, limit = Number.MAX_SAFE_INTEGER): number {
  let total = 0;
  const stack: Value[] = [v];
  while (stack.length > 0 && total <= limit) {
    const x = stack.pop();
    total += 1;
    if (typeof x === 'string') total += x.length;
    else if (Array.isArray(x)) for (const y of x) stack.push(y);
    else if (x instanceof GoAnyMap) for (const [k, y] of x.entries.values()) stack.push(k, y);
    else if (isMap(x)) for (const [k, y] of Object.entries(x)) stack.push(k, y);
  }
  return total;
}

/** builtin `type()`: Go kind words ("int", "float", "array", "map", "nil"), package-qualified named types. */
function goTypeWord(v: Value): string {
  if (v === null || v === undefined) return 'nil';
  if (v instanceof GoTime) return 'time.Time';
  if (v instanceof GoDuration) return 'time.Duration';
  if (v instanceof GoLocation) return 'time.Location';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    case 'string':
      return 'string';
  }
  if (Array.isArray(v)) return 'array';
  if (v instanceof GoAnyMap || isMap(v)) return 'map';
  return 'unknown';
}
