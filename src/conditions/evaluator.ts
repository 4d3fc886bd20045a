/**
 * Tree-walking evaluator with expr-lang's run-time semantics (vm/vm.go). It never touches JS
 * internals: names resolve only against the fixed env, member access goes through `fetch` (own
 * properties only), and every step and allocation is metered so hostile input ends in an error.
 */
import { BUILTINS, TEXT_BUDGET, type BuiltinCtx } from './builtins.js';

export { TEXT_BUDGET };
import { envOf, floatLiterals, type Mode } from './checker.js';
import { runPredicate, type PredicateHost, type Scope } from './predicates.js';

export type { Scope };
import { matchString } from './cache.js';
import {
  arith, asBool, asString, compare, equal, exponent, fetch, isIn, negate, slice, toInt, type Arith,
} from './runtime.js';
import { fail, isNil, tagArray, type Node, type Value } from './types.js';

const MAX_STEPS = 1_000_000;
/** expr's MemoryBudget: elements of arrays and maps built by one evaluation. */
const MEMORY_BUDGET = 1_000_000;

/** Marks "an optional chain hit nil": propagates through member/slice nodes up to the chain node. */
const SKIP: unique symbol = Symbol('chain-skip');


export class Evaluator implements BuiltinCtx, PredicateHost {
  private steps = 0;
  private memory = 0;
  private text = 0;
  readonly scopes: Scope[] = [];
  private readonly vars: Array<[string, Value]> = [];

  constructor(
    private readonly mode: Mode,
    private readonly result: Value,
    readonly nowMs: number,
  ) {}

  charge(units: number): void {
    this.memory += units;
    if (this.memory >= MEMORY_BUDGET) fail('memory budget exceeded');
  }

  /** Strings built or copied: `units` characters, checked before they are allocated. */
  chargeText(units: number): void {
    this.text += units;
    if (this.text > TEXT_BUDGET) {
      fail(`memory budget exceeded: the expression builds more than ${TEXT_BUDGET} characters of strings`);
    }
  }

  /** Counts closure iterations and node visits; a runaway expression becomes an error. */
  tick(): void {
    if (++this.steps > MAX_STEPS) fail(`evaluation exceeded ${MAX_STEPS} steps`);
  }

  ev(n: Node): Value {
    this.tick();
    switch (n.k) {
      case 'lit':
        return typeof n.v === 'bigint' && floatLiterals.has(n) ? Number(n.v) : n.v;
      case 'ident':
        return this.ident(n.name);
      case 'ptr': {
        const scope = this.scopes[this.scopes.length - 1];
        if (!scope) return fail('cannot use pointer accessor outside predicate');
        if (n.name === '') return scope.item;
        if (n.name === 'index') return BigInt(scope.index);
        if (n.name === 'acc') return scope.acc;
        return fail(`unknown pointer #${n.name}`);
      }
      case 'unary': {
        const v = this.ev(n.x);
        if (n.op === '!' || n.op === 'not') return !asBool(v);
        return n.op === '-' ? negate(v) : v;
      }
      case 'binary':
        return this.binary(n.op, n.l, n.r);
      case 'member': {
        const base = this.ev(n.obj);
        if (base === SKIP || (n.optional && isNil(base))) return SKIP;
        // Indexing a string copies its bytes (Go indexes bytes): charge the copy.
        if (typeof base === 'string') this.chargeText(base.length);
        return fetch(base, this.ev(n.prop));
      }
      case 'slice': {
        const base = this.ev(n.obj);
        if (base === SKIP || (n.optional && isNil(base))) return SKIP;
        const from = n.from ? this.ev(n.from) : undefined;
        const to = n.to ? this.ev(n.to) : undefined;
        if (typeof base === 'string') this.chargeText(base.length);
        return slice(base, from, to);
      }
      case 'chain': {
        const v = this.ev(n.x);
        return v === SKIP ? null : v;
      }
      case 'call':
        return this.call(n.name, n.args);
      case 'closure':
        return fail('unexpected predicate');
      case 'cond': {
        const c = this.ev(n.c);
        if (asBool(c)) return n.a ? this.ev(n.a) : c;
        return this.ev(n.b);
      }
      case 'array': {
        const out = n.items.map((i) => this.ev(i));
        this.charge(out.length);
        return tagArray(out);
      }
      case 'map': {
        const m = Object.create(null) as Record<string, Value>;
        for (const [k, v] of n.pairs) m[asString(this.ev(k))] = this.ev(v);
        this.charge(n.pairs.length);
        return m;
      }
      case 'let': {
        this.vars.push([n.name, this.ev(n.value)]);
        try {
          return this.ev(n.body);
        } finally {
          this.vars.pop();
        }
      }
    }
  }

  private ident(name: string): Value {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i];
      if (v?.[0] === name) return v[1];
    }
    if (this.mode === 'condition' && name === 'result') return this.result;
    if (name === '$env') {
      const env = Object.create(null) as Record<string, Value>;
      if (this.mode === 'condition') env.result = this.result;
      return env;
    }
    return fail(`unknown name ${name}`);
  }

  private binary(op: string, ln: Node, rn: Node): Value {
    // Logical operators: the left side must be a bool (the VM's JumpIfFalse/JumpIfTrue asserts it),
    // the right side is returned as is.
    if (op === '&&' || op === 'and') return asBool(this.ev(ln)) ? this.ev(rn) : false;
    if (op === '||' || op === 'or') return asBool(this.ev(ln)) ? true : this.ev(rn);
    if (op === '??') {
      const l = this.ev(ln);
      return isNil(l) ? this.ev(rn) : l;
    }
    const l = this.ev(ln);
    const r = this.ev(rn);
    switch (op) {
      case '==':
        return equal(l, r);
      case '!=':
        return !equal(l, r);
      case '<': case '>': case '<=': case '>=':
        return compare(op, l, r);
      case '+': case '-': case '*': case '/': case '%':
        if (typeof l === 'string' && typeof r === 'string') this.chargeText(l.length + r.length);
        return arith(op as Arith, l, r);
      case '**': case '^':
        return exponent(l, r);
      case 'in':
        return isIn(l, r);
      case 'matches':
        return matchString(asString(r), asString(l));
      case 'contains':
        return asString(l).includes(asString(r));
      case 'startsWith':
        return asString(l).startsWith(asString(r));
      case 'endsWith':
        return asString(l).endsWith(asString(r));
      case '..': {
        const [a, b] = [toInt(l), toInt(r)];
        const size = b - a + 1n;
        if (size > 0n) this.charge(Number(size));
        const out: bigint[] = [];
        for (let i = a; i <= b; i++) out.push(i);
        return tagArray(out, '[]int');
      }
      default:
        return fail(`unknown operator (${op})`);
    }
  }

  private call(name: string, args: Node[]): Value {
    const pred = runPredicate(this, name, args);
    if (pred !== undefined) return pred.value;
    const env = envOf(this.mode);
    const fn = Object.hasOwn(env, name) ? env[name] : undefined;
    if (fn) return this.accounted(fn.call(args.map((a) => this.ev(a)), this.result));
    const builtin = name in BUILTINS ? BUILTINS[name] : undefined;
    if (builtin) return this.accounted(builtin.call(args.map((a) => this.ev(a)), this));
    return fail(`unknown name ${name}`);
  }

  /**
   * Every string a builtin returns is charged once it exists (the builtins that can amplify their
   * input — repeat, replace, join, split, toJSON, string — charge their bound before building).
   */
  private accounted(v: Value): Value {
    if (typeof v === 'string') this.chargeText(v.length);
    return v;
  }
}
