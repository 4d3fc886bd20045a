#!/usr/bin/env node
/**
 * Writes crds/analysistemplate.yaml, crds/clusteranalysistemplate.yaml and crds/analysisrun.yaml from
 * the zod schemas (src/api/schema.ts), through the compiled src/api/crd.ts.
 *
 *   npm run build && node scripts/gen-crds.mjs            # regenerate
 *   npm run build && node scripts/gen-crds.mjs --check    # exit 1 if crds/ is stale (CI)
 *
 * Plain .mjs on purpose: Node 20 cannot run TypeScript, and scripts/ is outside the tsc build, so the
 * generator imports the build output (dist/src/api/crd.js) instead of duplicating any logic.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');

let crd;
try {
  crd = await import(pathToFileURL(join(root, 'dist', 'src', 'api', 'crd.js')).href);
} catch (err) {
  console.error(`cannot load dist/src/api/crd.js (${err.message}); run "npm run build" first`);
  process.exit(2);
}

const outDir = join(root, 'crds');
await mkdir(outDir, { recursive: true });
let stale = 0;
for (const { fileName, content } of crd.generateCrdFiles()) {
  const path = join(outDir, fileName);
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (current === content) continue;
  if (check) {
    console.error(`crds/${fileName} is out of date`);
    stale++;
  } else {
    await writeFile(path, content);
    console.log(`wrote crds/${fileName}`);
  }
}
if (stale > 0) {
  console.error('run: npm run build && node scripts/gen-crds.mjs');
  process.exit(1);
}
