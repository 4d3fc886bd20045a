/**
 * `assay controller` as a cluster runs it: the real CLI in a child process. Without a usable
 * kubeconfig (missing, unparsable, plain http without skipTLSVerify, nothing listening) or with a
 * port taken it exits 4 naming the file, URL or port and the cause, instead of looping; /readyz
 * answers 503 until the informers have listed (and while one is failing), 200 once they have.
 * The API server is the in-repo fake, behind a loopback proxy that can hold the first list.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKube, type FakeKube } from '../../support/fake-kube/index.js';
import { unusedPort } from '../../support/http-server.js';
import { ensureBuilt, runCli, startCli } from '../run-cli/cli.js';

let dir: string;
beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'assay-controller-cli-'));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function kubeconfig(name: string, cluster: string): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {${cluster}}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
users: [{name: u, user: {token: t}}]
`,
  );
  return path;
}

const controller = (config: string, ...flags: string[]) => runCli(['controller', '--kubeconfig', config, '--health-port', '0', '--metrics-port', '0', ...flags]);

describe('assay controller without a usable kubeconfig', () => {
  it('names a missing file and exits 4', async () => {
    const path = join(dir, 'nope.yaml');
    const r = await controller(path);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`kubeconfig ${path}: no such file`);
  });

  it('names an unparsable file and exits 4', async () => {
    const path = join(dir, 'broken.yaml');
    writeFileSync(path, 'clusters: [ {name: c\n  - oops');
    const r = await controller(path);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`kubeconfig ${path}: not a valid kubeconfig:`);
  });

  it('refuses a plain-http server without insecure-skip-tls-verify, naming the URL, and exits 4', async () => {
    const path = kubeconfig('http.yaml', 'server: "http://127.0.0.1:6443"');
    const r = await controller(path);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('server http://127.0.0.1:6443 is plain http');
    expect(r.stderr).toContain('insecure-skip-tls-verify: true');
  });

  it('names the URL and the cause when nothing answers, and exits 4 instead of looping', async () => {
    const port = await unusedPort();
    const path = kubeconfig('refused.yaml', `server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true`);
    const r = await controller(path);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`cannot list https://127.0.0.1:${port}/apis/argoproj.io/v1alpha1/analysisruns: fetch failed: connect ECONNREFUSED 127.0.0.1:${port}`);
  });
});

describe('assay controller flags it would ignore', () => {
  it.each([
    [['--kube-burst', '10'], {}, '--kube-burst needs --kube-qps > 0'],
    [['--lease-namespace', 'ops'], {}, '--lease-namespace applies only with --leader-elect'],
    [['--leader-elect'], { REDIS_URL: 'redis://127.0.0.1:6379' }, '--leader-elect is ignored with REDIS_URL'],
  ] as const)('%j is refused with the reason (exit 4)', async (flags, env, message) => {
    const path = kubeconfig('unused.yaml', 'server: "https://127.0.0.1:6443"');
    const cli = startCli(['controller', '--kubeconfig', path, '--health-port', '0', '--metrics-port', '0', ...flags], env);
    const r = await cli.exited;
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(message);
  });
});

describe('assay controller with a port taken', () => {
  let fake: FakeKube;
  let squatter: NetServer;
  let taken: number;
  beforeAll(async () => {
    fake = await startFakeKube();
    squatter = createNetServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    taken = (squatter.address() as { port: number }).port;
  });
  afterAll(async () => {
    squatter.close();
    await fake.close();
  });

  it.each(['--health-port', '--metrics-port'])('%s: exits 4 naming the port', async (flag) => {
    const config = fake.writeKubeconfigFile(join(dir, 'fake.yaml'));
    const other = flag === '--health-port' ? '--metrics-port' : '--health-port';
    const r = await runCli(['controller', '--kubeconfig', config, '--host', '127.0.0.1', flag, String(taken), other, '0']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`${flag} ${taken}: cannot listen on 127.0.0.1:${taken}: already in use (EADDRINUSE)`);
  });
});

/** A proxy to the fake API server that holds list requests of analysisruns while `held`. */
async function holdingProxy(target: string): Promise<{ url: string; release(): void; close(): Promise<void> }> {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', target);
    if (url.pathname.endsWith('/analysisruns') && url.searchParams.get('watch') !== 'true') await held;
    const upstream = http.request(url, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      res.flushHeaders(); // a watch answers headers long before its first event
      // A reset upstream resets the client's connection too, as a real proxy's would: pipe() alone
      // would leave the client waiting on a watch that no longer exists.
      up.on('error', () => res.destroy());
      up.on('aborted', () => res.destroy());
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    release,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readyz(port: number): Promise<{ status: number; body: { ready: boolean; unsynced?: string[] } } | undefined> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/readyz`);
    return { status: r.status, body: (await r.json()) as { ready: boolean; unsynced?: string[] } };
  } catch {
    return undefined; // not listening yet
  }
}

type Readyz = NonNullable<Awaited<ReturnType<typeof readyz>>>;

/** Poll /readyz until `done` holds (generous timeout: an event, not a deadline under test). */
async function readyzUntil(port: number, done: (r: Readyz) => boolean, what: string): Promise<Readyz> {
  let last: Readyz | undefined;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    last = await readyz(port);
    if (last && done(last)) return last;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for /readyz: ${what} (last: ${JSON.stringify(last)})`);
}

describe('assay controller readiness', () => {
  it('answers /readyz 503 until the informers have listed, 503 while one fails, 200 when synced', async () => {
    const fake = await startFakeKube({ namespaces: ['shop'] });
    const proxy = await holdingProxy(fake.url);
    const config = kubeconfig('proxied.yaml', `server: "${proxy.url}", insecure-skip-tls-verify: true`);
    const health = await unusedPort();
    const cli = startCli(['controller', '--kubeconfig', config, '--host', '127.0.0.1', '--health-port', String(health), '--metrics-port', '0']);
    try {
      // The first list of analysisruns is held by the proxy: the process is up but not synced.
      const first = await readyzUntil(health, () => true, 'the health port to answer');
      expect(first).toEqual({ status: 503, body: { ready: false, unsynced: ['informers starting'] } });
      proxy.release();
      const ready = await readyzUntil(health, (r) => r.status !== 503, 'ready after the first list');
      expect(ready).toEqual({ status: 200, body: { ready: true, leader: true } });

      // The API server starts failing analysisruns lists and watches: not ready, naming the informer.
      const fault = fake.injectFault({ path: /\/analysisruns/, status: 500, times: Infinity });
      fake.dropWatches({ abrupt: true });
      const failing = await readyzUntil(health, (r) => r.status !== 200, 'not ready while the informer fails');
      expect(failing.status).toBe(503);
      expect(failing.body.unsynced?.[0]).toMatch(/^\/apis\/argoproj\.io\/v1alpha1\/analysisruns: /);
      fault.cancel();
      const back = await readyzUntil(health, (r) => r.status === 200, 'ready again once it lists');
      expect(back.body.ready).toBe(true);

      cli.child.kill('SIGTERM');
      expect((await cli.exited).code).toBe(0);
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
      await proxy.close();
      await fake.close();
    }
  }, 90_000);
});
