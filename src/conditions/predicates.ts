/**
 * Closure builtins (all, any, none, one, filter, map, count, sum, find*, groupBy, sortBy, reduce).
 * The closure body runs once per element with `#` bound to it; each iteration is metered by the
 * evaluator's step counter. Non-bool predicate results fail like the VM's bool assertion.
 */
import { isPredicateBuiltin } from './prepass.js';
import { arith, asBool, asString, compare, iterable } from './runtime.js';
import { fail, GoAnyMap, tagArray, type Node, type Value } from './types.js';


/** Returns undefined when `name` is not a closure builtin. */
/** One closure frame: `#` is `item`, `#index` its position, `#acc` the reduce accumulator. */
export interface Scope {
  items: readonly Value[];
  item: Value;
  index: number;
  acc: Value;
}

/** What a predicate needs from the evaluator (declared here so the two modules do not import each other). */
export interface PredicateHost {
  readonly scopes: Scope[];
  ev(n: Node): Value;
  tick(): void;
  charge(units: number): void;
}

export function runPredicate(ev: PredicateHost, name: string, args: Node[]): { value: Value } | undefined {
  if (!isPredicateBuiltin(name)) return undefined;
  const items = iterable(ev.ev(args[0] as Node));
  const closure = args[1];
  const body = closure?.k === 'closure' ? closure.body : undefined;
  const run = (i: number, acc: Value = null): Value => {
    ev.tick();
    if (!body) return items[i];
    ev.scopes.push({ items, item: items[i], index: i, acc });
    try {
      return ev.ev(body);
    } finally {
      ev.scopes.pop();
    }
  };
  const test = (i: number): boolean => asBool(run(i));
  return { value: evaluate() };

  function evaluate(): Value {
    const n = items.length;
    switch (name) {
      case 'all':
        for (let i = 0; i < n; i++) if (!test(i)) return false;
        return true;
      case 'any':
        for (let i = 0; i < n; i++) if (test(i)) return true;
        return false;
      case 'none':
        for (let i = 0; i < n; i++) if (test(i)) return false;
        return true;
      case 'one': {
        let count = 0;
        for (let i = 0; i < n; i++) if (test(i)) count++;
        return count === 1;
      }
      case 'count': {
        let count = 0n;
        for (let i = 0; i < n; i++) if (test(i)) count++;
        return count;
      }
      case 'filter': {
        const out: Value[] = [];
        for (let i = 0; i < n; i++) if (test(i)) out.push(items[i]);
        ev.charge(out.length);
        return tagArray(out);
      }
      case 'map': {
        const out: Value[] = [];
        for (let i = 0; i < n; i++) out.push(run(i));
        ev.charge(out.length);
        return tagArray(out);
      }
      case 'sum': {
        let total: Value = 0n;
        for (let i = 0; i < n; i++) total = arith('+', total, run(i));
        return total;
      }
      case 'find':
        for (let i = 0; i < n; i++) if (test(i)) return items[i];
        return null;
      case 'findIndex':
        for (let i = 0; i < n; i++) if (test(i)) return BigInt(i);
        return -1n;
      case 'findLast':
        for (let i = n - 1; i >= 0; i--) if (test(i)) return items[i];
        return null;
      case 'findLastIndex':
        for (let i = n - 1; i >= 0; i--) if (test(i)) return BigInt(i);
        return -1n;
      case 'groupBy': {
        const out = new GoAnyMap();
        for (let i = 0; i < n; i++) {
          const key = run(i);
          const group = (out.get(key) as Value[] | null) ?? tagArray([]);
          group.push(items[i]);
          out.set(key, group);
        }
        return out;
      }
      case 'sortBy': {
        let desc = false;
        if (args[2]) {
          const order = asString(ev.ev(args[2]));
          if (order !== 'asc' && order !== 'desc') fail(`unknown order ${order}, use asc or desc`);
          desc = order === 'desc';
        }
        const keyed = items.map((item, i) => ({ item, key: run(i) }));
        keyed.sort((a, b) => (compare('<', a.key, b.key) ? -1 : compare('<', b.key, a.key) ? 1 : 0) * (desc ? -1 : 1));
        ev.charge(keyed.length);
        return tagArray(keyed.map((k) => k.item));
      }
      default: {
        // reduce(array, {#acc + #}, initial?)
        let start = 0;
        let acc: Value;
        if (args[2]) acc = ev.ev(args[2]);
        else {
          if (n === 0) fail('reduce of empty array with no initial value');
          acc = items[0];
          start = 1;
        }
        for (let i = start; i < n; i++) acc = run(i, acc);
        return acc;
      }
    }
  }
}
