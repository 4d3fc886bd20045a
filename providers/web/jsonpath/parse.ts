/**
 * Parser for Kubernetes JSONPath templates (`k8s.io/client-go/util/jsonpath`, what Argo's web
 * provider uses): text with `{...}` actions holding `$`/`@`, `.field`, `..`, `[i]`, `[a:b:c]`,
 * `[*]`, `[i,j]`, `['key']`, `[?(@.x==1)]`, quoted text, numbers, `true`/`false`, `range`/`end`.
 *
 * The grammar is Kubernetes' hand-written lexer, reproduced step by step so that odd inputs
 * parse, and fail, as they do for Argo (error texts included: `unclosed action`,
 * `invalid array index x`, ...). Notably `['a.b']` is re-parsed as `.a.b` (two fields), and a
 * dot inside a field name needs a backslash (`{.labels.app\.kubernetes\.io/name}`).
 */

export interface Param {
  known: boolean;
  value: number;
  derived: boolean;
}

export type Node =
  | ListNode
  | { type: 'text'; text: string }
  | { type: 'field'; name: string }
  | { type: 'array'; params: [Param, Param, Param] }
  | { type: 'filter'; left: ListNode; right: ListNode; op: string }
  | { type: 'int'; value: number }
  | { type: 'float'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'wildcard' }
  | { type: 'recursive' }
  | { type: 'union'; nodes: ListNode[] }
  | { type: 'identifier'; name: string };

export interface ListNode {
  type: 'list';
  nodes: Node[];
}

class JsonPathSyntaxError extends Error {}

const EOF = '';
const isDigit = (r: string): boolean => /^\p{Nd}$/u.test(r);
const isAlphaNumeric = (r: string): boolean => r === '_' || /^[\p{L}\p{Nd}]$/u.test(r);
const isTerminator = (r: string): boolean => ' \t\r\n.,[]$@{}'.includes(r) || r === EOF;
const list = (): ListNode => ({ type: 'list', nodes: [] });

/** Go `%#U`: `U+0023 '#'`. */
function goRuneU(r: string): string {
  const hex = r.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(r) ? `U+${hex} '${r}'` : `U+${hex}`;
}

/** Go `strconv.Atoi`: decimal int64, optional sign. */
function atoi(s: string): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n > 9223372036854775807n || n < -9223372036854775808n ? undefined : Number(n);
}

/** Kubernetes' `UnquoteExtend`: Go unquoting for '...' and "..." strings. */
function unquote(s: string): string | undefined {
  const quote = s[0];
  if (s.length < 2 || (quote !== '"' && quote !== "'") || s[s.length - 1] !== quote) return undefined;
  const body = s.slice(1, -1);
  let out = '';
  const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === quote) return undefined;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) return undefined;
    if (simple[e] !== undefined) out += simple[e];
    else if (e === quote) out += e;
    else if (e === 'x' || e === 'u' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) return undefined;
      out += String.fromCodePoint(parseInt(hex, 16));
      i += len;
    } else if (/[0-7]/.test(e)) {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) return undefined;
      out += String.fromCharCode(parseInt(oct, 8));
      i += 2;
    } else return undefined;
  }
  return out;
}

class Parser {
  private pos = 0;
  private start = 0;
  private width = 0;
  readonly root = list();

  constructor(private readonly input: string) {}

  run(): ListNode {
    // parseText / parseLeftDelim / parseInsideAction / parseRightDelim, as a loop instead of
    // Go's mutual recursion (one stack frame per token would overflow on long templates).
    let cur: ListNode | undefined;
    for (;;) {
      if (cur === undefined) {
        if (!this.textUntilAction()) return this.root;
        this.pos += 1;
        this.consume();
        cur = list();
        this.root.nodes.push(cur);
      } else if (this.input.startsWith('}', this.pos)) {
        this.pos += 1;
        this.consume();
        cur = undefined;
      } else this.insideAction(cur);
    }
  }

  private consume(): string {
    const v = this.input.slice(this.start, this.pos);
    this.start = this.pos;
    return v;
  }

  private next(): string {
    if (this.pos >= this.input.length) {
      this.width = 0;
      return EOF;
    }
    const r = String.fromCodePoint(this.input.codePointAt(this.pos)!);
    this.width = r.length;
    this.pos += r.length;
    return r;
  }

  private backup(): void {
    this.pos -= this.width;
  }

  private peek(): string {
    const r = this.next();
    this.backup();
    return r;
  }

  /** Collect plain text up to the next `{`; false at the end of input. */
  private textUntilAction(): boolean {
    for (;;) {
      if (this.input.startsWith('{', this.pos)) {
        if (this.pos > this.start) this.root.nodes.push({ type: 'text', text: this.consume() });
        return true;
      }
      if (this.next() === EOF) break;
    }
    if (this.pos > this.start) this.root.nodes.push({ type: 'text', text: this.consume() });
    return false;
  }

  /** One token inside `{...}`. */
  private insideAction(cur: ListNode): void {
    if (this.input.startsWith('[?(', this.pos)) return this.filter(cur);
    if (this.input.startsWith('..', this.pos)) return this.recursive(cur);
    const r = this.next();
    if (r === EOF || r === '\r' || r === '\n') throw new JsonPathSyntaxError('unclosed action');
    if (r === ' ' || r === '@' || r === '$') this.consume();
    else if (r === '[') this.array(cur);
    else if (r === '"' || r === "'") this.quote(cur, r);
    else if (r === '.') this.field(cur);
    else if (r === '+' || r === '-' || isDigit(r)) {
      this.backup();
      this.number(cur);
    } else if (isAlphaNumeric(r)) {
      this.backup();
      this.identifier(cur);
    } else throw new JsonPathSyntaxError(`unrecognized character in action: ${goRuneU(r)}`);
  }

  private identifier(cur: ListNode): void {
    while (!isTerminator(this.next()));
    this.backup();
    const value = this.consume();
    if (value === 'true' || value === 'false') cur.nodes.push({ type: 'bool', value: value === 'true' });
    else cur.nodes.push({ type: 'identifier', name: value });
  }

  private recursive(cur: ListNode): void {
    if (cur.nodes[cur.nodes.length - 1]?.type === 'recursive') throw new JsonPathSyntaxError('invalid multiple recursive descent');
    this.pos += 2;
    this.consume();
    cur.nodes.push({ type: 'recursive' });
    if (isAlphaNumeric(this.peek())) this.field(cur);
  }

  private number(cur: ListNode): void {
    const sign = this.peek();
    if (sign === '+' || sign === '-') this.next();
    for (;;) {
      const r = this.next();
      if (r !== '.' && !isDigit(r)) {
        this.backup();
        break;
      }
    }
    const value = this.consume();
    const i = atoi(value);
    if (i !== undefined) cur.nodes.push({ type: 'int', value: i });
    else if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(value)) cur.nodes.push({ type: 'float', value: Number(value) });
    else throw new JsonPathSyntaxError(`cannot parse number ${value}`);
  }

  private array(cur: ListNode): void {
    for (;;) {
      const r = this.next();
      if (r === EOF || r === '\n') throw new JsonPathSyntaxError('unterminated array');
      if (r === ']') break;
    }
    let text = this.consume().slice(1, -1);
    if (text === '*') text = ':';
    const parts = text.split(',');
    if (parts.length > 1) {
      cur.nodes.push({ type: 'union', nodes: parts.map((p) => parseAction(`[${p.replace(/^ +| +$/g, '')}]`)) });
      return;
    }
    const dictKey = /^'([^']*)'$/.exec(text);
    if (dictKey !== null) {
      cur.nodes.push(...parseAction(`.${dictKey[1]}`).nodes);
      return;
    }
    const slice = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/.exec(text);
    if (slice === null) throw new JsonPathSyntaxError(`invalid array index ${text}`);
    const params: Param[] = [];
    for (let i = 0; i < 3; i++) {
      let v = slice[i + 1] ?? '';
      if (v !== '') {
        if (i > 0) v = v.slice(1);
        if (i > 0 && v === '') params.push({ known: false, value: 0, derived: false });
        else {
          const n = atoi(v);
          if (n === undefined) throw new JsonPathSyntaxError(`array index ${v} is not a number`);
          params.push({ known: true, value: n, derived: false });
        }
      } else if (i === 1) params.push({ known: true, value: params[0]!.value + 1, derived: true });
      else params.push({ known: false, value: 0, derived: false });
    }
    cur.nodes.push({ type: 'array', params: params as [Param, Param, Param] });
  }

  private filter(cur: ListNode): void {
    this.pos += 3;
    this.consume();
    let begin = false;
    let end = false;
    let pair = '';
    for (;;) {
      const r = this.next();
      if (r === EOF || r === '\n') throw new JsonPathSyntaxError('unterminated filter');
      if (r === '"' || r === "'") {
        if (!begin) {
          begin = true;
          pair = r;
          continue;
        }
        if (this.input[this.pos - 2] !== '\\' && r === pair) end = true;
      } else if (r === ')' && begin === end) break;
    }
    if (this.next() !== ']') throw new JsonPathSyntaxError('unclosed array expect ]');
    const text = this.consume().slice(0, -2);
    const m = /^([^!<>=]+)([!<>=]+)(.+?)$/.exec(text);
    if (m === null) cur.nodes.push({ type: 'filter', left: parseAction(text), right: list(), op: 'exists' });
    else cur.nodes.push({ type: 'filter', left: parseAction(m[1]!), right: parseAction(m[3]!), op: m[2]! });
  }

  private quote(cur: ListNode, endQuote: string): void {
    for (;;) {
      const r = this.next();
      if (r === EOF || r === '\n') throw new JsonPathSyntaxError('unterminated quoted string');
      if (r === endQuote && this.input[this.pos - 2] !== '\\') break;
    }
    const value = this.consume();
    const text = unquote(value);
    if (text === undefined) throw new JsonPathSyntaxError(`unquote string ${value} error invalid syntax`);
    cur.nodes.push({ type: 'text', text });
  }

  private field(cur: ListNode): void {
    this.consume();
    for (;;) {
      const r = this.next();
      if (r === '\\') this.next();
      else if (isTerminator(r)) {
        this.backup();
        break;
      }
    }
    const value = this.consume();
    if (value === '*') cur.nodes.push({ type: 'wildcard' });
    else cur.nodes.push({ type: 'field', name: value.replace(/\\/g, '') });
  }
}

/** `parseAction`: the list inside `{text}`. */
function parseAction(text: string): ListNode {
  return new Parser(`{${text}}`).run().nodes[0] as ListNode;
}

/** Parse a template; the error message is Kubernetes'. */
export function parseJsonPath(template: string): { ok: true; root: ListNode } | { ok: false; error: string } {
  try {
    return { ok: true, root: new Parser(template).run() };
  } catch (err) {
    if (err instanceof JsonPathSyntaxError) return { ok: false, error: err.message };
    throw err;
  }
}
