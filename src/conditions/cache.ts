import { compileGoRegexp, type GoRegexp } from '../go/regexp.js';
import { ExprError } from './types.js';

/**
 * A bounded, approximately-LRU map. Compiled expressions and regexps are cached by source string so
 * a condition is parsed once however often it is evaluated; the bound keeps user-controlled input
 * (every distinct expression string) from growing memory without limit.
 *
 * Recency is a counter stamped on each hit rather than delete+re-insert: V8 Maps degrade badly
 * (tens of µs per operation) under delete+set churn once they hold thousands of entries. When the
 * map overflows, the least recently used tenth is evicted in one batch.
 */
export class LruCache<K, V> {
  private readonly map = new Map<K, { value: V; used: number }>();
  private clock = 0;

  constructor(private readonly max: number) {}

  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    e.used = ++this.clock;
    return e.value;
  }

  set(key: K, value: V): void {
    this.map.set(key, { value, used: ++this.clock });
    if (this.map.size > this.max) this.evict();
  }

  private evict(): void {
    const byAge = [...this.map].sort((a, b) => a[1].used - b[1].used);
    const drop = this.map.size - Math.floor(this.max * 0.9);
    for (let i = 0; i < drop; i++) this.map.delete((byAge[i] as [K, unknown])[0]);
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
  }
}

/**
 * `matches` uses Go's RE2 syntax. re2js is a linear-time RE2 port, so a hostile pattern such as
 * `(a+)+$` cannot backtrack catastrophically, and its syntax errors read like Go's
 * (`error parsing regexp: missing closing ): `(a``).
 */
const regexps = new LruCache<string, GoRegexp | string>(1000);

/** Compiles (cached) or throws ExprError with Go's regexp error text. */
export function compileRegexp(pattern: string): GoRegexp {
  let re = regexps.get(pattern);
  if (re === undefined) {
    try {
      re = compileGoRegexp(pattern);
    } catch (e) {
      re = (e as Error).message;
    }
    regexps.set(pattern, re);
  }
  if (typeof re === 'string') throw new ExprError(re);
  return re;
}

/** Go regexp.MatchString: unanchored search. */
export function matchString(pattern: string, s: string): boolean {
  return compileRegexp(pattern).test(s);
}
