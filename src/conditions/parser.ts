/**
 * Parsing: expr source -> (pre-pass) -> jexl parser -> jexl AST -> our AST.
 *
 * jexl is configured with expr's binary precedences (`parser/operator/operator.go`), so its
 * cursor-climbing parser builds the same tree as expr for binary/unary operators, member access,
 * indexing and calls. The lowering step then fixes what a precedence table cannot express:
 * comparison chaining (`a < b < c` is `a < b && b < c`), right-associative `**`/`^`,
 * the `??` mixing rule, predicate closures and pointer scoping.
 */
import jexlPkg from 'jexl';
import { PREDICATE_ARGS, prepass, type Entry } from './prepass.js';
import { ExprError, fail, type Node } from './types.js';

const { Jexl } = jexlPkg;

const BINARY_PRECEDENCE: Array<[string, number]> = [
  ['or', 10], ['||', 10], ['and', 15], ['&&', 15],
  ['==', 20], ['!=', 20], ['<', 20], ['>', 20], ['>=', 20], ['<=', 20],
  ['in', 20], ['matches', 20], ['contains', 20], ['startsWith', 20], ['endsWith', 20],
  ['NOT_in', 20], ['NOT_matches', 20], ['NOT_contains', 20], ['NOT_startsWith', 20], ['NOT_endsWith', 20],
  ['..', 25], ['+', 30], ['-', 30], ['*', 60], ['/', 60], ['%', 60], ['**', 100], ['^', 100], ['??', 500],
];
const UNARY_PRECEDENCE: Array<[string, number]> = [['!', 50], ['not', 50], ['NEG_', 90], ['POS_', 90]];
const COMPARISONS = new Set(['==', '!=', '<', '>', '>=', '<=', 'in', 'matches', 'contains', 'startsWith', 'endsWith']);
const UNARY_OPS: Record<string, '!' | 'not' | '-' | '+'> = { '!': '!', not: 'not', NEG_: '-', POS_: '+' };
const MAX_DEPTH = 1000;

/** One jexl instance used purely as a parser; its evaluator never runs. */
const jexl = (() => {
  const j = new Jexl();
  const never = (): never => {
    throw new Error('jexl evaluation is not used');
  };
  for (const [op, p] of BINARY_PRECEDENCE) j.addBinaryOp(op, p, never);
  for (const [op] of UNARY_PRECEDENCE) j.addUnaryOp(op, never);
  // addUnaryOp gives no precedence (jexl treats that as "binds loosest"); expr's unary operators
  // bind tighter than some binary ones (`-a ** 2` is `-(a ** 2)`, `not a == b` is `(not a) == b`).
  const grammar = (j as unknown as { _grammar: { elements: Record<string, { precedence?: number }> } })._grammar;
  for (const [op, p] of UNARY_PRECEDENCE) {
    const el = grammar.elements[op];
    if (el) el.precedence = p;
  }
  return j;
})();

/** Parses an expression into our AST; throws ExprError with an expr-style message. */
export function parse(src: string): Node {
  const { source, entries } = prepass(src);
  let ast: J;
  try {
    ast = jexl.compile(source)._getAst() as unknown as J;
  } catch (e) {
    // The pre-pass rejects malformed input first; anything jexl still refuses is reported generically.
    throw new ExprError(`syntax error: ${(e as Error).message.replace(/\$\d+/g, '…')}`);
  }
  return new Lowering(entries).lower(ast, 0, 0);
}

/** The subset of jexl's AST (see @types/jexl Ast.d.ts) our pre-pass output can produce. */
type J =
  | { type: 'UnaryExpression'; operator: string; right: J }
  | { type: 'BinaryExpression'; operator: string; left: J; right: J }
  | { type: 'FilterExpression'; relative: boolean; expr: J; subject: J }
  | { type: 'Identifier'; value: string; from?: J; relative?: boolean }
  | { type: 'FunctionCall'; name: string; pool: 'functions' | 'transforms'; args: J[] }
  | { type: 'Literal' | 'ArrayLiteral' | 'ObjectLiteral' | 'ConditionalExpression' };
type JCall = Extract<J, { type: 'FunctionCall' }>;

class Lowering {
  constructor(private readonly entries: Entry[]) {}

  private entry(ph: string): Entry | undefined {
    return /^\$\d+$/.test(ph) ? this.entries[Number(ph.slice(1))] : undefined;
  }

  /** `pred` counts enclosing closures, for expr's "cannot use pointer accessor outside predicate". */
  lower(n: J, depth: number, pred: number): Node {
    if (depth > MAX_DEPTH) fail(`expression nesting exceeds ${MAX_DEPTH} levels`);
    const d = depth + 1;
    switch (n.type) {
      case 'Identifier': {
        if (n.from) {
          const e = this.entry(n.value);
          if (e?.t !== 'prop') return fail('unexpected member access');
          return this.member(this.lower(n.from, d, pred), { k: 'lit', v: e.name }, e.optional);
        }
        const e = this.entry(n.value);
        if (e?.t === 'lit') return { k: 'lit', v: e.v };
        if (e?.t === 'name') return { k: 'ident', name: e.name };
        if (e?.t === 'ptr') {
          if (pred === 0) fail('cannot use pointer accessor outside predicate');
          return { k: 'ptr', name: e.name };
        }
        return fail('unexpected token');
      }
      case 'FilterExpression': {
        const obj = this.lower(n.subject, d, pred);
        let ex = n.expr;
        let optional = false;
        if (isMarker(ex, '$Q')) {
          optional = true;
          ex = ex.args[0] as J;
        }
        if (isMarker(ex, '$S')) {
          const [from, to] = ex.args.map((a: J) => (isNone(a) ? null : this.lower(a, d, pred)));
          return this.wrapChain({ k: 'slice', obj: unchain(obj), from: from ?? null, to: to ?? null, optional }, obj, optional);
        }
        return this.member(obj, this.lower(ex, d, pred), optional);
      }
      case 'UnaryExpression': {
        const op = UNARY_OPS[n.operator];
        if (!op) return fail(`unknown operator (${n.operator})`);
        return { k: 'unary', op, x: this.lower(n.right, d, pred) };
      }
      case 'BinaryExpression':
        return this.binary(n, d, pred);
      case 'FunctionCall':
        return this.call(n, d, pred);
      default:
        return fail('unexpected token');
    }
  }

  private member(obj: Node, prop: Node, optional: boolean): Node {
    return this.wrapChain({ k: 'member', obj: unchain(obj), prop, optional }, obj, optional);
  }

  private wrapChain(node: Node, obj: Node, optional: boolean): Node {
    return optional || obj.k === 'chain' ? { k: 'chain', x: node } : node;
  }

  private binary(n: Extract<J, { type: 'BinaryExpression' }>, d: number, pred: number): Node {
    const op = n.operator;
    const left = n.left;
    if (left.type === 'BinaryExpression' && left.operator === '??' && op !== '??') {
      fail(`Operator (${op}) and coalesce expressions (??) cannot be mixed. Wrap either by parentheses.`);
    }
    if (COMPARISONS.has(op) && left.type === 'BinaryExpression' && COMPARISONS.has(left.operator)) {
      // expr parses `a < b < c` as `a < b && b < c` (the middle operand is evaluated twice).
      const first = this.lower(left, d, pred);
      const mid = this.lower(left.right, d, pred);
      return { k: 'binary', op: '&&', l: first, r: { k: 'binary', op, l: mid, r: this.lower(n.right, d, pred) } };
    }
    if (op === '**' || op === '^') {
      // jexl associates left; expr's `**`/`^` are right-associative.
      const operands: J[] = [n.right];
      const ops: string[] = [op];
      let cur: J = left;
      while (cur.type === 'BinaryExpression' && (cur.operator === '**' || cur.operator === '^')) {
        operands.unshift(cur.right);
        ops.unshift(cur.operator);
        cur = cur.left;
      }
      operands.unshift(cur);
      let acc = this.lower(operands[operands.length - 1] as J, d, pred);
      for (let i = operands.length - 2; i >= 0; i--) {
        acc = { k: 'binary', op: ops[i] as string, l: this.lower(operands[i] as J, d, pred), r: acc };
      }
      return acc;
    }
    const l = this.lower(left, d, pred);
    const r = this.lower(n.right, d, pred);
    if (op.startsWith('NOT_')) return { k: 'unary', op: 'not', x: { k: 'binary', op: op.slice(4), l, r } };
    return { k: 'binary', op, l, r };
  }

  private call(n: JCall, d: number, pred: number): Node {
    const args = n.args;
    const lowerAll = (): Node[] => args.map((a) => this.lower(a, d, pred));
    switch (n.name) {
      case '$P':
        if (args.length !== 1) return fail('unexpected token Operator(",")');
        return this.lower(args[0] as J, d, pred);
      case '$A':
        return { k: 'array', items: lowerAll() };
      case '$M': {
        const items = lowerAll();
        const pairs: Array<[Node, Node]> = [];
        for (let i = 0; i + 1 < items.length; i += 2) pairs.push([items[i] as Node, items[i + 1] as Node]);
        return { k: 'map', pairs };
      }
      case '$T': {
        const [c, a, b] = args;
        if (!c || !a || !b) return fail('unexpected token');
        return { k: 'cond', c: this.lower(c, d, pred), a: isMarkerIdent(a, '$E') ? null : this.lower(a, d, pred), b: this.lower(b, d, pred) };
      }
      case '$L': {
        const [name, value, body] = args;
        const e = name?.type === 'Identifier' ? this.entry(name.value) : undefined;
        if (e?.t !== 'lit' || typeof e.v !== 'string' || !value || !body) return fail('unexpected token');
        return { k: 'let', name: e.v, value: this.lower(value, d, pred), body: this.lower(body, d, pred) };
      }
    }
    const e = this.entry(n.name);
    if (e?.t !== 'name') return fail('unexpected token');
    return this.lowerCall(e.name, args, d, pred);
  }

  /** Calls; a predicate builtin's closure argument is lowered one predicate level deeper. */
  private lowerCall(name: string, raw: J[], d: number, pred: number): Node {
    const layout = Object.hasOwn(PREDICATE_ARGS, name) ? PREDICATE_ARGS[name] : undefined;
    if (!layout) return { k: 'call', name, args: raw.map((a: J) => this.lower(a, d, pred)) };
    if (raw.length < layout.filter((a) => !a.optional).length) fail(`expected at least ${layout.length} arguments`);
    if (raw.length > layout.length) fail('unexpected token Operator(",")');
    const args = raw.map((a, i): Node => (layout[i]?.closure ? { k: 'closure', body: this.lower(a, d, pred + 1) } : this.lower(a, d, pred)));
    return { k: 'call', name, args };
  }
}

function isMarker(n: J, name: string): n is JCall {
  return n.type === 'FunctionCall' && n.name === name;
}

function isMarkerIdent(n: J, name: string): boolean {
  return n.type === 'Identifier' && !n.from && n.value === name;
}

function isNone(n: J | undefined): boolean {
  return n === undefined || isMarkerIdent(n, '$N');
}

function unchain(n: Node): Node {
  return n.k === 'chain' ? n.x : n;
}
