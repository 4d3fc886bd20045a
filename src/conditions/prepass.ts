/**
 * Pre-pass: rewrites an expr token stream into a source string that jexl's parser can structure.
 *
 * jexl only has to do operator precedence and member/index/call nesting. Everything jexl cannot
 * express (or would get wrong) is turned into placeholder identifiers or marker calls:
 *   - every literal, identifier and property name becomes `$<n>` pointing into `entries`
 *     (so jexl never interprets user text: no `1 == 1.0` confusion, no `constructor` lookups);
 *   - `( e )` -> `$P( e )`, `[a, b]` -> `$A(a, b)`, `{k: v}` -> `$M(k, v)`, closures `{ e }` -> `$P( e )`;
 *   - `c ? a : b` -> `$T(c, a, b)` and `c ?: b` -> `$T(c, $E, b)` (jexl's ternary cannot follow a call);
 *   - `let x = v; e` -> `$L(x, v, e)`; `a[i:j]` -> `a[$S(i, j)]` (`$N` for a missing bound);
 *   - `a?.b` -> property entry flagged optional, `a?.[i]` -> `a[$Q(i)]`;
 *   - `#`, `#index`, `#acc` and a leading `.field` become pointer entries;
 *   - `x | f(a)` -> `f(x, a)` (the pipe takes everything to its left at this level);
 *   - unary `-`/`+` -> `NEG_`/`POS_` (jexl would glue `-` onto the next token), `not in` -> `NOT_in`, ...
 */
import { tokenString, tokenize, type Token } from './lexer.js';
import { fail, type Value } from './types.js';
import { parseIntLiteral, parseFloatLiteral } from './strconv.js';

export type Entry =
  | { t: 'lit'; v: Value }
  | { t: 'name'; name: string }
  | { t: 'prop'; name: string; optional: boolean }
  | { t: 'ptr'; name: string };

interface Prepassed {
  source: string;
  entries: Entry[];
}

/** Argument layout of expr's predicate builtins (parser.go `predicates`): which argument is a closure. */
export const PREDICATE_ARGS: Record<string, Array<{ closure: boolean; optional: boolean }>> = (() => {
  const e = { closure: false, optional: false };
  const p = { closure: true, optional: false };
  const po = { closure: true, optional: true };
  const eo = { closure: false, optional: true };
  const two = [e, p];
  return {
    all: two, none: two, any: two, one: two, filter: two, map: two,
    count: [e, po], sum: [e, po],
    find: two, findIndex: two, findLast: two, findLastIndex: two, groupBy: two,
    sortBy: [e, p, eo], reduce: [e, p, eo],
  };
})();

export function isPredicateBuiltin(name: string): boolean {
  return Object.hasOwn(PREDICATE_ARGS, name);
}

const MAX_NESTING = 64;

const BINARY = new Set([
  '==', '!=', '<', '>', '<=', '>=', '+', '-', '*', '/', '%', '**', '^', '&&', '||', 'and', 'or',
  'in', 'matches', 'contains', 'startsWith', 'endsWith', '??', '..',
]);
const NEGATABLE = new Set(['in', 'matches', 'contains', 'startsWith', 'endsWith']);
const UNARY: Record<string, string> = { '!': '!', not: 'not', '-': 'NEG_', '+': 'POS_' };
const WORDS_AS_PROPERTY = new Set(['not', 'in', 'or', 'and', 'matches', 'contains', 'startsWith', 'endsWith', 'let', 'if', 'else']);

type Frame =
  | { type: 'root' | 'paren' | 'array' | 'closure'; start: number }
  | { type: 'call'; start: number; name: string; arg: number; pipe: boolean }
  | { type: 'index'; start: number; slice: boolean; toStart: number; optional: boolean }
  | { type: 'map'; start: number; state: 'key' | 'afterKey' | 'value' }
  | { type: 'let'; start: number; phase: 'value' | 'body' }
  | { type: 'ternary'; start: number; phase: 'then' | 'else' };

export function prepass(src: string): Prepassed {
  const toks = tokenize(src);
  const entries: Entry[] = [];
  const out: string[] = [];
  const frames: Frame[] = [{ type: 'root', start: 0 }];
  let prevValue = false; // did the last emitted token end an operand?

  const top = (): Frame => frames[frames.length - 1] as Frame;
  const ph = (e: Entry): string => `$${entries.push(e) - 1}`;
  const unexpected = (t: Token): never => fail(`unexpected token ${tokenString(t)}`);
  const push = (f: Frame): void => {
    if (frames.length > MAX_NESTING) fail(`expression nesting exceeds ${MAX_NESTING} levels`);
    frames.push(f);
  };
  // A `)`/`]`/`}`/`,`/`;`/EOF ends the innermost ternaries and let bodies.
  const closeOpen = (t: Token): void => {
    for (;;) {
      const f = top();
      if (f.type === 'ternary' && f.phase === 'then') unexpected(t);
      if (!(f.type === 'ternary' || (f.type === 'let' && f.phase === 'body'))) return;
      if (!prevValue) unexpected(t);
      out.push(')');
      frames.pop();
    }
  };
  const requireValue = (t: Token): void => {
    if (!prevValue) unexpected(t);
  };
  const requireOperandPosition = (t: Token): void => {
    if (prevValue) unexpected(t);
  };
  const isPredicateSlot = (f: Frame): boolean =>
    f.type === 'call' && isPredicateBuiltin(f.name) && f.arg === (f.pipe ? 0 : 1) && out.length === f.start;

  for (let i = 0; i < toks.length; i++) {
    const t = toks[i] as Token;
    const next = toks[i + 1];
    const f = top();
    if (f.type === 'map' && f.state === 'key' && !(t.kind === 'Bracket' && (t.value === '(' || t.value === '}'))) {
      if (t.kind !== 'Identifier' && t.kind !== 'Number' && t.kind !== 'String') {
        fail(`a map key must be a quoted string, a number, a identifier, or an expression enclosed in parentheses (unexpected token ${tokenString(t)})`);
      }
      out.push(ph({ t: 'lit', v: t.value }));
      f.state = 'afterKey';
      prevValue = true;
      continue;
    }

    switch (t.kind) {
      case 'EOF':
        closeOpen(t);
        if (frames.length !== 1 || !prevValue) unexpected(t);
        break;
      case 'Number':
        requireOperandPosition(t);
        out.push(ph({ t: 'lit', v: numberLiteral(t.value) }));
        prevValue = true;
        break;
      case 'String':
        requireOperandPosition(t);
        out.push(ph({ t: 'lit', v: t.value }));
        prevValue = true;
        break;
      case 'Identifier':
        requireOperandPosition(t);
        if (t.value === 'true' || t.value === 'false' || t.value === 'nil') {
          out.push(ph({ t: 'lit', v: t.value === 'nil' ? null : t.value === 'true' }));
          prevValue = true;
        } else if (next?.kind === 'Bracket' && next.value === '(') {
          out.push(`${ph({ t: 'name', name: t.value })} (`);
          push({ type: 'call', start: out.length, name: t.value, arg: 0, pipe: false });
          prevValue = false;
          i++;
        } else {
          out.push(ph({ t: 'name', name: t.value }));
          prevValue = true;
        }
        break;
      case 'Bracket':
        i = bracket(t, i);
        break;
      case 'Operator':
        i = operator(t, next, i);
        break;
    }
  }
  return { source: out.join(' '), entries };

  function bracket(t: Token, i: number): number {
    const f = top();
    switch (t.value) {
      case '(':
        requireOperandPosition(t);
        if (f.type === 'map' && f.state === 'key') f.state = 'afterKey';
        out.push('$P (');
        push({ type: 'paren', start: out.length });
        break;
      case '[':
        if (prevValue) {
          out.push('[');
          push({ type: 'index', start: out.length, slice: false, toStart: 0, optional: false });
          prevValue = false;
        } else {
          out.push('$A (');
          push({ type: 'array', start: out.length });
        }
        break;
      case '{':
        requireOperandPosition(t);
        if (isPredicateSlot(f)) {
          out.push('$P (');
          push({ type: 'closure', start: out.length });
        } else {
          out.push('$M (');
          push({ type: 'map', start: out.length, state: 'key' });
        }
        break;
      default: {
        closeOpen(t);
        const g = top();
        const closes = { ')': ['paren', 'call'], ']': ['index', 'array'], '}': ['map', 'closure'] }[t.value] ?? [];
        if (!closes.includes(g.type)) unexpected(t);
        if (g.type === 'paren' || g.type === 'closure' || (g.type === 'index' && !g.slice)) requireValue(t);
        if (g.type === 'map' && g.state === 'afterKey') unexpected(t);
        if (g.type === 'map' && g.state === 'value') requireValue(t);
        if (g.type === 'index') {
          if (g.slice && out.length === g.toStart) out.push('$N');
          if (g.slice) out.push(')');
          if (g.optional) out.push(')');
        }
        out.push(g.type === 'index' ? ']' : ')');
        frames.pop();
        prevValue = true;
      }
    }
    return i;
  }

  function operator(t: Token, next: Token | undefined, i: number): number {
    const v = t.value;
    const f = top();
    if (v === ',') {
      closeOpen(t);
      const g = top();
      if (g.type === 'call' || g.type === 'array') {
        requireValue(t);
        if (g.type === 'call') g.arg++;
      } else if (g.type === 'map' && g.state === 'value') {
        requireValue(t);
        g.state = 'key';
      } else unexpected(t);
      out.push(',');
      g.start = out.length;
      prevValue = false;
    } else if (v === '?') {
      requireValue(t);
      if (out.length === f.start) unexpected(t);
      out[f.start] = `$T ( ${out[f.start] ?? ''}`;
      out.push(',');
      if (next?.kind === 'Operator' && next.value === ':') {
        out.push('$E ,');
        push({ type: 'ternary', start: out.length, phase: 'else' });
        i++;
      } else push({ type: 'ternary', start: out.length, phase: 'then' });
      prevValue = false;
    } else if (v === ':') {
      colon(t);
    } else if (v === ';') {
      closeOpen(t);
      const g = top();
      if (g.type !== 'let' || g.phase !== 'value') return unexpected(t);
      requireValue(t);
      out.push(',');
      g.phase = 'body';
      g.start = out.length;
      prevValue = false;
    } else if (v === 'let') {
      requireOperandPosition(t);
      const name = next;
      const eq = toks[i + 2];
      if (out.length !== f.start) return unexpected(t);
      if (name?.kind !== 'Identifier') return unexpected(name ?? t);
      if (eq?.kind !== 'Operator' || eq.value !== '=') return unexpected(eq ?? t);
      out.push(`$L ( ${ph({ t: 'lit', v: name.value })} ,`);
      push({ type: 'let', start: out.length, phase: 'value' });
      i += 2;
    } else if (v === '.' || v === '?.') {
      i = member(t, next, i);
    } else if (v === '#') {
      requireOperandPosition(t);
      let name = '';
      if (next?.kind === 'Identifier') {
        name = next.value;
        i++;
      }
      out.push(ph({ t: 'ptr', name }));
      prevValue = true;
    } else if (!prevValue && Object.hasOwn(UNARY, v)) {
      out.push(UNARY[v] as string);
    } else if (prevValue && v === 'not') {
      if (next?.kind !== 'Operator' || !NEGATABLE.has(next.value)) return unexpected(next ?? t);
      out.push(`NOT_${next.value}`);
      prevValue = false;
      i++;
    } else if (v === '|') {
      // expr's pipe has the lowest binary precedence and its call result keeps being the left
      // operand of what follows: `a + b | f(c) * 2` is `f(a + b, c) * 2`. Like `?`, it wraps
      // everything parsed so far at this level: `X | f(args)` -> `f(X, args)`.
      requireValue(t);
      const call = toks[i + 2];
      if (next?.kind !== 'Identifier' || call?.kind !== 'Bracket' || call.value !== '(') return unexpected(next ?? t);
      out[f.start] = `${ph({ t: 'name', name: next.value })} ( ${out[f.start] ?? ''}`;
      out.push(',');
      push({ type: 'call', start: out.length, name: next.value, arg: 0, pipe: true });
      prevValue = false;
      i += 2;
    } else if (BINARY.has(v)) {
      requireValue(t);
      out.push(v);
      prevValue = false;
    } else {
      unexpected(t);
    }
    return i;
  }

  function colon(t: Token): void {
    for (;;) {
      const g = top();
      if (g.type === 'let' && g.phase === 'body') {
        requireValue(t);
        out.push(')');
        frames.pop();
      } else if (g.type === 'ternary' && g.phase === 'else') {
        requireValue(t);
        out.push(')');
        frames.pop();
      } else break;
    }
    const g = top();
    if (g.type === 'ternary') {
      requireValue(t);
      out.push(',');
      g.phase = 'else';
      g.start = out.length;
    } else if (g.type === 'index' && !g.slice) {
      if (out.length === g.start) out.push('$S ( $N');
      else {
        requireValue(t);
        out[g.start] = `$S ( ${out[g.start] ?? ''}`;
      }
      out.push(',');
      g.slice = true;
      g.toStart = out.length;
      g.start = out.length;
    } else if (g.type === 'map' && g.state === 'afterKey') {
      requireValue(t);
      out.push(',');
      g.state = 'value';
      g.start = out.length;
    } else {
      unexpected(t);
    }
    prevValue = false;
  }

  function member(t: Token, next: Token | undefined, i: number): number {
    const optional = t.value === '?.';
    if (!prevValue) {
      // `.field` in operand position is `#.field` (expr's PointerNode with a postfix member).
      if (optional) unexpected(t);
      out.push(ph({ t: 'ptr', name: '' }));
    }
    if (optional && next?.kind === 'Bracket' && next.value === '[') {
      out.push('[ $Q (');
      push({ type: 'index', start: out.length, slice: false, toStart: 0, optional: true });
      prevValue = false;
      return i + 1;
    }
    const ok = next !== undefined && (next.kind === 'Identifier' || (next.kind === 'Operator' && WORDS_AS_PROPERTY.has(next.value)));
    if (!ok || next === undefined) return fail('expected name');
    const after = toks[i + 2];
    if (after?.kind === 'Bracket' && after.value === '(') {
      fail(`method calls are not supported (${next.value})`);
    }
    out.push(`. ${ph({ t: 'prop', name: next.value, optional })}`);
    prevValue = true;
    return i + 1;
  }
}

/** Number literal -> Go int (bigint) or float64, with expr's parse errors. */
function numberLiteral(raw: string): Value {
  const value = raw.replace(/_/g, '');
  const lower = value.toLowerCase();
  if (lower.startsWith('0x')) return parseIntLiteral(value, 16, 'hex');
  if (lower.includes('.') || lower.includes('e')) return parseFloatLiteral(value);
  if (lower.startsWith('0b')) return parseIntLiteral(value, 2, 'binary');
  if (lower.startsWith('0o')) return parseIntLiteral(value, 8, 'octal');
  return parseIntLiteral(value, 10, 'integer');
}
