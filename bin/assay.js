#!/usr/bin/env node
// Thin launcher: the CLI is compiled from src/cli/main.ts by `npm run build`. It exits once the
// command has finished, so that idle sockets or timers in libraries never keep a CLI run alive.
import('../dist/src/cli/main.js')
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
