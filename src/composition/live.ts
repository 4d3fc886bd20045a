/**
 * `assay run` and `assay promote`'s analyses: one run, in process, in memory, against the live
 * providers. Never BullMQ, even with REDIS_URL set: a run from the command line is not shared.
 */
import type { SecretSource } from '../reconcile/ports.js';
import type { AssayConfig } from '../runtime/config.js';
import { MemoryRunStore } from '../store/memory-store.js';
import { assemble, type Assembly } from './engine.js';
import { liveProviders } from './provider-registry.js';

export function liveAnalysisEngine(config: AssayConfig, secrets?: SecretSource): Promise<Assembly> {
  const inProcess: AssayConfig = { ...config };
  delete inProcess.redisUrl;
  return assemble({ config: inProcess, store: new MemoryRunStore(), providers: liveProviders(), ...(secrets ? { secrets } : {}) });
}
