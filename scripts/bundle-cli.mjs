#!/usr/bin/env node
// The CLI as a few bundled ES modules (dist/bundle/cli/): Node's ES module loader spends most of
// a short command's time resolving and compiling files one by one (zod alone is 227 of them), so
// `assay lint`, `assay test` and `--version` start from one module plus the chunk their command
// needs. Run by `npm run build` after tsc, from tsc's output (dist/src): no second compiler.
//
// Code splitting keeps main.ts's dynamic imports lazy: each command is its own chunk. Only the
// small pure-JS packages every command needs are bundled; every other package stays external
// (loaded from node_modules, only by the commands that use them: Kubernetes, BullMQ, AWS, ...).
// The bundle sits at the same depth as dist/src/cli/main.js so that relative paths
// (../../../package.json) mean the same. bin/assay.js falls back to dist/src when the bundle is
// missing or older than tsc's output.
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/bundle/cli');
const BUNDLED = ['zod', 'yaml', 'jexl', 're2js', 'commander'];

await rm(out, { recursive: true, force: true });
const bundle = await rolldown({
  input: join(root, 'dist/src/cli/main.js'),
  platform: 'node',
  // A bare specifier (not a relative or absolute path) is a package: external unless listed.
  external: (id) => !/^[./]/.test(id) && !BUNDLED.some((p) => id === p || id.startsWith(`${p}/`)),
  logLevel: 'warn',
});
await bundle.write({ dir: out, format: 'esm', entryFileNames: '[name].mjs', chunkFileNames: '[name]-[hash].mjs' });
await bundle.close();
