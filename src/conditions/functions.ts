/**
 * Argo's environment helpers (utils/evaluate/evaluate.go), with their Go signatures for the checker.
 *
 * isNil and default deliberately IGNORE their argument and look at the whole `result` (Argo's
 * closures `isNilFunc(resultValue)` / `defaultFunc(resultValue)`); that quirk is reproduced as is.
 */
import { BOOL, FLOAT, INT64, UNKNOWN, type Nature } from './nature.js';
import { assertionError } from './runtime.js';
import { NumError, parseFloat64, parseInt64 } from './strconv.js';
import { fail, floatToInt, fmtV, isNil, typeName, type Value } from './types.js';

export interface EnvFunction {
  params: Nature[];
  out: Nature;
  /** Go type of the function value (for messages such as `expected bool, but got ...`). */
  goType: string;
  call(args: Value[], result: Value): Value;
}

/** `reflect.TypeOf(in)` printed with %v (nil prints as `<nil>`). */
const reflectType = (v: Value): string => typeName(v);

function asInt(v: Value): bigint {
  if (typeof v === 'number') return floatToInt(v);
  if (typeof v === 'bigint') return v;
  if (typeof v === 'string') return rethrow(() => parseInt64(v));
  return fail(`asInt() not supported on ${reflectType(v)} ${fmtV(v)}`);
}

function asFloat(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') return rethrow(() => parseFloat64(v));
  return fail(`asFloat() not supported on ${reflectType(v)} ${fmtV(v)}`);
}

/** A panic(err) inside a helper becomes the run error; its message is err.Error(). */
function rethrow<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof NumError) fail(e.message);
    throw e;
  }
}

/** Typed float64 parameter: the VM asserts the dynamic type. */
function float64Arg(v: Value): number {
  return typeof v === 'number' ? v : assertionError(v, 'float64');
}

const isNaNFn: EnvFunction = {
  params: [FLOAT],
  out: BOOL,
  goType: 'func(float64) bool',
  call: ([f]) => Number.isNaN(float64Arg(f)),
};

const isInfFn: EnvFunction = {
  params: [FLOAT],
  out: BOOL,
  goType: 'func(float64) bool',
  call: ([f]) => {
    const x = float64Arg(f);
    return x === Infinity || x === -Infinity;
  },
};

/** Env of EvalCondition. */
export const CONDITION_ENV: Record<string, EnvFunction> = {
  asInt: { params: [UNKNOWN], out: INT64, goType: 'func(interface {}) int64', call: ([v]) => asInt(v) },
  asFloat: { params: [UNKNOWN], out: FLOAT, goType: 'func(interface {}) float64', call: ([v]) => asFloat(v) },
  isNaN: isNaNFn,
  isInf: isInfFn,
  isNil: { params: [UNKNOWN], out: BOOL, goType: 'func(interface {}) bool', call: (_args, result) => isNil(result) },
  default: {
    params: [UNKNOWN, UNKNOWN],
    out: UNKNOWN,
    goType: 'func(interface {}, interface {}) interface {}',
    call: ([, d], result) => (isNil(result) ? d : result),
  },
};

/** Env of EvalTime (Prometheus rangeQuery start/end). */
export const TIME_ENV: Record<string, EnvFunction> = { isNaN: isNaNFn, isInf: isInfFn };
