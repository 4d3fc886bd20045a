/**
 * Compile-time type checker (expr's checker/checker.go) over our AST. Runs once per
 * (expression, nature of `result`) and reports the first error exactly as expr words it.
 */
import { BUILTINS } from './builtins.js';
import './builtins-more.js';
import { CONDITION_ENV, TIME_ENV, type EnvFunction } from './functions.js';
import {
  ARRAY_ANY, ARRAY_INT, BOOL, FLOAT, INT, MAP_ANY, NIL, STRING, UNKNOWN, arrayOf, assignable, comparable, elemOf,
  isNumberN, isUnknown, maybe, natureName, promote, signatureError, type Nature,
} from './nature.js';
import { compileRegexp } from './cache.js';
import { isPredicateBuiltin } from './prepass.js';
import { fail, type Node } from './types.js';

export type Mode = 'condition' | 'time';

/** Integer literal nodes that expr rewrote to float literals (argument of a float64 parameter). */
export const floatLiterals = new WeakSet<Node>();

const PREDICATE_OUT_BOOL = new Set(['all', 'none', 'any', 'one', 'filter', 'count', 'find', 'findIndex', 'findLast', 'findLastIndex']);

export function envOf(mode: Mode): Record<string, EnvFunction> {
  return mode === 'condition' ? CONDITION_ENV : TIME_ENV;
}

export function check(node: Node, mode: Mode, result: Nature): Nature {
  return new Checker(mode, result).visit(node);
}

class Checker {
  private readonly env: Record<string, EnvFunction>;
  private readonly scopes: Array<{ collection: Nature; vars: Record<string, Nature> }> = [];
  private readonly vars: Array<[string, Nature]> = [];

  constructor(
    private readonly mode: Mode,
    private readonly result: Nature,
  ) {
    this.env = envOf(mode);
  }

  visit(n: Node): Nature {
    switch (n.k) {
      case 'lit':
        return literalNature(n.v);
      case 'ident':
        return this.ident(n.name);
      case 'ptr':
        return this.pointer(n.name);
      case 'unary':
        return this.unary(n.op, this.visit(n.x));
      case 'binary':
        return this.binary(n);
      case 'member':
        return this.member(n);
      case 'slice': {
        const base = this.visit(n.obj);
        if (isUnknown(base)) return UNKNOWN;
        if (base.k !== 'string' && base.k !== 'array') fail(`cannot slice ${natureName(base)}`);
        for (const b of [n.from, n.to]) {
          const t = b ? this.visit(b) : INT;
          if (t.k !== 'int' && !isUnknown(t)) fail(`non-integer slice index ${natureName(t)}`);
        }
        return base;
      }
      case 'chain':
        return this.visit(n.x);
      case 'closure':
        return this.visit(n.body);
      case 'call':
        return this.call(n.name, n.args);
      case 'cond': {
        const c = this.visit(n.c);
        if (c.k !== 'bool' && !isUnknown(c)) fail(`non-bool expression (type ${natureName(c)}) used as condition`);
        const t1 = n.a ? this.visit(n.a) : c;
        const t2 = this.visit(n.b);
        if (t1.k === 'nil') return t2;
        if (t2.k === 'nil') return t1;
        if (assignable(t1, t2)) return t1.k === 'array' && t2.k === 'array' && natureName(t1.elem) !== natureName(t2.elem) ? ARRAY_ANY : t1;
        return UNKNOWN;
      }
      case 'array': {
        const items = n.items.map((i) => this.visit(i));
        const same = items.every((t) => t.k === items[0]?.k);
        return same ? arrayOf(items[items.length - 1] ?? UNKNOWN) : ARRAY_ANY;
      }
      case 'map':
        for (const [k, v] of n.pairs) {
          this.visit(k);
          this.visit(v);
        }
        return MAP_ANY;
      case 'let': {
        if (this.mode === 'condition' && n.name === 'result') fail(`cannot redeclare ${n.name}`);
        if (Object.hasOwn(this.env, n.name)) fail(`cannot redeclare ${n.name}`);
        if (n.name in BUILTINS || isPredicateBuiltin(n.name)) fail(`cannot redeclare builtin ${n.name}`);
        if (this.vars.some(([name]) => name === n.name)) fail(`cannot redeclare variable ${n.name}`);
        this.vars.push([n.name, this.visit(n.value)]);
        const out = this.visit(n.body);
        this.vars.pop();
        return out;
      }
    }
  }

  private ident(name: string): Nature {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]?.[0] === name) return this.vars[i]?.[1] as Nature;
    if (name === '$env') return UNKNOWN;
    if (this.mode === 'condition' && name === 'result') return this.result;
    const fn = Object.hasOwn(this.env, name) ? this.env[name] : undefined;
    if (fn) return { k: 'func', t: fn.goType };
    if (name in BUILTINS || isPredicateBuiltin(name)) return { k: 'func', t: 'func(...interface {}) interface {}' };
    return fail(`unknown name ${name}`);
  }

  private pointer(name: string): Nature {
    const scope = this.scopes[this.scopes.length - 1];
    if (!scope) return fail('cannot use pointer accessor outside predicate');
    if (name === '') {
      if (isUnknown(scope.collection)) return UNKNOWN;
      if (scope.collection.k === 'array') return scope.collection.elem;
      return fail(`cannot use ${natureName(scope.collection)} as array`);
    }
    if (Object.hasOwn(scope.vars, name)) return scope.vars[name] as Nature;
    return fail(`unknown pointer #${name}`);
  }

  private unary(op: string, t: Nature): Nature {
    if (op === '!' || op === 'not') {
      if (t.k === 'bool' || isUnknown(t)) return BOOL;
    } else {
      if (isNumberN(t)) return t;
      if (isUnknown(t)) return UNKNOWN;
    }
    return fail(`invalid operation: ${op} (mismatched type ${natureName(t)})`);
  }

  private binary(n: Extract<Node, { k: 'binary' }>): Nature {
    const l = this.visit(n.l);
    const r = this.visit(n.r);
    const op = n.op;
    const ok = ((): Nature | null => {
      switch (op) {
        case '==': case '!=':
          return comparable(l, r) ? BOOL : null;
        case 'or': case '||': case 'and': case '&&':
          return (l.k === 'bool' && r.k === 'bool') || maybe(l, r, 'bool') ? BOOL : null;
        case '<': case '>': case '>=': case '<=':
          if ((isNumberN(l) && isNumberN(r)) || (l.k === r.k && ['string', 'time', 'duration'].includes(l.k))) return BOOL;
          return maybe(l, r, 'number', 'string', 'time', 'duration') ? BOOL : null;
        case '-':
          if (isNumberN(l) && isNumberN(r)) return promote(l, r);
          if (l.k === 'time' && r.k === 'time') return { k: 'duration' };
          if (l.k === 'time' && r.k === 'duration') return { k: 'time' };
          if (l.k === 'duration' && r.k === 'duration') return { k: 'duration' };
          return maybe(l, r, 'number', 'time', 'duration') ? UNKNOWN : null;
        case '*':
          if (isNumberN(l) && isNumberN(r)) return promote(l, r);
          if ((isNumberN(l) || l.k === 'duration') && (isNumberN(r) || r.k === 'duration')) return { k: 'duration' };
          return maybe(l, r, 'number', 'duration') ? UNKNOWN : null;
        case '/': case '**': case '^':
          return (isNumberN(l) && isNumberN(r)) || maybe(l, r, 'number') ? FLOAT : null;
        case '%':
          return (l.k === 'int' && r.k === 'int') || maybe(l, r, 'int') ? INT : null;
        case '+':
          if (isNumberN(l) && isNumberN(r)) return promote(l, r);
          if (l.k === 'string' && r.k === 'string') return STRING;
          if ((l.k === 'time' && r.k === 'duration') || (l.k === 'duration' && r.k === 'time')) return { k: 'time' };
          if (l.k === 'duration' && r.k === 'duration') return { k: 'duration' };
          return maybe(l, r, 'number', 'string', 'time', 'duration') ? UNKNOWN : null;
        case 'in':
          if (r.k === 'map') {
            if (!isUnknown(l) && !assignable(l, STRING)) fail(`cannot use ${natureName(l)} as type string in map key`);
            return BOOL;
          }
          if (r.k === 'array') {
            if (!comparable(l, r.elem)) fail(`cannot use ${natureName(l)} as type ${natureName(r.elem)} in array`);
            return BOOL;
          }
          if (isUnknown(l) && ['string', 'array', 'map'].includes(r.k)) return BOOL;
          return isUnknown(r) ? BOOL : null;
        case 'matches':
          if (n.r.k === 'lit' && typeof n.r.v === 'string') compileRegexp(n.r.v);
          return (l.k === 'string' && r.k === 'string') || maybe(l, r, 'string') ? BOOL : null;
        case 'contains': case 'startsWith': case 'endsWith':
          return (l.k === 'string' && r.k === 'string') || maybe(l, r, 'string') ? BOOL : null;
        case '..':
          return (l.k === 'int' && r.k === 'int') || maybe(l, r, 'int') ? ARRAY_INT : null;
        case '??':
          if (l.k === 'nil') return r;
          if (r.k === 'nil') return l;
          return assignable(r, l) ? l : UNKNOWN;
        default:
          return fail(`unknown operator (${op})`);
      }
    })();
    return ok ?? fail(`invalid operation: ${op} (mismatched types ${natureName(l)} and ${natureName(r)})`);
  }

  private member(n: Extract<Node, { k: 'member' }>): Nature {
    const base = this.visit(n.obj);
    const prop = this.visit(n.prop);
    if (isUnknown(base)) return UNKNOWN;
    const name = n.prop.k === 'lit' && typeof n.prop.v === 'string' ? n.prop.v : null;
    if (name !== null && base.k === 'nil') fail(`type nil has no field ${name}`);
    if (base.k === 'map') {
      // Only map[string]... restricts the key; groupBy's map[interface {}]... takes any key.
      if (base.t.startsWith('map[string]') && !assignable(prop, STRING) && !isUnknown(prop)) fail(`cannot use ${natureName(prop)} to get an element from ${natureName(base)}`);
      return base.elem;
    }
    if (base.k === 'array') {
      if (prop.k !== 'int' && !isUnknown(prop)) fail(`array elements can only be selected using an integer (got ${natureName(prop)})`);
      return base.elem;
    }
    if (name !== null) return fail(`type ${natureName(base)} has no field ${name}`);
    return fail(`type ${natureName(base)}[${natureName(prop)}] is undefined`);
  }

  private call(name: string, args: Node[]): Nature {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]?.[0] === name) return fail(`${natureName(this.vars[i]?.[1] as Nature)} is not callable`);
    }
    if (isPredicateBuiltin(name)) return this.predicate(name, args);
    const env = Object.hasOwn(this.env, name) ? this.env[name] : undefined;
    if (env) {
      const natures = args.map((a) => this.visit(a));
      const err = signatureError(name, { params: env.params, out: env.out }, natures);
      if (err !== null) fail(err);
      // expr rewrites integer literals passed to a float64 parameter into float literals.
      args.forEach((a, i) => {
        if (env.params[i]?.k === 'float' && natures[i]?.k === 'int') markFloatLiterals(a);
      });
      return env.out;
    }
    if (this.mode === 'condition' && name === 'result') {
      args.forEach((a) => this.visit(a));
      if (this.result.k === 'nil') fail('result is nil; cannot call nil as function');
      return fail(`${natureName(this.result)} is not callable`);
    }
    const builtin = name in BUILTINS ? BUILTINS[name] : undefined;
    if (!builtin) return fail(`unknown name ${name}`);
    const out = builtin.check(args.map((a) => this.visit(a)));
    return typeof out === 'string' ? fail(out) : out;
  }

  private predicate(name: string, args: Node[]): Nature {
    const collection = this.visit(args[0] as Node);
    if (collection.k !== 'array' && !isUnknown(collection)) fail(`builtin ${name} takes only array (got ${natureName(collection)})`);
    const closure = args[1];
    if (!closure) return name === 'sum' ? elemOf(collection) : INT; // count(arr) / sum(arr)
    const vars: Record<string, Nature> = {};
    if (name === 'map' || name === 'reduce') vars.index = INT;
    if (name === 'reduce') vars.acc = UNKNOWN;
    this.scopes.push({ collection, vars });
    const out = this.visit(closure);
    this.scopes.pop();
    if (args[2]) this.visit(args[2]);
    if (PREDICATE_OUT_BOOL.has(name) && out.k !== 'bool' && !isUnknown(out)) {
      fail(`predicate should return boolean (got ${natureName(out)})`);
    }
    switch (name) {
      case 'all': case 'none': case 'any': case 'one':
        return BOOL;
      case 'filter':
        return isUnknown(collection) ? ARRAY_ANY : arrayOf(elemOf(collection));
      case 'map':
        return arrayOf(out);
      case 'count': case 'findIndex': case 'findLastIndex':
        return INT;
      case 'find': case 'findLast':
        return elemOf(collection);
      case 'groupBy':
        return { k: 'map', t: 'map[interface {}][]interface {}', elem: arrayOf(elemOf(collection)) };
      case 'sortBy':
        return collection;
      default: // sum, reduce
        return out.k === 'nil' ? NIL : out;
    }
  }
}

function literalNature(v: unknown): Nature {
  switch (typeof v) {
    case 'bigint':
      return INT;
    case 'number':
      return FLOAT;
    case 'string':
      return STRING;
    case 'boolean':
      return BOOL;
    default:
      return NIL;
  }
}

/** traverseAndReplaceIntegerNodesWithFloatNodes: literals, unary operands and + - * operands. */
function markFloatLiterals(n: Node): void {
  if (n.k === 'lit' && typeof n.v === 'bigint') floatLiterals.add(n);
  else if (n.k === 'unary') markFloatLiterals(n.x);
  else if (n.k === 'binary' && (n.op === '+' || n.op === '-' || n.op === '*')) {
    markFloatLiterals(n.l);
    markFloatLiterals(n.r);
  }
}
