/**
 * One contract every RunStore adapter passes (memory, files, Kubernetes): what the engine relies on.
 */
import { describe, expect, it } from 'vitest';
import type { AnalysisRun } from '../../src/api/types.js';
import { RunExistsError, runKey, type RunStore, type StoreChange } from '../../src/store/run-store.js';

export interface StoreFixture {
  store: RunStore;
  /** A second handle on the same data (another process's view), when the adapter supports it. */
  other?: RunStore;
  close(): Promise<void>;
}

const run = (name: string, namespace = 'default'): AnalysisRun => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisRun',
  metadata: { name, namespace, labels: { app: 'checkout' } },
  spec: { metrics: [{ name: 'm', interval: '1m', provider: { web: { url: 'http://x/{{args.a}}' } } }], args: [{ name: 'a', value: 'b' }] },
});

export function describeRunStoreContract(name: string, factory: () => Promise<StoreFixture>): void {
  describe(`RunStore contract: ${name}`, () => {
    const withStore = (fn: (f: StoreFixture) => Promise<void>) => async () => {
      const f = await factory();
      try {
        await fn(f);
      } finally {
        await f.close();
      }
    };

    it('creates a run with a uid and reads it back unchanged (placeholders stay raw)', withStore(async ({ store }) => {
      const created = await store.create(run('r1'));
      expect(created.metadata.uid).toMatch(/.+/);
      const got = await store.get('default/r1');
      expect(got?.spec).toEqual(run('r1').spec);
      expect(got?.metadata.labels).toEqual({ app: 'checkout' });
      expect(got?.metadata.uid).toBe(created.metadata.uid);
      expect(got?.status).toBeUndefined();
    }));

    it('refuses a second run with the same namespace/name', withStore(async ({ store }) => {
      await store.create(run('dup'));
      await expect(store.create(run('dup'))).rejects.toBeInstanceOf(RunExistsError);
      await store.create(run('dup', 'other-ns'));
      expect((await store.list()).map((r) => runKey(r)).sort()).toEqual(['default/dup', 'other-ns/dup']);
    }));

    it('writes status without touching spec, and refuses a stale uid', withStore(async ({ store }) => {
      const created = await store.create(run('s'));
      const status = { phase: 'Running' as const, startedAt: '2026-01-01T00:00:00Z', metricResults: [{ name: 'm', phase: 'Running' as const, count: 1 }] };
      expect(await store.writeStatus('default/s', created.metadata.uid, status)).toBe('ok');
      const got = await store.get('default/s');
      expect(got?.status).toEqual(status);
      expect(got?.spec).toEqual(run('s').spec);
      expect(await store.writeStatus('default/s', 'another-uid', { phase: 'Failed' })).toBe('gone');
      expect((await store.get('default/s'))?.status?.phase).toBe('Running');
      expect(await store.writeStatus('default/missing', undefined, { phase: 'Running' })).toBe('gone');
    }));

    it('terminate sets spec.terminate and keeps the status', withStore(async ({ store }) => {
      const created = await store.create(run('t'));
      await store.writeStatus('default/t', created.metadata.uid, { phase: 'Running' });
      expect(await store.terminate('default/t')).toBe('ok');
      const got = await store.get('default/t');
      expect(got?.spec.terminate).toBe(true);
      expect(got?.status?.phase).toBe('Running');
      expect(await store.terminate('default/nope')).toBe('gone');
    }));

    it('deletes', withStore(async ({ store }) => {
      await store.create(run('d'));
      expect(await store.delete('default/d')).toBe(true);
      expect(await store.get('default/d')).toBeUndefined();
      expect(await store.delete('default/d')).toBe(false);
    }));

    it('notifies watchers of creates, status writes and deletes', withStore(async ({ store }) => {
      const seen: StoreChange[] = [];
      const stop = store.watch((c) => seen.push(c));
      const created = await store.create(run('w'));
      await store.writeStatus('default/w', created.metadata.uid, { phase: 'Running' });
      await store.delete('default/w');
      await new Promise((r) => setTimeout(r, 300));
      stop();
      const kinds = seen.map((c) => `${c.type}:${c.key}${c.type === 'upsert' ? `:${c.run.status?.phase ?? '-'}` : ''}`);
      expect(kinds).toContain('upsert:default/w:-');
      expect(kinds).toContain('upsert:default/w:Running');
      expect(kinds[kinds.length - 1]).toBe('delete:default/w');
    }));

    it('shares state with a second handle (another process): a new run at once, writes within a second', withStore(async ({ store, other }) => {
      if (!other) return;
      const created = await store.create(run('shared'));
      // A run created by one process must be visible to a worker in another at once, or the
      // worker's first tick would find nothing and drop the run.
      expect((await other.get('default/shared'))?.metadata.uid).toBe(created.metadata.uid);
      await other.writeStatus('default/shared', created.metadata.uid, { phase: 'Successful', message: 'from the other handle' });
      // Caches (informers) may lag; a stale read is safe because writes carry the version they
      // were based on. But the write must arrive.
      const deadline = Date.now() + 1000;
      let message: string | undefined;
      while (Date.now() < deadline && message !== 'from the other handle') {
        message = (await store.get('default/shared'))?.status?.message;
        if (message !== 'from the other handle') await new Promise((r) => setTimeout(r, 20));
      }
      expect(message).toBe('from the other handle');
    }));
  });
}
