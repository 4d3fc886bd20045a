/**
 * Tokenizer following expr-lang's lexer (parser/lexer/state.go) so that numbers, strings,
 * comments, `?.`, `??`, `..`, `#pointer` and word operators split exactly as in Argo.
 * jexl's own lexer is not used on user text: it mangles Go escapes, cannot tell 1 from 1.0,
 * and chokes on identifiers such as `constructor` (it looks them up on a plain object).
 */
import { fail } from './types.js';

type TokenKind = 'Identifier' | 'Number' | 'String' | 'Operator' | 'Bracket' | 'EOF';

export interface Token {
  kind: TokenKind;
  /** Unescaped value for strings, raw text otherwise. */
  value: string;
}

/** Words the expr lexer emits as operators rather than identifiers. */
const WORD_OPERATORS = new Set(['in', 'or', 'and', 'matches', 'contains', 'startsWith', 'endsWith', 'let', 'if', 'else', 'not']);

const isSpace = (c: string): boolean => /^\s$/u.test(c);
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isAlphaNumeric = (c: string): boolean => c === '_' || c === '$' || /^[\p{L}\p{Nd}]$/u.test(c);

/** Go's `%q`-ish rendering used in `Token.String()` (e.g. `Operator("not")`). */
export function tokenString(t: Token): string {
  if (t.value === '') return t.kind;
  return `${t.kind}(${JSON.stringify(t.value)})`;
}

export function tokenize(src: string): Token[] {
  // Iterate by code point so that non-BMP letters are handled like Go runes.
  const cs = Array.from(src.replace(/\r\n?/g, '\n'));
  const out: Token[] = [];
  let i = 0;
  const peek = (k = 0): string => cs[i + k] ?? '';
  const emit = (kind: TokenKind, value: string): void => {
    out.push({ kind, value });
  };

  while (i < cs.length) {
    const c = peek();
    if (isSpace(c)) {
      i++;
    } else if (c === '"' || c === "'") {
      emit('String', scanString(cs, i, c, (end) => (i = end)));
    } else if (c === '`') {
      const end = cs.indexOf('`', i + 1);
      if (end < 0) fail('literal not terminated');
      emit('String', cs.slice(i + 1, end).join(''));
      i = end + 1;
    } else if (isDigit(c) || (c === '.' && isDigit(peek(1)))) {
      const start = i;
      i = scanNumber(cs, i);
      emit('Number', cs.slice(start, i).join(''));
    } else if (c === '?') {
      const n = peek(1);
      if (n === '.' || n === '?') {
        emit('Operator', c + n);
        i += 2;
      } else {
        emit('Operator', '?');
        i++;
      }
    } else if (c === '/') {
      if (peek(1) === '/') {
        while (i < cs.length && cs[i] !== '\n') i++;
      } else if (peek(1) === '*') {
        let j = i + 2;
        while (j < cs.length && !(cs[j] === '*' && cs[j + 1] === '/')) j++;
        if (j >= cs.length) fail('unclosed comment');
        i = j + 2;
      } else {
        emit('Operator', '/');
        i++;
      }
    } else if (c === '#') {
      emit('Operator', '#');
      i++;
      const start = i;
      while (i < cs.length && isAlphaNumeric(peek())) i++;
      if (i > start) emit('Identifier', cs.slice(start, i).join(''));
    } else if (c === '|' || c === ':') {
      const two = peek(1) === c;
      emit('Operator', two ? c + c : c);
      i += two ? 2 : 1;
    } else if ('([{'.includes(c) || ')]}'.includes(c)) {
      emit('Bracket', c);
      i++;
    } else if (',;%+-^'.includes(c)) {
      emit('Operator', c);
      i++;
    } else if ('&!=*<>'.includes(c)) {
      const n = peek(1);
      const two = n === '&' || n === '=' || n === '*';
      emit('Operator', two ? c + n : c);
      i += two ? 2 : 1;
    } else if (c === '.') {
      const two = peek(1) === '.';
      emit('Operator', two ? '..' : '.');
      i += two ? 2 : 1;
    } else if (isAlphaNumeric(c)) {
      const start = i;
      while (i < cs.length && isAlphaNumeric(peek())) i++;
      const word = cs.slice(start, i).join('');
      emit(WORD_OPERATORS.has(word) ? 'Operator' : 'Identifier', word);
    } else {
      const cp = c.codePointAt(0) ?? 0;
      fail(`unrecognized character: U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${c}'`);
    }
  }
  emit('EOF', '');
  return out;
}

/** Mirrors scanNumber: hex/octal/binary prefixes, `_` separators, fraction, exponent; `1..2` is a range. */
function scanNumber(cs: string[], start: number): number {
  let i = start;
  let digits = '0123456789_';
  const accept = (set: string): boolean => {
    if (i < cs.length && set.includes(cs[i] ?? '\u0000')) {
      i++;
      return true;
    }
    return false;
  };
  const acceptRun = (set: string): void => {
    while (accept(set));
  };
  if (accept('0')) {
    if (accept('xX')) digits = '0123456789abcdefABCDEF_';
    else if (accept('oO')) digits = '01234567_';
    else if (accept('bB')) digits = '01_';
  }
  acceptRun(digits);
  if (cs[i] === '.') {
    if (cs[i + 1] === '.') return i; // `1..2`: the dot belongs to the range operator
    i++;
    acceptRun(digits);
  }
  if (accept('eE')) {
    accept('+-');
    acceptRun(digits);
  }
  if (i < cs.length && isAlphaNumeric(cs[i] ?? '')) {
    fail(`bad number syntax: ${JSON.stringify(cs.slice(start, i + 1).join(''))}`);
  }
  return i;
}

/** Scans a quoted string and unescapes it with Go/expr escape rules. */
function scanString(cs: string[], start: number, quote: string, setEnd: (end: number) => void): string {
  let i = start + 1;
  while (i < cs.length && cs[i] !== quote) {
    if (cs[i] === '\\') i++;
    i++;
  }
  if (i >= cs.length) fail('literal not terminated');
  setEnd(i + 1);
  return unescape(cs.slice(start + 1, i));
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '`': '`',
  '?': '?',
};

function unescape(cs: string[]): string {
  let out = '';
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i] ?? '';
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = cs[i + 1];
    if (e === undefined) fail("unable to unescape string, found '\\' as last character");
    i++;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
    } else if ('xXuU'.includes(e)) {
      const n = e === 'u' ? 4 : e === 'U' ? 8 : 2;
      const hex = cs.slice(i + 1, i + 1 + n).join('');
      if (hex.length < n || !/^[0-9a-fA-F]+$/.test(hex)) fail('unable to unescape string');
      const v = parseInt(hex, 16);
      if (v > 0x10ffff) fail('unable to unescape string');
      // \x escapes are raw bytes in Go; for ASCII they are the same character.
      out += String.fromCodePoint(v);
      i += n;
    } else if (e >= '0' && e <= '3') {
      const oct = cs.slice(i + 1, i + 3).join('');
      if (!/^[0-7]{2}$/.test(oct)) fail('unable to unescape octal sequence in string');
      out += String.fromCodePoint(parseInt(e + oct, 8));
      i += 2;
    } else {
      fail('unable to unescape string');
    }
  }
  return out;
}
