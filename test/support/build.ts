/**
 * Tests that run the real CLI need dist/ to be current. `npm test` builds first; when a suite is
 * run on its own (`npx vitest run test/integration/cli`), build once per process here.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const root = resolve(import.meta.dirname, '..', '..');
let building: Promise<void> | undefined;

export function buildOnce(): Promise<void> {
  if (process.env.ASSAY_SKIP_BUILD === '1' && existsSync(resolve(root, 'dist/src/cli/main.js'))) return Promise.resolve();
  building ??= promisify(execFile)('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root }).then(() => undefined);
  return building;
}
