/** expr builtins over collections, JSON/base64, bits and time (see builtins.ts for the shape). */
import { argCount, sigs, TEXT_BUDGET, textSize, typed, validated } from './builtins.js';
import {
  ARRAY_ANY, ARRAY_FLOAT, ARRAY_INT, ARRAY_STRING, DURATION, INT, LOCATION, MAP_ANY, STRING, TIME, UNKNOWN,
  assignable, natureName, type Nature,
} from './nature.js';
import { asString, compare, equal, fetch, toInt } from './runtime.js';
import { DEFAULT_LAYOUTS, loadLocation, parseDuration, parseTime } from './time.js';
import {
  ExprError, fail, GoAnyMap, GoDuration, GoLocation, GoTime, isMap, tagArray, typeName, wrapInt, UTC, type Value,
} from './types.js';

const one = (a: Nature[], ok: (n: Nature) => boolean, msg: (n: Nature) => string, out: (n: Nature) => Nature): Nature | string =>
  argCount(a, 1) ?? (ok(a[0] as Nature) ? out(a[0] as Nature) : msg(a[0] as Nature));
const arrayOrAny = (n: Nature): boolean => n.k === 'array' || n.k === 'unknown';
const mapOrAny = (n: Nature): boolean => n.k === 'map' || n.k === 'unknown';

/** Runs a builtin body that recovers from panics and returns nil (first, last, get). */
function orNil(f: () => Value): Value {
  try {
    return f();
  } catch (e) {
    if (e instanceof ExprError) return null;
    throw e;
  }
}

for (const [name, index] of [['first', 0n], ['last', -1n]] as const) {
  validated(
    name,
    (a) => one(a, arrayOrAny, (n) => `cannot get ${name} element from ${natureName(n)}`, (n) => (n.k === 'array' ? n.elem : UNKNOWN)),
    ([v]) => orNil(() => fetch(v, index)),
  );
}

validated(
  'get',
  (a) => {
    const err = argCount(a, 2);
    if (err) return err;
    const [base, prop] = a as [Nature, Nature];
    if (base.k === 'unknown') return UNKNOWN;
    if (base.k === 'array') return prop.k === 'int' || prop.k === 'unknown' ? base.elem : `non-integer slice index ${natureName(prop)}`;
    if (base.k === 'map') {
      return assignable(prop, STRING) || prop.k === 'unknown' ? base.elem : `cannot use ${natureName(prop)} to get an element from ${natureName(base)}`;
    }
    return `type ${natureName(base)} does not support indexing`;
  },
  ([v, i]) => orNil(() => fetch(v, i)),
);

validated(
  'take',
  (a) => {
    const err = argCount(a, 2);
    if (err) return err;
    const [arr, n] = a as [Nature, Nature];
    if (!arrayOrAny(arr)) return `cannot take from ${natureName(arr)}`;
    if (n.k !== 'int' && n.k !== 'unknown') return `cannot take ${natureName(n)} elements`;
    return arr;
  },
  ([v, n]) => {
    if (!Array.isArray(v)) return fail(`cannot take from ${typeName(v)}`);
    if (typeof n !== 'bigint') return fail(`cannot take ${typeName(n)} elements`);
    return n > BigInt(v.length) ? v : tagArray(v.slice(0, Number(n)), typeName(v));
  },
);

for (const [name, pick] of [['keys', 0], ['values', 1]] as const) {
  validated(
    name,
    (a) => one(a, mapOrAny, (n) => `cannot get ${name} from ${natureName(n)}`, () => ARRAY_ANY),
    ([v]) => {
      if (v instanceof GoAnyMap) return tagArray([...v.entries.values()].map((e) => e[pick]));
      if (!isMap(v)) return fail(`cannot get ${name} from ${kindWord(v)}`);
      return tagArray(pick === 0 ? Object.keys(v) : Object.values(v).map((x) => x ?? null));
    },
  );
}

validated(
  'toPairs',
  (a) => one(a, mapOrAny, (n) => `cannot transform ${natureName(n)} to pairs`, () => ARRAY_ANY),
  ([v]) => {
    if (!isMap(v)) return fail(`cannot transform ${kindWord(v)} to pairs`);
    return tagArray(Object.entries(v).map(([k, x]) => tagArray([k, x ?? null], '[2]interface {}')), '[][2]interface {}');
  },
);

validated(
  'fromPairs',
  (a) => one(a, arrayOrAny, (n) => `cannot transform ${natureName(n)} from pairs`, () => MAP_ANY),
  ([v]) => {
    if (!Array.isArray(v)) return fail(`cannot transform ${kindWord(v)} from pairs`);
    const out = Object.create(null) as Record<string, Value>;
    for (const pair of v) {
      if (!Array.isArray(pair)) fail(`invalid pair ${typeName(pair)}`);
      if (pair.length !== 2) fail(`invalid pair length ${pair.length}`);
      out[asString(pair[0])] = pair[1];
    }
    return out;
  },
);

validated(
  'reverse',
  (a) => one(a, arrayOrAny, (n) => `cannot reverse ${natureName(n)}`, () => ARRAY_ANY),
  ([v]) => (Array.isArray(v) ? tagArray([...v].reverse()) : fail(`cannot reverse ${kindWord(v)}`)),
);

validated(
  'uniq',
  (a) => one(a, arrayOrAny, (n) => `cannot uniq ${natureName(n)}`, () => ARRAY_ANY),
  ([v]) => {
    if (!Array.isArray(v)) return fail(`cannot uniq ${kindWord(v)}`);
    const out: Value[] = [];
    for (const x of v) if (!out.some((y) => equal(x, y))) out.push(x);
    return tagArray(out);
  },
);

validated(
  'concat',
  (a) => (a.length === 0 ? 'invalid number of arguments (expected at least 1, got 0)' : a.find((n) => !arrayOrAny(n)) ? `cannot concat ${natureName(a.find((n) => !arrayOrAny(n)) as Nature)}` : ARRAY_ANY),
  (args, ctx) => {
    const out: Value[] = [];
    for (const v of args) {
      if (!Array.isArray(v)) fail(`cannot concat ${kindWord(v)}`);
      out.push(...v);
    }
    ctx.charge(out.length);
    return tagArray(out);
  },
);

const flat = (v: readonly Value[]): Value[] => v.flatMap((x) => (Array.isArray(x) ? flat(x) : [x]));
validated(
  'flatten',
  (a) => one(a, arrayOrAny, (n) => `cannot flatten ${natureName(n)}`, () => ARRAY_ANY),
  ([v], ctx) => {
    if (!Array.isArray(v)) return fail(`cannot flatten ${kindWord(v)}`);
    const out = flat(v);
    ctx.charge(out.length);
    return tagArray(out);
  },
);

typed(
  'sort',
  [ARRAY_ANY, ARRAY_INT, ARRAY_FLOAT, ARRAY_STRING].flatMap((arr) => [
    { params: [arr, STRING], out: ARRAY_ANY },
    { params: [arr], out: ARRAY_ANY },
  ]),
  (a, ctx) => {
    if (a.length !== 1 && a.length !== 2) fail(`invalid number of arguments (expected 1 or 2, got ${a.length})`);
    const arr = Array.isArray(a[0]) ? [...a[0]] : [];
    let desc = false;
    if (a.length === 2) {
      const order = asString(a[1]);
      if (order !== 'asc' && order !== 'desc') fail(`invalid order ${order}, expected asc or desc`);
      desc = order === 'desc';
    }
    arr.sort((x, y) => (compare('<', x, y) ? -1 : compare('<', y, x) ? 1 : 0) * (desc ? -1 : 1));
    ctx.charge(arr.length);
    return tagArray(arr);
  },
);

// ---- bits -------------------------------------------------------------------------------------

const BIT_OPS: Array<[string, (x: bigint, y: bigint) => bigint, boolean]> = [
  ['bitand', (x, y) => x & y, false],
  ['bitor', (x, y) => x | y, false],
  ['bitxor', (x, y) => x ^ y, false],
  ['bitnand', (x, y) => x & ~y, false],
  ['bitshl', (x, y) => x << y, true],
  ['bitshr', (x, y) => x >> y, true],
  ['bitushr', (x, y) => BigInt.asUintN(64, x) >> y, true],
];
for (const [name, op, shift] of BIT_OPS) {
  typed(name, sigs([[INT, INT], INT]), ([x, y]) => {
    const [a, b] = [toInt(x), toInt(y)];
    if (shift && b < 0n) fail(`invalid operation: negative shift count ${b} (type int)`);
    return wrapInt(op(a, shift ? (b > 64n ? 64n : b) : b));
  });
}
typed('bitnot', sigs([[INT], INT]), ([x]) => wrapInt(~toInt(x)));

// ---- encoding ---------------------------------------------------------------------------------

typed('toJSON', sigs([[UNKNOWN], STRING]), ([v], ctx) => {
  ctx.chargeText(textSize(v, TEXT_BUDGET));
  return toJSON(v, '');
});
typed('fromJSON', sigs([[STRING], UNKNOWN]), ([s], ctx) => {
  // Every value in the document becomes an object or an element: bound them before parsing.
  ctx.charge(jsonValueCount(asString(s)));
  try {
    return JSON.parse(asString(s)) as Value;
  } catch (e) {
    return fail((e as Error).message);
  }
});
typed('toBase64', sigs([[STRING], STRING]), ([s]) => Buffer.from(asString(s)).toString('base64'));
typed('fromBase64', sigs([[STRING], STRING]), ([s]) => {
  const str = asString(s);
  const bad = /[^A-Za-z0-9+/=]/.exec(str)?.index ?? (str.length % 4 !== 0 ? str.length - (str.length % 4) : -1);
  if (bad >= 0) fail(`illegal base64 data at input byte ${bad}`);
  return Buffer.from(str, 'base64').toString();
});

/** An upper bound of the values a JSON text holds: one per `[`, `{`, `,` and `:`, plus one. */
function jsonValueCount(s: string): number {
  let n = 1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5b || c === 0x7b || c === 0x2c) n++;
  }
  return n;
}

/** Go json.MarshalIndent(v, "", "  "): sorted keys, HTML-safe escaping, Go float formatting. */
function toJSON(v: Value, indent: string): string {
  const inner = `${indent}  `;
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) fail(`json: unsupported value: ${Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf'}`);
    return JSON.stringify(v).replace(/e-0(\d)$/, 'e-$1');
  }
  if (typeof v === 'string') return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (v instanceof GoDuration) return v.ns.toString();
  if (v instanceof GoTime) return JSON.stringify(new Date(Number(v.ns / 1_000_000n)).toISOString().replace('.000Z', 'Z'));
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map((x) => inner + toJSON(x, inner)).join(',\n')}\n${indent}]`;
  }
  if (isMap(v)) {
    const keys = Object.keys(v).sort();
    if (keys.length === 0) return '{}';
    return `{\n${keys.map((k) => `${inner}${toJSON(k, inner)}: ${toJSON(v[k], inner)}`).join(',\n')}\n${indent}}`;
  }
  return fail(`json: unsupported type: ${typeName(v)}`);
}

// ---- time -------------------------------------------------------------------------------------

validated(
  'now',
  (a) => (a.length === 0 || (a.length === 1 && a[0]?.k === 'location') ? TIME : `invalid number of arguments (expected 0, got ${a.length})`),
  (a, ctx) => {
    const loc = a[0] instanceof GoLocation ? a[0] : UTC;
    if (a.length > 1 || (a.length === 1 && !(a[0] instanceof GoLocation))) fail(`invalid number of arguments (expected 0, got ${a.length})`);
    return new GoTime(BigInt(Math.trunc(ctx.nowMs)) * 1_000_000n, loc);
  },
);

typed('duration', sigs([[STRING], DURATION]), ([s]) => new GoDuration(parseDuration(asString(s))));
typed('timezone', sigs([[STRING], LOCATION]), ([s]) => loadLocation(asString(s)));

validated(
  'date',
  (a) => {
    if (a.length < 1) return `invalid number of arguments (expected at least 1, got ${a.length})`;
    const rest = a[0]?.k === 'location' ? a.slice(1) : a;
    if (rest.length > 3) return `invalid number of arguments (expected at most 3, got ${rest.length})`;
    return TIME;
  },
  (args) => {
    let tz: GoLocation | null = null;
    let a = args;
    if (a[0] instanceof GoLocation) {
      tz = a[0];
      a = a.slice(1);
    }
    const date = asString(a[0]);
    if (a.length === 2) return parseTime(asString(a[1]), date, tz ?? UTC);
    if (a.length === 3) return parseTime(asString(a[1]), date, loadLocation(asString(a[2])));
    for (const layout of DEFAULT_LAYOUTS) {
      try {
        return parseTime(layout, date, tz ?? UTC);
      } catch (e) {
        if (!(e instanceof ExprError)) throw e;
      }
    }
    return fail(`invalid date ${date}`);
  },
);

/** reflect.Kind words used by some collection builtins ("cannot reverse float64"). */
function kindWord(v: Value): string {
  if (v === null || v === undefined) return 'invalid';
  if (Array.isArray(v)) return 'slice';
  if (isMap(v) || v instanceof GoAnyMap) return 'map';
  if (v instanceof GoTime || v instanceof GoLocation) return 'struct';
  if (v instanceof GoDuration) return 'int64';
  return typeName(v);
}
