/**
 * Go's RE2 regular expressions (re2js: a linear-time RE2 port whose syntax errors read like Go's).
 * The package is 260 KB of JavaScript that most commands never use (a template without `matches`
 * or a metricName rule needs no regexp), so it is loaded on first use rather than at start-up:
 * `assay lint` and `assay test` start measurably faster (bench/scenarios/cli-start.ts).
 * re2js ships a CommonJS build, so the lazy load stays synchronous.
 */
import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';

export type GoRegexp = RE2JS;

let re2: typeof RE2JS | undefined;

/** Compiles a Go regexp; throws Go's `error parsing regexp: …` message. */
export function compileGoRegexp(pattern: string): GoRegexp {
  re2 ??= (createRequire(import.meta.url)('re2js') as { RE2JS: typeof RE2JS }).RE2JS;
  return re2.compile(pattern);
}
