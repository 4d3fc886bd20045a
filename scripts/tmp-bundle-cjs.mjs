import { rolldown } from 'rolldown';
import { rm } from 'node:fs/promises';
const root = '/work/main';
const out = root + '/dist/bundle/cjs';
const BUNDLED = ['zod', 'yaml', 'jexl', 're2js', 'commander'];
await rm(out, { recursive: true, force: true });
const bundle = await rolldown({
  input: root + '/dist/src/cli/main.js',
  platform: 'node',
  external: (id) => !/^[./]/.test(id) && !BUNDLED.some((p) => id === p || id.startsWith(`${p}/`)),
  logLevel: 'warn',
});
await bundle.write({ dir: out, format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: '[name]-[hash].cjs' });
await bundle.close();
