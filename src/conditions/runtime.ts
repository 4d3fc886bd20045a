/**
 * Operations on runtime values with expr-lang's semantics (vm/runtime: Equal, Less, Add, Fetch,
 * Slice, In, ToInt, ...). Ints are bigints, float64 are numbers; mixing them promotes to float64
 * like the generated helpers do (`float64(x) op float64(y)`).
 */
import {
  fail, fmtV, GoAnyMap, tagArray, GoDuration, GoTime, isMap, isNil, isNumber, kindName, typeName, wrapInt, floatToInt, type Value,
} from './types.js';

const mismatch = (op: string, a: Value, b: Value): never =>
  fail(`invalid operation: ${op} (mismatched types ${typeName(a)} and ${typeName(b)})`);

/** Go's failed type assertion `x.(T)` inside the VM. */
export function assertionError(v: Value, want: string): never {
  return fail(`interface conversion: interface {} is ${isNil(v) ? 'nil' : typeName(v)}, not ${want}`);
}

export function asBool(v: Value): boolean {
  return typeof v === 'boolean' ? v : assertionError(v, 'bool');
}

export function asString(v: Value): string {
  return typeof v === 'string' ? v : assertionError(v, 'string');
}

/** runtime.Equal: numbers compare across int/float, arrays element-wise, mismatched kinds are unequal. */
export function equal(a: Value, b: Value): boolean {
  if (isNumber(a) && isNumber(b)) {
    if (typeof a === 'bigint' && typeof b === 'bigint') return a === b;
    return Number(a) === Number(b);
  }
  if (typeof a === 'string' || typeof a === 'boolean') return a === b;
  if (isNil(a) || isNil(b)) return isNil(a) && isNil(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (a instanceof GoTime && b instanceof GoTime) return a.ns === b.ns;
  if (a instanceof GoDuration && b instanceof GoDuration) return a.ns === b.ns;
  return deepEqual(a, b);
}

/** reflect.DeepEqual: identical Go types, recursively equal (NaN is unequal, int is not float64). */
function deepEqual(a: Value, b: Value): boolean {
  if (typeName(a) !== typeName(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  if (a instanceof GoAnyMap && b instanceof GoAnyMap) {
    return a.entries.size === b.entries.size && [...a.entries.values()].every(([k, v]) => b.has(k) && deepEqual(v, b.get(k)));
  }
  if (a instanceof GoTime && b instanceof GoTime) return a.ns === b.ns && a.loc.name === b.loc.name;
  return a === b;
}

type Cmp = '<' | '>' | '<=' | '>=';

function cmp<T extends number | bigint | string>(op: Cmp, x: T, y: T): boolean {
  switch (op) {
    case '<':
      return x < y;
    case '>':
      return x > y;
    case '<=':
      return x <= y;
    default:
      return x >= y;
  }
}

/** runtime.Less/More/LessOrEqual/MoreOrEqual. NaN compares false with everything. */
export function compare(op: Cmp, a: Value, b: Value): boolean {
  if (isNumber(a) && isNumber(b)) {
    if (typeof a === 'bigint' && typeof b === 'bigint') return cmp(op, a, b);
    return cmp(op, Number(a), Number(b));
  }
  if (typeof a === 'string' && typeof b === 'string') return cmp(op, a, b);
  if (a instanceof GoTime && b instanceof GoTime) return cmp(op, a.ns, b.ns);
  if (a instanceof GoDuration && b instanceof GoDuration) return cmp(op, a.ns, b.ns);
  return mismatch(op, a, b);
}

export type Arith = '+' | '-' | '*' | '/' | '%';

export function arith(op: Arith, a: Value, b: Value): Value {
  if (isNumber(a) && isNumber(b)) {
    if (op === '/') return Number(a) / Number(b);
    if (typeof a === 'bigint' && typeof b === 'bigint') {
      if (op === '%') {
        if (b === 0n) fail('runtime error: integer divide by zero');
        return a % b;
      }
      return wrapInt(op === '+' ? a + b : op === '-' ? a - b : a * b);
    }
    if (op === '%') return mismatch(op, a, b);
    const x = Number(a);
    const y = Number(b);
    return op === '+' ? x + y : op === '-' ? x - y : x * y;
  }
  if (op === '+' && typeof a === 'string' && typeof b === 'string') return a + b;
  if (a instanceof GoTime) {
    if (b instanceof GoDuration && (op === '+' || op === '-')) return new GoTime(op === '+' ? a.ns + b.ns : a.ns - b.ns, a.loc);
    if (b instanceof GoTime && op === '-') return new GoDuration(wrapInt(a.ns - b.ns));
  }
  if (a instanceof GoDuration) {
    if (b instanceof GoTime && op === '+') return new GoTime(b.ns + a.ns, b.loc);
    if (b instanceof GoDuration && (op === '+' || op === '-')) return new GoDuration(wrapInt(op === '+' ? a.ns + b.ns : a.ns - b.ns));
    if (op === '*' && isNumber(b)) return typeof b === 'bigint' ? new GoDuration(wrapInt(a.ns * b)) : Number(a.ns) * b;
  }
  if (op === '*' && isNumber(a) && b instanceof GoDuration) {
    return typeof a === 'bigint' ? new GoDuration(wrapInt(a * b.ns)) : a * Number(b.ns);
  }
  return mismatch(op, a, b);
}

/** `**` / `^`: runtime.Exponent converts both sides with ToFloat64. */
export function exponent(a: Value, b: Value): number {
  return toFloat(a) ** toFloat(b);
}

export function negate(v: Value): Value {
  if (typeof v === 'bigint') return wrapInt(-v);
  if (typeof v === 'number') return -v;
  return fail(`invalid operation: - ${typeName(v)}`);
}

/** runtime.ToInt: truncates floats; anything else panics. */
export function toInt(v: Value): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return floatToInt(v);
  return fail(`invalid operation: int(${typeName(v)})`);
}

function toFloat(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return fail(`invalid operation: float(${typeName(v)})`);
}

/** runtime.Fetch: `from[i]` / `from.i`. Only own properties of maps are visible. */
export function fetch(from: Value, i: Value): Value {
  if (isNil(from)) return fail(`cannot fetch ${fmtV(i)} from ${typeName(from)}`);
  if (Array.isArray(from) || typeof from === 'string') {
    const len = from.length;
    let index = toInt(i);
    if (index < 0n) index += BigInt(len);
    if (index < 0n || index >= BigInt(len)) fail(`index out of range: ${index} (array length is ${len})`);
    if (typeof from === 'string') return BigInt(Buffer.from(from)[Number(index)] ?? 0); // Go indexes bytes
    const v = from[Number(index)];
    return v === undefined ? null : v;
  }
  if (from instanceof GoAnyMap) return from.get(i);
  if (isMap(from)) {
    if (isNil(i)) return null;
    if (typeof i !== 'string') fail(`reflect.Value.MapIndex: value of type ${typeName(i)} is not assignable to type string`);
    const v = Object.hasOwn(from, i) ? from[i] : undefined;
    return v === undefined ? null : v;
  }
  return fail(`cannot fetch ${fmtV(i)} from ${typeName(from)}`);
}

/** runtime.Slice: bounds are clamped, negative bounds count from the end. */
export function slice(v: Value, from: Value, to: Value): Value {
  if (!Array.isArray(v) && typeof v !== 'string') return fail(`cannot slice ${fmtV(from)}`);
  const len = BigInt(v.length);
  let a = from === undefined ? 0n : toInt(from);
  let b = to === undefined ? len : toInt(to);
  if (a < 0n) a += len;
  if (a < 0n) a = 0n;
  if (b < 0n) b += len;
  if (b < 0n) b = 0n;
  if (b > len) b = len;
  if (a > b) a = b;
  if (typeof v === 'string') return Buffer.from(v).subarray(Number(a), Number(b)).toString();
  return tagArray(v.slice(Number(a), Number(b)), typeName(v));
}

/** runtime.In: array membership (Go equality) or map key presence. */
export function isIn(needle: Value, container: Value): boolean {
  if (isNil(container)) return false;
  if (Array.isArray(container)) return container.some((x) => equal(x, needle));
  if (container instanceof GoAnyMap) return container.has(needle);
  if (isMap(container)) {
    if (isNil(needle)) return false;
    if (typeof needle !== 'string') fail(`reflect.Value.MapIndex: value of type ${typeName(needle)} is not assignable to type string`);
    return Object.hasOwn(container, needle);
  }
  return fail(`operator "in" not defined on ${typeName(container)}`);
}

/** Length of anything `len` accepts. */
export function length(v: Value): bigint {
  if (Array.isArray(v)) return BigInt(v.length);
  if (typeof v === 'string') return BigInt(Buffer.byteLength(v));
  if (v instanceof GoAnyMap) return BigInt(v.entries.size);
  if (isMap(v)) return BigInt(Object.keys(v).length);
  return fail(`invalid argument for len (type ${typeName(v)})`);
}

/** Iterating a non-array in a predicate builtin fails inside reflect, like the VM does. */
export function iterable(v: Value): readonly Value[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return Array.from(Buffer.from(v), (b) => BigInt(b)); // Go ranges over bytes
  if (isMap(v) || v instanceof GoAnyMap) {
    // reflect's Len works on maps, Index does not: only an empty map iterates (zero times).
    if (length(v) === 0n) return [];
    return fail(`reflect: call of reflect.Value.Index on map Value`);
  }
  return fail(`reflect: call of reflect.Value.Len on ${kindName(v)} Value`);
}
