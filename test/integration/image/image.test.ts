/**
 * The container image, built the way CI and users build it (scripts/build-image.sh: umoci, offline,
 * from the node binary on PATH and the installed production packages), then run: the image's root
 * filesystem is unpacked with umoci and assay is started inside it with chroot, as the image's user,
 * with an empty environment: the same process a container runtime would start, minus namespaces.
 *
 * Needs root (chroot) and umoci + skopeo (Debian packages; .ci/run installs them).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { tarEntry } from '../../support/helm.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..', '..');
const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as {
  version: string; dependencies: Record<string, string>; devDependencies: Record<string, string>;
};
const isRoot = process.getuid?.() === 0;

let dir: string;
let rootfs: string;
let config: { process: { args: string[]; user: { uid: number; gid: number }; cwd: string; env: string[] } };
let buildOutput: string;

/** Runs the image's entrypoint with extra args, chrooted into the unpacked root filesystem. */
function inImage(args: string[], userspec = '1000:1000') {
  // The entrypoint as the image declares it (process.args of the unpacked runtime config).
  return run('env', ['-i', ...config.process.env, '/usr/sbin/chroot', `--userspec=${userspec}`, rootfs, ...config.process.args, ...args], {
    timeout: 60_000,
  });
}

beforeAll(async () => {
  if (!isRoot) return;
  dir = await mkdtemp(path.join(os.tmpdir(), 'assay-image-test-'));
  const layout = path.join(dir, 'oci');
  ({ stdout: buildOutput } = await run('scripts/build-image.sh', ['--out', layout, '--oci-archive', path.join(dir, 'image.tar')], {
    cwd: root, timeout: 240_000, maxBuffer: 16 * 1024 * 1024,
  }));
  const bundle = path.join(dir, 'bundle');
  await run('umoci', ['unpack', '--image', `${layout}:${pkg.version}`, bundle], { timeout: 120_000 });
  rootfs = path.join(bundle, 'rootfs');
  config = JSON.parse(await readFile(path.join(bundle, 'config.json'), 'utf8')) as typeof config;
}, 300_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!isRoot)('container image from scripts/build-image.sh (unpacked, run with chroot)', () => {
  test('declares the assay CLI as its entrypoint, user 1000, working directory /app', () => {
    expect(config.process.args).toEqual(['/usr/local/bin/node', '/app/bin/assay.js']);
    expect(config.process.user).toMatchObject({ uid: 1000, gid: 1000 });
    expect(config.process.cwd).toBe('/app');
    expect(config.process.env).toContain('NODE_ENV=production');
  });

  test('`assay --version` prints the package version', async () => {
    const { stdout } = await inImage(['--version']);
    expect(stdout.trim()).toBe(pkg.version);
  });

  test('`assay controller --help` runs (the command the Helm chart starts)', async () => {
    const { stdout } = await inImage(['controller', '--help']);
    expect(stdout).toMatch(/^Usage: assay controller \[options\]/);
    expect(stdout).toContain('--analysis-threads=0');
  });

  test('runs as the Helm chart\'s pod user too (files readable by any uid)', async () => {
    const values = parse(await readFile(path.join(root, 'charts/assay/values.yaml'), 'utf8')) as {
      podSecurityContext: { runAsUser: number; runAsGroup: number };
    };
    const { runAsUser, runAsGroup } = values.podSecurityContext;
    const { stdout } = await inImage(['lint', '/app/examples/templates/success-rate.yaml'], `${runAsUser}:${runAsGroup}`);
    expect(stdout).toMatch(/1 resources? checked: 0 errors/);
  });

  test('holds every production dependency and no dev dependency', async () => {
    const modules = path.join(rootfs, 'app', 'node_modules');
    for (const name of Object.keys(pkg.dependencies)) expect(existsSync(path.join(modules, name, 'package.json')), name).toBe(true);
    // @types/node is also a dependency of @kubernetes/client-node, so it legitimately ships.
    const devOnly = Object.keys(pkg.devDependencies).filter((name) => name !== '@types/node');
    expect(devOnly).toContain('typescript');
    for (const name of devOnly) expect(existsSync(path.join(modules, name)), `dev dependency ${name}`).toBe(false);
    expect(await readdir(path.join(rootfs, 'app'))).not.toContain('src'); // compiled code only (dist/)
    expect(existsSync(path.join(rootfs, 'app', 'dist', 'src', 'cli', 'main.js'))).toBe(true);
  });

  test('is named as the chart\'s default image: <repository>:<package version>, exported for `skopeo copy`', async () => {
    const { stdout: ref } = await run('scripts/build-image.sh', ['--print-ref'], { cwd: root });
    expect(ref.trim()).toBe(`ghcr.io/assay-dev/assay:${pkg.version}`);
    expect(buildOutput).toContain(`built ${ref.trim()}`);
    const index = JSON.parse(tarEntry(await readFile(path.join(dir, 'image.tar')), 'index.json').toString('utf8')) as {
      manifests: { annotations: Record<string, string> }[];
    };
    expect(index.manifests.map((m) => m.annotations['org.opencontainers.image.ref.name'])).toEqual([ref.trim()]);
    const { stdout } = await run('skopeo', ['inspect', `oci-archive:${path.join(dir, 'image.tar')}`], { timeout: 60_000 });
    expect((JSON.parse(stdout) as { Labels: Record<string, string> }).Labels['org.opencontainers.image.version']).toBe(pkg.version);
  });
});

test.runIf(!isRoot)('container image test needs root (chroot): skipped', () => {
  console.warn('[image] not root: the container image was not built or run (CI runs as root)');
});
