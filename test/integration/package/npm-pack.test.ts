/**
 * The npm package: `npm pack` makes a tarball that installs globally (`npm install -g`) into a fresh
 * prefix, puts `assay` on PATH and brings production dependencies only. Dependencies come from the
 * npm registry or npm's cache, as for any user.
 *
 * @kubernetes/client-node is a bundled dependency: package.json's `overrides` (undici 7, which runs on
 * Node 20; client-node 2 asks for undici 8, which needs Node 22) apply only to this project's own
 * installs, never to a package installed from the registry or a tarball, so the package carries
 * client-node with the tree it was tested with.
 *
 * `npm pack` runs with --ignore-scripts here: the "prepack" script (`npm run build`) would rewrite
 * dist/ while other test files use it; `npm test` has just built it.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..', '..');
const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as {
  name: string; version: string; scripts: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string>;
};

let dir: string;
let prefix: string;
let files: string[];
let tarball: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'assay-npm-pack-'));
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
  const packed = (JSON.parse(stdout) as { filename: string; files: { path: string }[] }[])[0]!;
  files = packed.files.map((f) => f.path);
  tarball = path.join(dir, packed.filename);
  prefix = path.join(dir, 'prefix');
  // A fresh global prefix, as `npm install -g` on a new machine; cwd outside the repository.
  await run('npm', ['install', '-g', tarball, '--prefix', prefix, '--no-audit', '--no-fund'], { cwd: dir, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 });
}, 300_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('npm pack + npm install -g', () => {
  test('the tarball is named assay-<version>.tgz and "prepack" builds', () => {
    expect(path.basename(tarball)).toBe(`${pkg.name}-${pkg.version}.tgz`);
    expect(pkg.scripts.prepack).toBe('npm run build');
  });

  test('the tarball holds the compiled CLI, the CRDs, the chart and the docs, and no TypeScript sources or tests', () => {
    for (const f of ['bin/assay.js', 'dist/src/cli/main.js', 'crds/analysisrun.yaml', 'charts/assay/Chart.yaml', 'README.md', 'docs/analysis-test-format.md']) {
      expect(files, f).toContain(f);
    }
    const own = files.filter((f) => !f.startsWith('node_modules/')); // bundled client-node brings its own .d.ts
    expect(own.filter((f) => f.endsWith('.ts') || f.startsWith('test/') || f.startsWith('src/') || f.startsWith('dist/test/') || f.endsWith('.map'))).toEqual([]);
  });

  test('`assay` is on PATH from the prefix and runs', async () => {
    const env = { ...process.env, PATH: `${path.join(prefix, 'bin')}:${process.env.PATH}` };
    const { stdout } = await run('assay', ['--version'], { env, cwd: dir });
    expect(stdout.trim()).toBe(pkg.version);
    const installed = path.join(prefix, 'lib', 'node_modules', pkg.name);
    const lint = await run('assay', ['lint', path.join(installed, 'examples/templates/success-rate.yaml')], { env, cwd: dir });
    expect(lint.stdout).toMatch(/1 resource checked: 0 errors/);
  }, 120_000);

  test('the Kubernetes client loads on this Node (the bundled tree, not a fresh resolution)', async () => {
    const installed = path.join(prefix, 'lib', 'node_modules', pkg.name);
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e',
      "const k = await import('@kubernetes/client-node'); console.log(typeof k.KubeConfig)"], { cwd: installed });
    expect(stdout.trim()).toBe('function');
  }, 120_000);

  test('production dependencies are installed, dev dependencies are not', () => {
    const modules = path.join(prefix, 'lib', 'node_modules', pkg.name, 'node_modules');
    for (const name of Object.keys(pkg.dependencies)) expect(existsSync(path.join(modules, name, 'package.json')), name).toBe(true);
    // @types/node also arrives as a dependency of @kubernetes/client-node.
    const devOnly = Object.keys(pkg.devDependencies).filter((name) => name !== '@types/node');
    expect(devOnly).toContain('vitest');
    for (const name of devOnly) expect(existsSync(path.join(modules, name)), `dev dependency ${name}`).toBe(false);
  });
});
