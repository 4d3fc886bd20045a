/**
 * Evaluation of a parsed Kubernetes JSONPath template against a decoded JSON body, as
 * client-go's `JSONPath.FindResults` does it for Argo's web provider.
 *
 * Values are decoded JSON as Go's `json.Unmarshal` into `interface{}` yields them: every JSON
 * number is a float64. Integer literals in a template are Go `int`s (`GoInt` here), and Go's
 * template comparisons refuse to compare an int with a float64: `[?(@.x==1)]` fails with
 * `incompatible types for comparison` on JSON data, while `[?(@.x==1.0)]` matches. This is
 * Argo's behaviour and is kept.
 *
 * Go iterates maps in random order for `*` and `..`; here map keys are visited in sorted order,
 * one of Go's possible orders, chosen so that results are reproducible.
 */
import { goSprintV } from '../../../src/go/format.js';
import type { ListNode, Node, Param } from './parse.js';

/** A Go integer value produced by the template itself (int literal, or a byte of a string). */
class GoInt {
  constructor(
    readonly value: number,
    readonly kind: 'int' | 'uint8',
  ) {}
}

type Value = unknown;

class EvalError extends Error {
  /** What Go's walk returned alongside the error (an `exists` filter still looks at it). */
  constructor(
    message: string,
    readonly partial: Value[],
  ) {
    super(message);
  }
}

const isMap = (v: Value): v is Record<string, Value> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoInt);

const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** The children Go's reflection sees: map values, slice elements, a string's bytes. */
function children(v: Value): Value[] {
  if (Array.isArray(v)) return v;
  if (isMap(v)) return Object.keys(v).sort(byteOrder).map((k) => v[k]);
  if (typeof v === 'string') return [...Buffer.from(v, 'utf8')].map((b) => new GoInt(b, 'uint8'));
  return [];
}

/** Go's type name of a decoded value, for `... is not array or slice`. */
function goTypeName(v: Value): string {
  if (v instanceof GoInt) return v.kind;
  if (Array.isArray(v)) return '[]interface {}';
  if (isMap(v)) return 'map[string]interface {}';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  return 'interface {}';
}

type Kind = 'bool' | 'int' | 'uint' | 'float' | 'string';

function basicKind(v: Value): Kind {
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'string') return 'string';
  if (v instanceof GoInt) return v.kind === 'int' ? 'int' : 'uint';
  throw new EvalError('invalid type for comparison', []);
}

const scalar = (v: Value): number | string | boolean => (v instanceof GoInt ? v.value : (v as number | string | boolean));

/** Go text/template `eq`/`lt`, as forked by Kubernetes. */
function eq(a: Value, b: Value): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka !== kb) {
    if ((ka === 'int' && kb === 'uint') || (ka === 'uint' && kb === 'int')) return scalar(a) === scalar(b);
    throw new EvalError('incompatible types for comparison', []);
  }
  return scalar(a) === scalar(b);
}

function lt(a: Value, b: Value): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka !== kb) {
    if ((ka === 'int' && kb === 'uint') || (ka === 'uint' && kb === 'int')) return (scalar(a) as number) < (scalar(b) as number);
    throw new EvalError('incompatible types for comparison', []);
  }
  if (ka === 'bool') throw new EvalError('invalid type for comparison', []);
  if (ka === 'string') return byteOrder(a as string, b as string) < 0;
  return (scalar(a) as number) < (scalar(b) as number);
}

function compare(op: string, a: Value, b: Value): boolean {
  switch (op) {
    case '<': return lt(a, b);
    case '>': return !(lt(a, b) || eq(a, b));
    case '==': return eq(a, b);
    case '!=': return !eq(a, b);
    case '<=': return lt(a, b) || eq(a, b);
    case '>=': return !lt(a, b);
    default: throw new EvalError(`unrecognized filter operator ${op}`, []);
  }
}

function evalField(input: Value[], name: string): Value[] {
  if (input.length === 0) return [];
  const results = input.filter((v) => isMap(v) && Object.hasOwn(v, name)).map((v) => (v as Record<string, Value>)[name]);
  if (results.length === 0) throw new EvalError(`${name} is not found`, results);
  return results;
}

function evalArray(input: Value[], node: [Param, Param, Param]): Value[] {
  const result: Value[] = [];
  for (const v of input) {
    if (v === null) continue;
    if (!Array.isArray(v)) throw new EvalError(`${goTypeName(v)} is not array or slice`, input);
    const len = v.length;
    let start = node[0].known ? node[0].value : 0;
    if (start < 0) start += len;
    let end = node[1].known ? node[1].value : len;
    if (end < 0 || (end === 0 && node[1].derived)) end += len;
    if (end === start) return result; // zero elements requested: Go returns what it has so far
    if (start >= len || start < 0) throw new EvalError(`array index out of bounds: index ${start}, length ${len}`, input);
    if (end > len || end < 0) throw new EvalError(`array index out of bounds: index ${end - 1}, length ${len}`, input);
    if (start > end) throw new EvalError(`starting index ${start} is greater than ending index ${end}`, input);
    let step = 1;
    if (node[2].known) {
      if (node[2].value <= 0) throw new EvalError('step must be > 0', input);
      step = node[2].value;
    }
    const slice = v.slice(start, end);
    for (let i = 0; i < slice.length; i += step) result.push(slice[i]);
  }
  return result;
}

function evalRecursive(input: Value[]): Value[] {
  const result: Value[] = [];
  for (const v of input) {
    if (v === null) continue;
    const kids = children(v);
    if (kids.length === 0) continue;
    result.push(v, ...evalRecursive(kids));
  }
  return result;
}

function evalFilter(input: Value[], node: Extract<Node, { type: 'filter' }>): Value[] {
  const results: Value[] = [];
  for (const v of input) {
    if (!Array.isArray(v)) throw new EvalError(`${goSprintV(v)} is not array or slice and cannot be filtered`, input);
    for (const element of v) {
      let lefts: Value[];
      try {
        lefts = evalList([element], node.left);
      } catch (err) {
        if (!(err instanceof EvalError) || node.op !== 'exists') throw err;
        lefts = err.partial;
      }
      if (node.op === 'exists') {
        if (lefts.length > 0) results.push(element);
        continue;
      }
      if (lefts.length === 0) continue;
      if (lefts.length > 1) throw new EvalError('can only compare one element at a time', input);
      const rights = evalList([element], node.right);
      if (rights.length === 0) continue;
      if (rights.length > 1) throw new EvalError('can only compare one element at a time', input);
      if (compare(node.op, lefts[0], rights[0])) results.push(element);
    }
  }
  return results;
}

function walk(input: Value[], node: Node): Value[] {
  switch (node.type) {
    case 'list': return evalList(input, node);
    case 'text': return [node.text];
    case 'field': return evalField(input, node.name);
    case 'array': return evalArray(input, node.params);
    case 'filter': return evalFilter(input, node);
    case 'int': return input.map(() => new GoInt(node.value, 'int'));
    case 'float':
    case 'bool': return input.map(() => node.value);
    case 'wildcard': return input.flatMap((v) => (v === null ? [] : children(v)));
    case 'recursive': return evalRecursive(input);
    case 'union': return node.nodes.flatMap((n) => evalList(input, n));
    case 'identifier':
      if (node.name === 'range') return input;
      throw new EvalError(node.name === 'end' ? 'not in range, nothing to end' : `unrecognized identifier ${node.name}`, input);
  }
}

/** Walk the nodes in turn; an error carries the failing step's partial value (see EvalError). */
function evalList(input: Value[], node: ListNode): Value[] {
  let current = input;
  for (const n of node.nodes) current = walk(current, n);
  return current;
}

const hasIdentifier = (node: Node, name: string): boolean =>
  node.type === 'list' && node.nodes.some((n) => n.type === 'identifier' && n.name === name);

/**
 * `FindResults`: one result list per top-level node; `{range X}...{end}` repeats its body for
 * every value of X. Returns the lists, or the first error's message.
 */
export function findResults(root: ListNode, data: Value): { ok: true; results: Value[][] } | { ok: false; error: string } {
  function run(nodes: Node[], from: number, value: Value, depth: number): { results: Value[][]; next: number; ended: boolean } {
    const out: Value[][] = [];
    for (let i = from; i < nodes.length; ) {
      const node = nodes[i]!;
      if (hasIdentifier(node, 'end')) {
        if (depth === 0) throw new EvalError('not in range, nothing to end', []);
        return { results: out, next: i + 1, ended: true };
      }
      if (hasIdentifier(node, 'range')) {
        const items = walk([value], node);
        let body = { results: [] as Value[][], next: nodes.length, ended: false };
        if (items.length > 0) {
          for (const item of items) {
            body = run(nodes, i + 1, item, depth + 1);
            out.push(...body.results);
          }
        } else body = run(nodes, i + 1, null, depth + 1); // Go still walks the body once, on nil
        // Without a matching {end}, Go carries on with the node after {range}, at this level.
        i = body.ended ? body.next : i + 1;
        continue;
      }
      out.push(walk([value], node));
      i++;
    }
    return { results: out, next: nodes.length, ended: false };
  }
  try {
    return { ok: true, results: run(root.nodes, 0, data, 0).results };
  } catch (err) {
    if (err instanceof EvalError) return { ok: false, error: err.message };
    throw err;
  }
}

/** A result value in plain JS form (Go ints become numbers) for the engine's conditions. */
export function toPlain(v: Value): unknown {
  if (v instanceof GoInt) return v.value;
  if (Array.isArray(v)) return v.map(toPlain);
  if (isMap(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toPlain(x)]));
  return v;
}
