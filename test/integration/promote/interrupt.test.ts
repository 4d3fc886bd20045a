/**
 * Stopping `assay promote` (a real child process) after it switched traffic: SIGINT, SIGTERM and
 * --timeout roll the switch back and exit non-zero (EXIT_INTERRUPTED); SIGKILL cannot, but the
 * annotation it wrote with the switch lets `assay rollback` restore the previous selector.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXIT_INTERRUPTED } from '../../../src/cli/promote-interface.js';
import { waitFor } from '../run-cli/cli.js';
import { createService, eventsFor, promote, report, rollback, selectorOf, service, startHarness, startPromote, type Harness } from './harness.js';

// Each test starts CLI processes (about a second each, several on a loaded machine).
vi.setConfig({ testTimeout: 180_000 });

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, 60_000);
afterAll(() => h?.close());

const BLUE = { app: 'shop', color: 'blue' };
const GREEN = { app: 'shop', color: 'green' };
const measured = (text: string) => /\d\d:\d\d:\d\d\s+error-ratio\s+\[0\.01\]\s+Successful/.test(text);

/** Starts a promotion whose post analysis never ends, and waits until it is measuring after the switch. */
async function switchedAndMeasuring(name: string, ...extra: string[]) {
  await createService(h.kube, name, BLUE);
  const cli = startPromote(h, '--service', name, '--selector', 'app=shop,color=green', '--post', h.endless, '-a', 'version=green', ...extra);
  await waitFor(() => measured(cli.stdout() + cli.stderr()) || cli.child.exitCode !== null, 90_000, 'the first post-promotion measurement');
  expect(selectorOf(service(h.kube, name))).toEqual(GREEN);
  return cli;
}

describe('assay promote interrupted after the switch', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`rolls back on ${signal} and exits ${EXIT_INTERRUPTED}`, async () => {
      const name = `sig-${signal.toLowerCase()}`;
      const cli = await switchedAndMeasuring(name, '-o', 'json');
      try {
        cli.child.kill(signal);
        const r = await cli.exited;
        expect(r.code).toBe(EXIT_INTERRUPTED);
        expect(report(r)).toMatchObject({ promoted: false, rolledBack: true, interrupted: true, previous: BLUE, current: BLUE });
        expect(r.stderr).toContain(`received ${signal}`);
        expect(r.stderr).toContain('rolled back to selector app=shop,color=blue');
        expect(selectorOf(service(h.kube, name))).toEqual(BLUE);
        expect(eventsFor(h.kube, 'Service', name).map((e) => e.reason)).toEqual(['Promoted', 'RolledBack']);
      } finally {
        if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
      }
    });
  }

  it('rolls back when --timeout expires after the switch', async () => {
    await createService(h.kube, 'timed-out', BLUE);
    const r = await promote(h, '--service', 'timed-out', '--selector', 'app=shop,color=green', '--post', h.endless, '-a', 'version=green', '--timeout', '5s');
    expect(r.code).toBe(EXIT_INTERRUPTED);
    expect(r.stderr).toContain('--timeout 5s reached');
    // It did switch (the post analysis never ends, so only the timeout stops it), then restored.
    const selectors = h.kube.requests
      .filter((q) => q.method === 'PATCH' && q.path.endsWith('/services/timed-out'))
      .map((q) => (q.body as { spec: { selector: Record<string, string> } }).spec.selector.color);
    expect(selectors).toEqual(['green', 'blue']);
    expect(selectorOf(service(h.kube, 'timed-out'))).toEqual(BLUE);
  });

  it('after SIGKILL leaves the switch recorded, and `assay rollback` restores it', async () => {
    const cli = await switchedAndMeasuring('killed');
    cli.child.kill('SIGKILL');
    const r = await cli.exited;
    expect(r.code).toBeNull();
    expect(selectorOf(service(h.kube, 'killed'))).toEqual(GREEN);
    expect(JSON.parse(service(h.kube, 'killed')!.metadata.annotations!['assay.dev/previous-selector']!)).toEqual(BLUE);

    const back = await rollback(h, '--service', 'killed');
    expect(back.code).toBe(0);
    expect(back.stdout).toContain('rolled back from selector app=shop,color=green to selector app=shop,color=blue');
    expect(selectorOf(service(h.kube, 'killed'))).toEqual(BLUE);
  });
});

describe('assay promote interrupted before the switch', () => {
  it('does not switch and exits non-zero when the pre analysis is interrupted', async () => {
    await createService(h.kube, 'pre-stopped', BLUE);
    const cli = startPromote(h, '--service', 'pre-stopped', '--selector', 'app=shop,color=green', '--pre', h.endless, '-a', 'version=green');
    try {
      await waitFor(() => measured(cli.stdout()) || cli.child.exitCode !== null, 90_000, 'the first pre-promotion measurement');
      cli.child.kill('SIGINT');
      const r = await cli.exited;
      // The terminated run itself is Successful ("Run Terminated"), but an interrupted check is no pass.
      expect(r.code).toBe(EXIT_INTERRUPTED);
      expect(r.stderr).toContain('interrupted before the switch');
      expect(selectorOf(service(h.kube, 'pre-stopped'))).toEqual(BLUE);
      expect(service(h.kube, 'pre-stopped')!.metadata.annotations).toBeUndefined();
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    }
  });

});
