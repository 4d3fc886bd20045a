import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites start real Redis/Prometheus/child processes; keep file-level
    // parallelism modest on the 2-core machines this runs on.
    maxWorkers: 2,
  },
});
