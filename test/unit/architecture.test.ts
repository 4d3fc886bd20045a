/**
 * The shape rules of the code base, checked: no import cycles, a pure core (src/core,
 * src/conditions, src/go) that imports no I/O, reads no clock and logs nothing (nor anything of
 * the shell: runtime, scheduler, store, kube, server), a settle loop (src/reconcile) that reaches
 * the world only through its ports, providers that see only their contract, and one composition
 * root (src/composition) that constructs the adapters.
 */
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script shared with `npm run check:cycles`
import { findCycles, importGraph, sourceFiles } from '../../scripts/check-cycles.mjs';

const root = resolve(import.meta.dirname, '..', '..');
const PURE = ['src/core', 'src/conditions', 'src/go'];
const ALLOWED_FROM_PURE = ['src/api', 'src/core', 'src/conditions', 'src/go', 'src/metric/provider.ts'];
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

  it('keeps the settle loop (src/reconcile) on its ports: no adapters, stores, schedulers or I/O', () => {
    // The live engine, `assay test` and `assay backtest` all settle runs through src/reconcile;
    // each brings its own measurer, secrets and clock, so the loop may not reach for any of them.
    const ALLOWED = ['src/api', 'src/core', 'src/reconcile', 'src/metric/provider.ts'];
    const problems: string[] = [];
    for (const file of sourceFiles(join(root, 'src/reconcile')) as string[]) {
      const rel = relative(root, file);
      for (const m of readFileSync(file, 'utf8').matchAll(/from\s+['"]([^'"]+)['"]/g)) {
        const spec = m[1]!;
        if (!spec.startsWith('.')) {
          problems.push(`${rel} imports package ${spec}`);
          continue;
        }
        const target = relative(root, resolve(join(root, rel, '..'), spec.replace(/\.js$/, '.ts')));
        if (!ALLOWED.some((a) => target === a || target.startsWith(`${a}/`))) problems.push(`${rel} imports ${target}`);
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

  it('constructs adapters only in the composition root (src/composition)', () => {
    // Stores, schedulers, measurers, secret sources, health checks, Kubernetes clients and metric
    // providers are chosen in one place; everything else in src/ receives them as ports. A class's
    // own file may construct it (its static factory), and src/runtime/plugin-providers.ts is the
    // catalogue of assay's own plugin sources that lint reads too.
    const ADAPTERS = [
      'MemoryRunStore', 'FileRunStore', 'RedisRunStore', 'KubeRunStore', 'KubeTemplateCatalog',
      'BullMQScheduler', 'MemoryScheduler', 'ProviderMeasurer', 'Engine',
      'FileSecretSource', 'KubeSecretSource', 'KubeEventRecorder', 'LeaderElector', 'Health',
      'MemoryOutbox', 'RedisOutbox',
    ];
    const construction = new RegExp(`\\bnew (${ADAPTERS.join('|')})\\(|\\b(${ADAPTERS.join('|')})\\.(open|start|load|connect)\\(|\\bcreate[A-Z]\\w*Provider\\(`, 'g');
    const problems: string[] = [];
    for (const file of sourceFiles(join(root, 'src')) as string[]) {
      const rel = relative(root, file);
      if (rel.startsWith('src/composition/') || rel === 'src/runtime/plugin-providers.ts') continue;
      const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      for (const m of code.matchAll(construction)) {
        const name = m[1] ?? m[2];
        if (name && new RegExp(`\\bclass ${name}\\b`).test(code)) continue;
        problems.push(`${rel}: ${m[0]}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('keeps the composition root at the top: only the command line imports it', () => {
    const problems: string[] = [];
    for (const file of sourceFiles(join(root, 'src')) as string[]) {
      const rel = relative(root, file);
      if (rel.startsWith('src/composition/') || rel.startsWith('src/cli/')) continue;
      for (const m of readFileSync(file, 'utf8').matchAll(/from\s+['"](\.[^'"]+)['"]/g)) {
        const target = relative(root, resolve(join(root, rel, '..'), m[1]!));
        if (target.startsWith('src/composition/')) problems.push(`${rel} imports ${target}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
