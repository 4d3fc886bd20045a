#!/usr/bin/env node
// The CLI as a few bundled CommonJS chunks (dist/bundle/cli/), each with V8's code cache beside it.
// Node's ES module loader resolves and compiles files one by one (zod alone is 227 of them) and
// Node 20 keeps no compiled code between runs, so `assay lint`, `assay test` and `--version` start
// from one file plus the chunk their command needs, deserialized rather than parsed
// (bin/code-cache.cjs). Run by `npm run build` after tsc, from tsc's output (dist/src): no second
// compiler.
//
// Code splitting keeps main.ts's dynamic imports lazy: each command is its own chunk. Only the
// small pure-JS packages every command needs are bundled; every other package stays external
// (loaded from node_modules, only by the commands that use them: Kubernetes, BullMQ, AWS, ...).
// The bundle sits at the same depth as dist/src/cli/main.js so that relative paths
// (../../../package.json) mean the same. bin/assay.js falls back to dist/src when the bundle is
// missing or older than tsc's output.
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/bundle/cli');
const BUNDLED = ['zod', 'yaml', 'jexl', '@babel/runtime', 'commander'];

await rm(out, { recursive: true, force: true });
const bundle = await rolldown({
  input: join(root, 'dist/src/cli/main.js'),
  platform: 'node',
  // A bare specifier (not a relative or absolute path) is a package: external unless listed.
  external: (id) => !/^[./]/.test(id) && !BUNDLED.some((p) => id === p || id.startsWith(`${p}/`)),
  logLevel: 'warn',
});
await bundle.write({ dir: out, format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: '[name]-[hash].cjs' });
await bundle.close();

// The code cache is made by running the commands that must start fast, in a fresh process.
execFileSync(process.execPath, [join(root, 'scripts/record-code-cache.cjs')], { cwd: root, stdio: 'inherit' });
