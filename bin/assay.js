#!/usr/bin/env node
// Thin launcher: the CLI is compiled from src/cli/main.ts by `npm run build` (tsc into dist/src,
// then bundled into dist/bundle/cli for a fast start; see scripts/bundle-cli.mjs). The bundle is
// used unless it is missing or older than tsc's output (someone ran tsc alone). It exits once the
// command has finished, so that idle sockets or timers in libraries never keep a CLI run alive.
import { statSync } from 'node:fs';

const mtime = (rel) => {
  try {
    return statSync(new URL(rel, import.meta.url)).mtimeMs;
  } catch {
    return -1;
  }
};
const bundled = mtime('../dist/bundle/cli/main.mjs');
const entry = bundled >= 0 && bundled >= mtime('../dist/src/cli/main.js') ? '../dist/bundle/cli/main.mjs' : '../dist/src/cli/main.js';

import(entry)
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
