/** The retry backoff both schedulers use after a handler throws: doubling from initialMs, capped at maxMs. */
import { describe, expect, it } from 'vitest';
import { retryDelay } from '../../../src/scheduler/scheduler.js';

describe('retryDelay', () => {
  it('doubles from the initial delay and stops at the cap', () => {
    const policy = { initialMs: 100, maxMs: 400 };
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelay(n, policy))).toEqual([100, 200, 400, 400, 400, 400]);
  });

  it('treats zero failures as the first and survives huge counts', () => {
    const policy = { initialMs: 1000, maxMs: 30_000 };
    expect(retryDelay(0, policy)).toBe(1000);
    expect(retryDelay(10_000, policy)).toBe(30_000);
  });
});
