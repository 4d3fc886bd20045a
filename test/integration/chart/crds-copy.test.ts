/**
 * crds/*.yaml (generated from src/api/schema.ts) is the single source of truth; the chart ships a
 * byte-identical copy in charts/assay/crds/. After `npm run gen:crds`, refresh it with
 *   cp crds/*.yaml charts/assay/crds/
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from 'vitest';
import { chartDir, root } from './render.js';

const FIX = 'run: cp crds/*.yaml charts/assay/crds/';

async function yamlFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort();
}

test('the chart ships the same CRD files as crds/', async () => {
  const source = await yamlFiles(path.join(root, 'crds'));
  expect(source.length).toBeGreaterThan(0);
  expect(await yamlFiles(path.join(chartDir, 'crds')), FIX).toEqual(source);
});

test('each chart CRD is byte-identical to crds/', async () => {
  for (const file of await yamlFiles(path.join(root, 'crds'))) {
    const source = await readFile(path.join(root, 'crds', file));
    const copy = await readFile(path.join(chartDir, 'crds', file)).catch(() => Buffer.alloc(0));
    expect(copy.equals(source), `charts/assay/crds/${file} differs from crds/${file}; ${FIX}`).toBe(true);
  }
});
