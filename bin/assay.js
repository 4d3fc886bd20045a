#!/usr/bin/env node
// Thin launcher (CommonJS, see bin/package.json): the CLI is compiled from src/cli/main.ts by
// `npm run build` (tsc into dist/src, then bundled into dist/bundle/cli for a fast start; see
// scripts/bundle-cli.mjs). The bundle is CommonJS loaded with V8's code cache
// (bin/code-cache.cjs). It is used unless it is missing or older than tsc's output (someone ran
// tsc alone); then tsc's ES modules run as they are. It exits once the command has finished, so
// that idle sockets or timers in libraries never keep a CLI run alive.
'use strict';
const { statSync } = require('node:fs');
const { join } = require('node:path');

const dist = join(__dirname, '..', 'dist');
const mtime = (path) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
};

async function loadCli() {
  const bundle = join(dist, 'bundle', 'cli');
  const bundled = mtime(join(bundle, 'main.cjs'));
  if (bundled < 0 || bundled < mtime(join(dist, 'src', 'cli', 'main.js'))) return import('../dist/src/cli/main.js');
  require('./code-cache.cjs').installCodeCache(bundle);
  return require(join(bundle, 'main.cjs'));
}

loadCli()
  .then(async (m) => {
    await m.main(process.argv);
    process.exit(process.exitCode ?? 0);
  })
  .catch((err) => {
    if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/src/cli')) {
      console.error('assay: not built yet; run `npm run build` first');
      process.exit(4);
    }
    console.error(err);
    process.exit(70);
  });
