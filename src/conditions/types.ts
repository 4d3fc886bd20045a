/**
 * Runtime value model for the expr-lang (v1.17.8) evaluator.
 *
 * Go types are represented so that error messages can name them exactly like `%T` does:
 *   nil            -> null (undefined is normalised to null at the boundary)
 *   bool           -> boolean
 *   int / int64    -> bigint (wrapped to 64 bits; Go ints never silently become floats)
 *   float64        -> number (every number a provider hands in is a float64)
 *   string         -> string
 *   slices         -> JS arrays; arrays built by an expression are tagged `[]interface {}`
 *                     (or `[]int` for ranges), provider arrays are `[]float64` when every element
 *                     is a number (a Prometheus vector) and `[]interface {}` otherwise
 *   map[string]any -> plain (or null-prototype) objects; only own properties are ever read
 *   time.Time / time.Duration / *time.Location / map[interface{}][]interface{} -> classes below
 */

export type Value = unknown;

/** The evaluator's AST: expr-lang's node kinds, built from jexl's AST by `parser.ts`. */
export type Node =
  | { k: 'lit'; v: Value }
  | { k: 'ident'; name: string }
  /** `#` (name ''), `#index`, `#acc`. */
  | { k: 'ptr'; name: string }
  | { k: 'unary'; op: '!' | 'not' | '-' | '+'; x: Node }
  | { k: 'binary'; op: string; l: Node; r: Node }
  /** `a.b` (prop is a string literal) or `a[i]`. */
  | { k: 'member'; obj: Node; prop: Node; optional: boolean }
  | { k: 'slice'; obj: Node; from: Node | null; to: Node | null; optional: boolean }
  /** Env function, builtin, or an unknown name (the checker decides). */
  | { k: 'call'; name: string; args: Node[] }
  /** A predicate argument of all/any/filter/... evaluated once per element. */
  | { k: 'closure'; body: Node }
  /** `c ? a : b`; `a` is null for the elvis form `c ?: b`. */
  | { k: 'cond'; c: Node; a: Node | null; b: Node }
  | { k: 'array'; items: Node[] }
  | { k: 'map'; pairs: Array<[Node, Node]> }
  | { k: 'let'; name: string; value: Node; body: Node }
  /** Ends an optional chain (`a?.b.c`): a nil short-circuit inside becomes nil here. */
  | { k: 'chain'; x: Node };

/** An expr error: the message is the raw `file.Error.Message`, without position. */
export class ExprError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExprError';
  }
}

export function fail(message: string): never {
  throw new ExprError(message);
}

/** Go `time.Time`: unix nanoseconds plus the location used to render it. */
export class GoTime {
  constructor(
    readonly ns: bigint,
    readonly loc: GoLocation = UTC,
  ) {}
}

/** Go `time.Duration`: int64 nanoseconds. */
export class GoDuration {
  constructor(readonly ns: bigint) {}
}

/** Go `*time.Location`: an IANA zone name ("UTC" for UTC). */
export class GoLocation {
  constructor(readonly name: string) {}
}

export const UTC = new GoLocation('UTC');

/**
 * A Go map whose keys are not all strings (what `groupBy` returns: `map[interface {}][]interface {}`).
 * Keys are compared with Go equality via a canonical key string.
 */
export class GoAnyMap {
  readonly entries = new Map<string, [Value, Value]>();
  get(key: Value): Value {
    return this.entries.get(canonicalKey(key))?.[1] ?? null;
  }
  has(key: Value): boolean {
    return this.entries.has(canonicalKey(key));
  }
  set(key: Value, value: Value): void {
    this.entries.set(canonicalKey(key), [key, value]);
  }
}

function canonicalKey(key: Value): string {
  if (typeof key === 'bigint') return `i:${key}`;
  if (typeof key === 'number') return Number.isInteger(key) ? `i:${key}` : `f:${key}`;
  if (typeof key === 'string') return `s:${key}`;
  if (typeof key === 'boolean') return `b:${key}`;
  if (key === null || key === undefined) return 'nil';
  return `o:${fmtV(key)}`;
}

/** Arrays produced by the evaluator carry their Go type name here. */
const arrayTypes = new WeakMap<readonly unknown[], string>();

export function tagArray<T extends unknown[]>(arr: T, typeName = '[]interface {}'): T {
  arrayTypes.set(arr, typeName);
  return arr;
}

type GoMap = Record<string, Value>;

export function isMap(v: Value): v is GoMap {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof GoTime) &&
    !(v instanceof GoDuration) &&
    !(v instanceof GoLocation) &&
    !(v instanceof GoAnyMap)
  );
}

export function isNumber(v: Value): v is number | bigint {
  return typeof v === 'number' || typeof v === 'bigint';
}

/** Go `%T` of a runtime value. */
export function typeName(v: Value): string {
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float64';
    case 'string':
      return 'string';
    case 'undefined':
      return '<nil>';
    case 'function':
      return 'func(...interface {}) interface {}';
  }
  if (v === null) return '<nil>';
  if (Array.isArray(v)) {
    const tag = arrayTypes.get(v);
    if (tag !== undefined) return tag;
    return v.every((x) => typeof x === 'number') ? '[]float64' : '[]interface {}';
  }
  if (v instanceof GoTime) return 'time.Time';
  if (v instanceof GoDuration) return 'time.Duration';
  if (v instanceof GoLocation) return '*time.Location';
  if (v instanceof GoAnyMap) return 'map[interface {}][]interface {}';
  return 'map[string]interface {}';
}

/** Go `reflect.Kind` name, used by reflect panics (`reflect: call of reflect.Value.Len on float64 Value`). */
export function kindName(v: Value): string {
  if (v === null || v === undefined) return 'zero';
  if (Array.isArray(v)) return 'slice';
  if (v instanceof GoTime || v instanceof GoLocation) return 'struct';
  if (v instanceof GoDuration) return 'int64';
  if (typeof v === 'object') return 'map';
  return typeName(v);
}

/** Argo's `isNil`: only a real nil counts (JS has no typed nil slices/maps). */
export function isNil(v: Value): boolean {
  return v === null || v === undefined;
}

export const MIN_INT64 = -(2n ** 63n);

/** Go float64 -> int conversion (truncation; NaN/Inf/out of range give MinInt64 like amd64). */
export function floatToInt(f: number): bigint {
  if (!Number.isFinite(f) || f >= 9.223372036854775807e18 || f < -9.223372036854775808e18) return MIN_INT64;
  return BigInt(Math.trunc(f));
}

export function wrapInt(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

/**
 * Go `%v` of a float64: strconv 'g' with the shortest digits, which switches to exponent form
 * when the decimal exponent is < -4 or >= 6 (fmt.Println(1e6) prints "1e+06").
 */
function formatFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  // toExponential() without an argument yields the shortest round-trip digits, like Go.
  const [mant = '', expStr = '0'] = f.toExponential().split('e');
  const exp = Number(expStr);
  if (exp >= -4 && exp < 6) return String(f); // JS prints this range in plain decimal too
  const abs = Math.abs(exp);
  return `${mant}e${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
}

/** Go `%v` formatting of any runtime value (used by `string()` and in messages). */
export function fmtV(v: Value): string {
  if (v === null || v === undefined) return '<nil>';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    case 'number':
      return formatFloat(v);
    case 'string':
      return v;
  }
  if (Array.isArray(v)) return `[${v.map(fmtV).join(' ')}]`;
  if (v instanceof GoDuration) return formatDuration(v.ns);
  if (v instanceof GoTime) return formatTimeString(v);
  if (v instanceof GoLocation) return v.name;
  if (v instanceof GoAnyMap) {
    const parts = [...v.entries.values()].map(([k, x]) => `${fmtV(k)}:${fmtV(x)}`).sort();
    return `map[${parts.join(' ')}]`;
  }
  if (isMap(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${fmtV(v[k])}`).join(' ')}]`;
  }
  return String(v);
}

/** Go `time.Duration.String()`: "1h0m0s", "1.5s", "250ms", "0s". */
function formatDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  let out: string;
  if (u < 1_000_000_000n) {
    // Sub-second: use the largest unit that keeps the integer part non-zero.
    const [unit, scale] = u < 1000n ? ['ns', 1n] : u < 1_000_000n ? ['µs', 1000n] : ['ms', 1_000_000n];
    out = fracString(u, scale) + unit;
  } else {
    const h = u / 3_600_000_000_000n;
    u -= h * 3_600_000_000_000n;
    const m = u / 60_000_000_000n;
    u -= m * 60_000_000_000n;
    out = `${fracString(u, 1_000_000_000n)}s`;
    if (h > 0n) out = `${h}h${m}m${out}`;
    else if (m > 0n) out = `${m}m${out}`;
  }
  return neg ? `-${out}` : out;
}

function fracString(v: bigint, scale: bigint): string {
  const whole = v / scale;
  let frac = (v % scale).toString().padStart(scale.toString().length - 1, '0');
  frac = frac.replace(/0+$/, '');
  return frac.length > 0 && scale > 1n ? `${whole}.${frac}` : `${whole}`;
}

/** Go `time.Time.String()` for UTC and fixed-offset times: "2023-08-13 23:00:00 +0000 UTC". */
function formatTimeString(t: GoTime): string {
  const ms = Number(t.ns / 1_000_000n);
  const d = new Date(ms);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const nanos = ((t.ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n;
  const frac = nanos === 0n ? '' : `.${nanos.toString().padStart(9, '0').replace(/0+$/, '')}`;
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${frac} +0000 ${t.loc.name}`
  );
}
