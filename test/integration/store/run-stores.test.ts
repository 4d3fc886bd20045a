import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRunStoreContract } from '../../contract/run-store.contract.js';
import { FileRunStore } from '../../../src/store/file-store.js';
import { MemoryRunStore } from '../../../src/store/memory-store.js';

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
