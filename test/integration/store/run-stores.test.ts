import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRunStoreContract } from '../../contract/run-store.contract.js';
import { FileRunStore } from '../../../src/store/file-store.js';
import { MemoryRunStore } from '../../../src/store/memory-store.js';
import { RedisRunStore } from '../../../src/store/redis-store.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisHandle } from '../../support/redis.js';

describeRunStoreContract('memory', async () => ({ store: new MemoryRunStore(), close: async () => undefined }));

describeRunStoreContract('files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'assay-store-'));
  const store = await FileRunStore.open(dir);
  const other = await FileRunStore.open(dir);
  return {
    store,
    other,
    close: async () => {
      await store.close();
      await other.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('redis', () => {
  let redis: RedisHandle | undefined;
  beforeAll(async () => {
    redis = await startRedis();
  }, 30_000);
  afterAll(async () => redis?.stop());

  describeRunStoreContract('redis', async () => {
    const prefix = `contract-${randomUUID()}`;
    const store = new RedisRunStore(redis!.url, { prefix });
    const other = new RedisRunStore(redis!.url, { prefix });
    return {
      store,
      other,
      close: async () => {
        await store.close();
        await other.close();
      },
    };
  });

  it('refuses a status write based on a version someone else has changed since, as a conflict', async () => {
    const prefix = `conflict-${randomUUID()}`;
    const a = new RedisRunStore(redis!.url, { prefix });
    const b = new RedisRunStore(redis!.url, { prefix });
    try {
      const created = await a.create({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', metadata: { name: 'c' }, spec: { metrics: [] } });
      await a.get('default/c');
      await b.get('default/c');
      expect(await b.terminate('default/c')).toBe('ok');
      expect(await a.writeStatus('default/c', created.metadata.uid, { phase: 'Running' })).toBe('conflict');
      // After a fresh read the write goes through, and spec.terminate is kept.
      await a.get('default/c');
      expect(await a.writeStatus('default/c', created.metadata.uid, { phase: 'Successful', message: 'Run Terminated' })).toBe('ok');
      const got = await b.get('default/c');
      expect(got?.spec.terminate).toBe(true);
      expect(got?.status?.message).toBe('Run Terminated');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
