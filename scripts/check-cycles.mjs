#!/usr/bin/env node
// Fails when the TypeScript sources under src/ and providers/ import each other in a cycle.
// A small DFS over relative imports (type-only imports included: a cycle of types is still a
// cycle in the design). Usage: node scripts/check-cycles.mjs
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');

export function sourceFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

export function importGraph(files) {
  const graph = new Map();
  const re = /(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const deps = [];
    for (const m of text.matchAll(re)) deps.push(resolve(dirname(f), m[1].replace(/\.js$/, '.ts')));
    graph.set(f, deps);
  }
  return graph;
}

export function findCycles(graph) {
  const state = new Map();
  const stack = [];
  const cycles = [];
  const visit = (n) => {
    state.set(n, 1);
    stack.push(n);
    for (const d of graph.get(n) ?? []) {
      if (!graph.has(d)) continue;
      if (state.get(d) === 1) cycles.push([...stack.slice(stack.indexOf(d)), d]);
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of graph.keys()) if (!state.has(n)) visit(n);
  return cycles;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const files = [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'providers'))];
  const cycles = findCycles(importGraph(files));
  for (const c of cycles) console.log(`cycle: ${c.map((f) => relative(root, f)).join(' -> ')}`);
  console.log(`${files.length} files, ${cycles.length} import cycle(s)`);
  process.exit(cycles.length === 0 ? 0 : 1);
}
