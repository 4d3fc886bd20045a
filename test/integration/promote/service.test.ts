/**
 * `assay promote --service` / `assay rollback --service` as child processes against the fake API
 * server and a real Prometheus: the selector moves only when the analyses pass, moves exactly,
 * is restored when the post analysis fails or on `assay rollback`, and `kubectl` sees the result.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { kubectlBinary } from '../../support/kubectl.js';
import { createService, eventsFor, NS, promote, report, rollback, selectorOf, service, startHarness, type Harness } from './harness.js';

// Each test starts CLI processes (about a second each, several on a loaded machine).
vi.setConfig({ testTimeout: 180_000 });

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, 60_000);
afterAll(() => h?.close());

const BLUE = { app: 'shop', color: 'blue', track: 'stable' };
const annotations = (name: string) => (service(h.kube, name)?.metadata.annotations ?? {}) as Record<string, string>;
const writes = (name: string) => h.kube.requests.filter((r) => r.method !== 'GET' && r.path === `/api/v1/namespaces/${NS}/services/${name}`);

describe('assay promote --service', () => {
  it('leaves the Service untouched when the pre-promotion analysis fails', async () => {
    const before = await createService(h.kube, 'pre-fails', BLUE);
    const r = await promote(h, '--service', 'pre-fails', '--selector', 'app=shop,color=red', '--pre', h.quick, '-a', 'version=red', '-o', 'json');
    expect(r.code).toBe(1);
    const out = report(r);
    expect(out).toMatchObject({ promoted: false, rolledBack: false, post: null, previous: BLUE, current: BLUE, previousSelector: BLUE, currentSelector: BLUE });
    expect(out.pre).toMatchObject({ phase: 'Failed', message: expect.stringContaining('error-ratio') });
    const after = service(h.kube, 'pre-fails')!;
    expect(after.spec).toMatchObject({ selector: BLUE });
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(writes('pre-fails')).toEqual([]);
    expect(eventsFor(h.kube, 'Service', 'pre-fails')).toEqual([
      expect.objectContaining({ type: 'Warning', reason: 'PromotionBlocked', message: expect.stringContaining('pre-promotion analysis Failed') }),
    ]);
    // Progress is shown like `assay run` (on stderr with --output json).
    expect(r.stderr).toMatch(/\d\d:\d\d:\d\d\s+error-ratio\s+\[0\.2\]\s+Failed/);
  });

  it('switches to exactly the given labels when pre and post pass, recording the previous selector', async () => {
    await createService(h.kube, 'all-pass', BLUE);
    const r = await promote(h, '--service', 'all-pass', '--selector', 'app=shop,color=green', '--pre', h.quick, '--post', h.quick, '-a', 'version=green', '-o', 'json');
    expect(r.code).toBe(0);
    expect(report(r)).toMatchObject({
      promoted: true,
      rolledBack: false,
      pre: { phase: 'Successful' },
      post: { phase: 'Successful' },
      previous: BLUE,
      current: { app: 'shop', color: 'green' },
    });
    // Exactly: the `track` key not given is removed.
    expect(selectorOf(service(h.kube, 'all-pass'))).toEqual({ app: 'shop', color: 'green' });
    expect(JSON.parse(annotations('all-pass')['assay.dev/previous-selector']!)).toEqual(BLUE);
    expect(annotations('all-pass')['assay.dev/promoted-by']).toContain('assay promote');
    expect(Date.parse(annotations('all-pass')['assay.dev/promoted-at']!)).not.toBeNaN();
    // One write, conditional on the resourceVersion that was read.
    const w = writes('all-pass');
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ method: 'PATCH', contentType: 'application/merge-patch+json', status: 200 });
    expect((w[0]!.body as { metadata: { resourceVersion?: string } }).metadata.resourceVersion).toMatch(/^\d+$/);
    expect(eventsFor(h.kube, 'Service', 'all-pass').map((e) => [e.type, e.reason])).toEqual([
      ['Normal', 'Promoted'],
      ['Normal', 'PromotionSucceeded'],
    ]);

    const kubectl = kubectlBinary();
    if (!kubectl) {
      console.warn('kubectl is not installed: skipping the `kubectl get svc -o yaml` assertion');
      return;
    }
    const { stdout } = await promisify(execFile)(kubectl, ['--kubeconfig', h.kubeconfig, 'get', 'svc', 'all-pass', '-n', NS, '-o', 'yaml']);
    const svc = parse(stdout) as { spec: { selector: unknown }; metadata: { annotations: Record<string, string> } };
    expect(svc.spec.selector).toEqual({ app: 'shop', color: 'green' });
    expect(JSON.parse(svc.metadata.annotations['assay.dev/previous-selector']!)).toEqual(BLUE);
  });

  it('rolls back and says so when the post-promotion analysis fails', async () => {
    await createService(h.kube, 'post-fails', BLUE);
    const r = await promote(h, '--service', 'post-fails', '--selector', 'app=shop,color=red', '--post', h.quick, '-a', 'version=red');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('rolled back');
    expect(r.stderr).toMatch(/rolled back to selector app=shop,color=blue,track=stable: post-promotion analysis Failed/);
    expect(selectorOf(service(h.kube, 'post-fails'))).toEqual(BLUE);
    expect(annotations('post-fails')['assay.dev/previous-selector']).toBeUndefined();
    expect(annotations('post-fails')['assay.dev/rolled-back-by']).toContain('assay promote');
    // Traffic did move (two writes: the switch, then the restore).
    expect(writes('post-fails').map((w) => (w.body as { spec: { selector: unknown } }).spec.selector)).toEqual([
      { color: 'red', track: null, app: 'shop' },
      { color: 'blue', track: 'stable', app: 'shop' },
    ]);
    expect(eventsFor(h.kube, 'Service', 'post-fails').map((e) => [e.type, e.reason])).toEqual([
      ['Normal', 'Promoted'],
      ['Warning', 'RolledBack'],
    ]);
    expect(eventsFor(h.kube, 'Service', 'post-fails')[1]!.message).toContain('post-promotion analysis Failed');
  });

  it('exits 0 with no analyses at all, and `assay rollback` from another process restores the previous state', async () => {
    await createService(h.kube, 'manual', BLUE);
    const r = await promote(h, '--service', 'manual', '--selector', 'app=shop,color=green');
    expect(r.code).toBe(0);
    expect(selectorOf(service(h.kube, 'manual'))).toEqual({ app: 'shop', color: 'green' });

    const back = await rollback(h, '--service', 'manual', '-o', 'json');
    expect(back.code).toBe(0);
    expect(JSON.parse(back.stdout)).toMatchObject({ rolledBack: true, previous: { app: 'shop', color: 'green' }, current: BLUE });
    expect(selectorOf(service(h.kube, 'manual'))).toEqual(BLUE);
    expect(annotations('manual')['assay.dev/previous-selector']).toBeUndefined();
    expect(eventsFor(h.kube, 'Service', 'manual').map((e) => e.reason)).toEqual(['Promoted', 'RolledBack']);

    // Nothing recorded any more: a second rollback refuses rather than guessing.
    const again = await rollback(h, '--service', 'manual');
    expect(again.code).toBe(4);
    expect(again.stderr).toContain('assay.dev/previous-selector');
    expect(selectorOf(service(h.kube, 'manual'))).toEqual(BLUE);
  });

  it('exits 4 naming a Service that does not exist', async () => {
    const r = await promote(h, '--service', 'no-such-svc', '--selector', 'color=green');
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('service "no-such-svc" in namespace "shop" not found');
    const back = await rollback(h, '--service', 'no-such-svc');
    expect(back.code).toBe(4);
    expect(back.stderr).toContain('"no-such-svc"');
  });

  it('exits 4 on usage errors before touching anything', async () => {
    await createService(h.kube, 'usage', BLUE);
    const cases = [
      ['--service', 'usage'], // no --selector
      ['--service', 'usage', '--selector', 'color'], // not KEY=VALUE
      ['--service', 'usage', '--selector', 'color=green', '--host', 'x'],
      ['--service', 'usage', '--selector', 'color=green', '--timeout', 'soon'],
      ['--service', 'usage', '--selector', 'color=green', '--post', `${h.dir}/missing.yaml`],
    ];
    const results = await Promise.all(cases.map((args) => promote(h, ...args)));
    results.forEach((r, i) => {
      expect(r.code, cases[i]!.join(' ')).toBe(4);
      expect(r.stderr, cases[i]!.join(' ')).toMatch(/assay promote: |error: /);
    });
    expect(selectorOf(service(h.kube, 'usage'))).toEqual(BLUE);
    expect(writes('usage')).toEqual([]);
  });
});
