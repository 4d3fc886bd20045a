/**
 * Argo's condition language: expr-lang/expr v1.17.8 as Argo Rollouts uses it
 * (utils/evaluate/evaluate.go), parsed with jexl and evaluated by our own tree walker.
 *
 * Pipeline per call: cached parse (by source) -> cached type check (by source and the Go type of
 * `result`, because Argo compiles against the actual value) -> evaluation -> bool/time check.
 * Errors are expr's raw messages without position, as Argo keeps only `file.Error.Message`.
 */
import { LruCache } from './cache.js';
import { check, type Mode } from './checker.js';
import { Evaluator } from './evaluator.js';
import { UNKNOWN, natureName, natureOf, type Nature } from './nature.js';
import { parse } from './parser.js';
import { timeToMs } from './time.js';
import { ExprError, GoTime, typeName, type Node, type Value } from './types.js';

type ConditionOutcome = { ok: true; value: boolean } | { ok: false; error: string };
type TimeOutcome = { ok: true; value: number } | { ok: false; error: string };
type CheckOutcome = { ok: true } | { ok: false; error: string };

/** Longest accepted expression; longer input is rejected before parsing. */
const MAX_EXPRESSION_LENGTH = 10_000;
const CACHE_SIZE = 10_000;

interface Compiled {
  ast: Node | null;
  error: string | null;
  /** Type-check outcome per Go type of `result` (null = ok). */
  checks: Map<string, string | null>;
}

const compiled = new LruCache<string, Compiled>(CACHE_SIZE);

function messageOf(e: unknown): string {
  if (e instanceof ExprError) return e.message;
  if (e instanceof RangeError) return 'expression is too complex to evaluate';
  return `internal error: ${e instanceof Error ? e.message : String(e)}`;
}

function compile(mode: Mode, source: string): Compiled {
  const key = `${mode}\u0000${source}`;
  let c = compiled.get(key);
  if (c === undefined) {
    c = { ast: null, error: null, checks: new Map() };
    if (source.length > MAX_EXPRESSION_LENGTH) c.error = `expression is longer than ${MAX_EXPRESSION_LENGTH} characters`;
    else {
      try {
        c.ast = parse(source);
      } catch (e) {
        c.error = messageOf(e);
      }
    }
    compiled.set(key, c);
  }
  return c;
}

/** Parse + type check; returns the AST or the compile error message. */
function program(mode: Mode, source: string, result: Nature): Node | string {
  const c = compile(mode, source);
  if (c.ast === null) return c.error ?? 'unexpected token EOF';
  const key = result.k === 'unknown' ? '?' : natureName(result);
  let err = c.checks.get(key);
  if (err === undefined) {
    try {
      check(c.ast, mode, result);
      err = null;
    } catch (e) {
      err = messageOf(e);
    }
    c.checks.set(key, err);
  }
  return err ?? c.ast;
}

function run(mode: Mode, ast: Node, result: Value, nowMs: number): { ok: true; value: Value } | { ok: false; error: string } {
  try {
    return { ok: true, value: new Evaluator(mode, result, nowMs).ev(ast) };
  } catch (e) {
    return { ok: false, error: messageOf(e) };
  }
}

/**
 * Argo's EvalCondition(result, condition): compile (cached by source string) and run with env
 * {result, asInt, asFloat, isNaN, isInf, isNil, default}. On failure `error` is the raw expr message
 * without position, e.g. `unknown name invalidVariable` or `expected bool, but got int`.
 */
export function evalCondition(expression: string, result: unknown, now = 0): ConditionOutcome {
  const value = result === undefined ? null : result;
  const ast = program('condition', expression, natureOf(value));
  if (typeof ast === 'string') return { ok: false, error: ast };
  // `now` (epoch ms) is what expr's now() returns: the engine passes the measurement's time, so the
  // core never reads a clock; callers that do not use now() may leave it out.
  const out = run('condition', ast, value, now);
  if (!out.ok) return out;
  if (typeof out.value !== 'boolean') return { ok: false, error: `expected bool, but got ${typeName(out.value)}` };
  return { ok: true, value: out.value };
}

/**
 * Compile only (for a linter): `result` is treated as `interface {}`, so only syntax errors, unknown
 * names and type errors that hold for every result (e.g. `"a" > 1`) are reported.
 */
export function checkCondition(expression: string): CheckOutcome {
  const ast = program('condition', expression, UNKNOWN);
  return typeof ast === 'string' ? { ok: false, error: ast } : { ok: true };
}

/**
 * Argo's EvalTime for Prometheus rangeQuery start/end: env {isNaN, isInf} plus the builtins; the
 * output must be a time.Time. `now()` returns `now` (epoch ms); the result is epoch ms.
 */
export function evalTime(expression: string, now: number): TimeOutcome {
  const ast = program('time', expression, UNKNOWN);
  if (typeof ast === 'string') return { ok: false, error: ast };
  const out = run('time', ast, null, now);
  if (!out.ok) return out;
  if (!(out.value instanceof GoTime)) return { ok: false, error: `expected time.Time, but got ${typeName(out.value)}` };
  return { ok: true, value: timeToMs(out.value) };
}

