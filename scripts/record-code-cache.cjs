// Writes V8's code cache for the bundled CLI (see bin/code-cache.cjs): runs `--version`, `--help`,
// `lint` and `test` on the repository's examples in this one process, output discarded, then saves
// what V8 compiled for each chunk, including the functions those commands ran. Run by
// scripts/bundle-cli.mjs; a chunk no command loaded gets no cache and compiles from source.
'use strict';
const { join } = require('node:path');
const { installCodeCache, recordCodeCache, writeCodeCache } = require('../bin/code-cache.cjs');

const root = join(__dirname, '..');
const dir = join(root, 'dist/bundle/cli/');
const examples = (...p) => join(root, 'examples', ...p);
const COMMANDS = [
  ['--version'],
  ['--help'],
  ['lint', examples('templates'), examples('statistics'), examples('blue-green-service', 'analysis')],
  ['lint', examples('broken')],
  ['test', examples('statistics')],
];

async function record() {
  recordCodeCache();
  installCodeCache(dir);
  const { main } = require(join(dir, 'main.cjs'));
  const write = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = process.stderr.write = () => true;
  try {
    for (const args of COMMANDS) await main(['node', 'assay', ...args]);
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
  process.exitCode = 0;
  const files = writeCodeCache();
  process.stdout.write(`code cache: ${files.length} chunks\n`);
}

record().catch((err) => {
  console.error(err);
  process.exit(1);
});
