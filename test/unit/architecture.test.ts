/**
 * The shape rules of the code base, checked: no import cycles, and a pure core (src/engine,
 * src/conditions, src/go) that imports no I/O, reads no clock and logs nothing.
 */
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script shared with `npm run check:cycles`
import { findCycles, importGraph, sourceFiles } from '../../scripts/check-cycles.mjs';

const root = resolve(import.meta.dirname, '..', '..');
const PURE = ['src/engine', 'src/conditions', 'src/go'];
const ALLOWED_FROM_PURE = ['src/api', 'src/engine', 'src/conditions', 'src/go', 'src/metric/provider.ts'];
/** Loads re2js on first use with createRequire: code loading, not I/O a decision depends on. */
const LAZY_LOADER = 'src/go/regexp.ts';

describe('architecture', () => {
  it('has no import cycles in src/ and providers/', () => {
    const files = [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'providers'))];
    const cycles: string[][] = findCycles(importGraph(files));
    expect(cycles.map((c) => c.map((f) => relative(root, f)).join(' -> '))).toEqual([]);
  });

  it('keeps the deciding core pure: no I/O modules, clocks, timers, process or loggers', () => {
    const problems: string[] = [];
    for (const dir of PURE) {
      for (const file of sourceFiles(join(root, dir)) as string[]) {
        const rel = relative(root, file);
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/from\s+['"]([^'"]+)['"]/g)) {
          const spec = m[1]!;
          if (spec.startsWith('.')) {
            const target = relative(root, resolve(join(root, rel, '..'), spec.replace(/\.js$/, '.ts')));
            if (!ALLOWED_FROM_PURE.some((a) => target === a || target.startsWith(`${a}/`))) problems.push(`${rel} imports ${target}`);
          } else if (!['jexl', 're2js'].includes(spec) && !(rel === LAZY_LOADER && spec === 'node:module')) {
            problems.push(`${rel} imports package ${spec}`);
          }
        }
        const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
        for (const banned of ['Date.now(', 'new Date()', 'process.', 'console.', 'setTimeout(', 'setInterval(', 'performance.now(']) {
          if (code.includes(banned)) problems.push(`${rel} uses ${banned}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('lets providers import only the provider contract, shared helpers and Go formatting', () => {
    // A provider observes: it may not reach into the engine, the runtime, stores or the CLI.
    // Allowed: its own folder, providers/shared, the contract, src/go (Go formatting of values and
    // messages) and src/conditions (Argo's EvalTime for Prometheus range queries).
    const ALLOWED = ['src/metric/provider.ts', 'src/go', 'src/conditions', 'providers/shared'];
    const problems: string[] = [];
    for (const file of sourceFiles(join(root, 'providers')) as string[]) {
      const rel = relative(root, file);
      const own = rel.split('/').slice(0, 2).join('/');
      for (const m of readFileSync(file, 'utf8').matchAll(/from\s+['"](\.[^'"]+)['"]/g)) {
        const target = relative(root, resolve(join(root, rel, '..'), m[1]!.replace(/\.js$/, '.ts')));
        if (target.startsWith(`${own}/`) || ALLOWED.some((a) => target === a || target.startsWith(`${a}/`))) continue;
        problems.push(`${rel} imports ${target}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('reads the environment only in src/runtime/config.ts', () => {
    const offenders = [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'providers'))]
      .map((f: string) => relative(root, f))
      .filter((f: string) => f !== 'src/runtime/config.ts' && !f.startsWith('src/cli/main.ts'))
      .filter((f: string) =>
        readFileSync(join(root, f), 'utf8')
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/\/\/.*$/gm, '')
          .includes('process.env'),
      );
    expect(offenders).toEqual([]);
  });
});
