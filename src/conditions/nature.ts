/**
 * Static types ("natures") for the compile-time checker, after expr's checker/nature package.
 *
 * Argo compiles with `expr.Env(env)` where env is a map holding the actual `result`, so the checker
 * knows `result`'s dynamic Go type: comparing a string result with `true` or a `[]float64` vector with
 * `0.5` is a *compile* error in Argo even when that branch would never run. Values read out of maps or
 * `[]interface {}` are `interface {}` ("unknown") and are only checked at run time.
 */
import { typeName, type Value } from './types.js';

export type Nature =
  | { k: 'unknown' }
  | { k: 'nil' }
  | { k: 'bool' }
  | { k: 'string' }
  | { k: 'int'; t: 'int' | 'int64' }
  | { k: 'float' }
  | { k: 'array'; t: string; elem: Nature }
  | { k: 'map'; t: string; elem: Nature }
  | { k: 'time' }
  | { k: 'duration' }
  | { k: 'location' }
  /** A function value; `out` is the result nature of a predicate closure. */
  | { k: 'func'; t: string; out?: Nature };

export const UNKNOWN: Nature = { k: 'unknown' };
export const NIL: Nature = { k: 'nil' };
export const BOOL: Nature = { k: 'bool' };
export const STRING: Nature = { k: 'string' };
export const INT: Nature = { k: 'int', t: 'int' };
export const INT64: Nature = { k: 'int', t: 'int64' };
export const FLOAT: Nature = { k: 'float' };
export const TIME: Nature = { k: 'time' };
export const DURATION: Nature = { k: 'duration' };
export const LOCATION: Nature = { k: 'location' };
export const ARRAY_ANY: Nature = { k: 'array', t: '[]interface {}', elem: UNKNOWN };
export const ARRAY_STRING: Nature = { k: 'array', t: '[]string', elem: STRING };
export const ARRAY_INT: Nature = { k: 'array', t: '[]int', elem: INT };
export const ARRAY_FLOAT: Nature = { k: 'array', t: '[]float64', elem: FLOAT };
export const MAP_ANY: Nature = { k: 'map', t: 'map[string]interface {}', elem: UNKNOWN };

/** `[]interface {}` that remembers its element nature (expr's MakeArrayOf). */
export function arrayOf(elem: Nature): Nature {
  return { k: 'array', t: '[]interface {}', elem };
}

/** Go type name, as printed in checker messages. */
export function natureName(n: Nature): string {
  switch (n.k) {
    case 'unknown':
      return 'interface {}';
    case 'nil':
      return '<nil>';
    case 'float':
      return 'float64';
    case 'time':
      return 'time.Time';
    case 'duration':
      return 'time.Duration';
    case 'location':
      return '*time.Location';
    case 'int':
    case 'array':
    case 'map':
    case 'func':
      return n.t;
    default:
      return n.k;
  }
}

/** Nature of a runtime value handed to the engine (what `expr.Env(map)` derives for `result`). */
export function natureOf(v: Value): Nature {
  const t = typeName(v);
  switch (t) {
    case '<nil>':
      return NIL;
    case 'bool':
      return BOOL;
    case 'string':
      return STRING;
    case 'int':
      return INT;
    case 'float64':
      return FLOAT;
    case '[]float64':
      return ARRAY_FLOAT;
    case '[]int':
      return ARRAY_INT;
    case 'time.Time':
      return TIME;
    case 'time.Duration':
      return DURATION;
    case '*time.Location':
      return LOCATION;
    case 'map[string]interface {}':
      return MAP_ANY;
    default:
      if (t.startsWith('[]')) return ARRAY_ANY;
      if (t.startsWith('map[')) return { k: 'map', t, elem: UNKNOWN };
      return UNKNOWN;
  }
}

export const isUnknown = (n: Nature): boolean => n.k === 'unknown';
export const isNumberN = (n: Nature): boolean => n.k === 'int' || n.k === 'float';

/** Nature.AssignableTo: nil fits reference kinds and interfaces; otherwise identical types or interface. */
export function assignable(from: Nature, to: Nature): boolean {
  if (to.k === 'unknown') return true;
  if (from.k === 'nil') return to.k === 'map' || to.k === 'array' || to.k === 'func' || to.k === 'location';
  if (from.k === 'unknown') return false;
  return natureName(from) === natureName(to);
}

/** Nature.ComparableTo (what `==` accepts at compile time). */
export function comparable(l: Nature, r: Nature): boolean {
  return (
    isUnknown(l) || isUnknown(r) || l.k === 'nil' || r.k === 'nil' ||
    (isNumberN(l) && isNumberN(r)) ||
    (l.k === 'duration' && r.k === 'duration') ||
    (l.k === 'time' && r.k === 'time') ||
    (l.k === 'array' && r.k === 'array') ||
    assignable(l, r)
  );
}

export type Check = 'bool' | 'string' | 'int' | 'number' | 'map' | 'array' | 'time' | 'duration';

function isAnyOf(n: Nature, checks: readonly Check[]): boolean {
  return checks.some((c) => {
    switch (c) {
      case 'number':
        return isNumberN(n);
      default:
        return n.k === c;
    }
  });
}

/** Nature.MaybeCompatible: one side unknown and the other acceptable (or both unknown). */
export function maybe(l: Nature, r: Nature, ...checks: Check[]): boolean {
  const lu = isUnknown(l);
  const ru = isUnknown(r);
  return (lu && ru) || (lu && isAnyOf(r, checks)) || (ru && isAnyOf(l, checks));
}

/** PromoteNumericNature. */
export function promote(l: Nature, r: Nature): Nature {
  if (isUnknown(l) || isUnknown(r)) return UNKNOWN;
  return l.k === 'float' || r.k === 'float' ? FLOAT : INT;
}

export function elemOf(n: Nature): Nature {
  return n.k === 'array' || n.k === 'map' ? n.elem : UNKNOWN;
}

export interface Signature {
  params: Nature[];
  out: Nature;
  variadic?: boolean;
}

/**
 * checker.checkArguments for one signature: returns the error message or null.
 * (`in float64` accepts an integer argument: expr rewrites integer literals to floats.)
 */
export function signatureError(fn: string, sig: Signature, args: Nature[]): string | null {
  const n = sig.params.length;
  if (sig.variadic ? args.length < n - 1 : args.length < n) return `not enough arguments to call ${fn}`;
  if (!sig.variadic && args.length > n) return `too many arguments to call ${fn}`;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as Nature;
    const last = sig.params[n - 1] as Nature;
    const param = sig.variadic && i >= n - 1 ? elemOf(last) : (sig.params[i] as Nature);
    if ((param.k === 'float' || param.k === 'int') && arg.k === 'int') continue;
    if (arg.k === 'nil') {
      if (param.k === 'unknown' || param.k === 'location') continue;
      return `cannot use nil as argument (type ${natureName(param)}) to call ${fn}`;
    }
    if (!assignable(arg, param) && !isUnknown(arg)) {
      return `cannot use ${natureName(arg)} as argument (type ${natureName(param)}) to call ${fn} `;
    }
  }
  return null;
}

/** checkFunction over overloads: the first matching signature wins, else the last error. */
export function checkOverloads(fn: string, sigs: readonly Signature[], args: Nature[]): Nature | string {
  let last = `no matching overload for ${fn}`;
  for (const sig of sigs) {
    const err = signatureError(fn, sig, args);
    if (err === null) return sig.out;
    last = err;
  }
  return last;
}
