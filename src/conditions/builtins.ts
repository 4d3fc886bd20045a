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

export interface BuiltinCtx {
  nowMs: number;
  /** Memory budget accounting (expr's MemoryBudget, 1e6 units). */
  charge(units: number): void;
}

export interface Builtin {
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
typed('string', sigs([[UNKNOWN], STRING]), ([v]) => fmtV(v));
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
  typed(name, sigs([[STRING, STRING], ARRAY_STRING], [[STRING, STRING, INT], ARRAY_STRING]), (a) => {
    const n = a.length === 3 ? Number(a[2] as bigint) : -1;
    return tagArray(split(asString(a[0]), asString(a[1]), n, after), '[]string');
  });
}

typed('replace', sigs([[STRING, STRING, STRING, INT], STRING], [[STRING, STRING, STRING], STRING]), (a) => {
  const [s, old, rep] = [asString(a[0]), asString(a[1]), asString(a[2])];
  let n = a.length === 4 ? Number(a[3] as bigint) : -1;
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
  ctx.charge(s.length * Number(n));
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
  (a) => {
    const glue = a.length === 2 ? asString(a[1]) : '';
    if (!Array.isArray(a[0])) return fail(`invalid argument for join (type ${typeName(a[0])})`);
    return a[0].map((x) => asString(x)).join(glue);
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

/** builtin `type()`: Go kind words ("int", "float", "array", "map", "nil"), package-qualified named types. */
export function goTypeWord(v: Value): string {
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
