import { describe, expect, it } from 'vitest';
import type { AnalysisRun, Metric, MetricResult } from '../../../src/api/types.js';
import { decodeRun } from '../../../src/core/run-codec.js';
import type { MetricPlan, RunState } from '../../../src/core/run-state.js';
import { dueTasks as dueTasksOf, nextReconcileAt as nextReconcileAtOf } from '../../../src/core/schedule.js';
import { planMetric } from '../../../src/core/run-codec.js';

const T0 = Date.UTC(2026, 0, 1);
const at = (s: number) => new Date(T0 + s * 1000).toISOString().replace('.000Z', 'Z');
const metric = (over: Partial<Metric>): Metric => ({ name: 'm', provider: { web: { url: 'http://x' } }, ...over });
const run = (results: MetricResult[], startedAt?: number, terminate = false): AnalysisRun => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisRun',
  metadata: { name: 'r' },
  spec: { metrics: [], ...(terminate ? { terminate } : {}) },
  status: { phase: 'Running', metricResults: results, ...(startedAt !== undefined ? { startedAt: at(startedAt) } : {}) },
});
// The core reads runs decoded (times as instants) and metrics planned (durations in ms).
const decoded = (r: AnalysisRun): RunState => decodeRun(r, { ok: false, message: 'not read by scheduling' });
const planned = (metrics: Metric[]): MetricPlan[] => metrics.map((m, i) => planMetric(m, i));
const dueTasks = (r: AnalysisRun, metrics: Metric[], terminating: boolean, now: number) => dueTasksOf(decoded(r), planned(metrics), terminating, now);
const nextReconcileAt = (r: AnalysisRun, metrics: Metric[], now: number) => nextReconcileAtOf(decoded(r), planned(metrics), now);
const done = (phase: 'Successful' | 'Error', finishedAt: number) => ({ phase, startedAt: at(finishedAt), finishedAt: at(finishedAt) });

describe('due metrics and the next wake-up', () => {
  it('measures a new metric at once, a delayed one only once startedAt + delay has come', () => {
    const plain = metric({});
    const delayed = metric({ name: 'd', initialDelay: '30s' });
    expect(dueTasks(run([]), [plain, delayed], false, T0).map((t) => t.name)).toEqual(['m']);
    expect(dueTasks(run([], 0), [delayed], false, T0 + 29_999)).toEqual([]);
    expect(dueTasks(run([], 0), [delayed], false, T0 + 30_000).map((t) => t.name)).toEqual(['d']);
    expect(nextReconcileAt(run([], 0), [delayed], T0)).toBe(T0 + 30_000);
    expect(nextReconcileAt(run([]), [delayed], T0 + 5000)).toBe(T0 + 35_000);
  });

  it('waits interval after the last finish, and 10 s after an error whatever the interval', () => {
    const m = metric({ interval: '5m', count: 3 });
    const afterOk = run([{ name: 'm', phase: 'Running', count: 1, measurements: [done('Successful', 0)] }], 0);
    expect(dueTasks(afterOk, [m], false, T0 + 299_999)).toEqual([]);
    expect(dueTasks(afterOk, [m], false, T0 + 300_000)).toHaveLength(1);
    expect(nextReconcileAt(afterOk, [m], T0)).toBe(T0 + 300_000);
    const afterErr = run([{ name: 'm', phase: 'Running', error: 1, measurements: [done('Error', 0)] }], 0);
    expect(nextReconcileAt(afterErr, [m], T0)).toBe(T0 + 10_000);
    expect(dueTasks(afterErr, [m], false, T0 + 10_000)).toHaveLength(1);
  });

  it('stops at the effective count and never measures anew while terminating', () => {
    const m = metric({ interval: '1m', count: 2 });
    const full = run([{ name: 'm', phase: 'Running', count: 2, measurements: [done('Successful', 0), done('Successful', 60)] }], 0);
    expect(dueTasks(full, [m], false, T0 + 600_000)).toEqual([]);
    expect(nextReconcileAt(full, [m], T0 + 60_000)).toBeUndefined();
    expect(dueTasks(run([], 0, true), [m], true, T0)).toEqual([]);
  });

  it('resumes in-flight measurements at resumeAt, and terminates them at once when terminating', () => {
    const m = metric({ provider: { job: {} } });
    const flight = { phase: 'Running' as const, startedAt: at(0), resumeAt: at(20) };
    const r = run([{ name: 'm', phase: 'Running', measurements: [flight] }], 0);
    expect(dueTasks(r, [m], false, T0 + 19_000)).toEqual([]);
    expect(dueTasks(r, [m], false, T0 + 20_000)[0]?.incomplete).toEqual(flight);
    expect(dueTasks(r, [m], true, T0 + 1000)).toHaveLength(1);
    expect(nextReconcileAt(r, [m], T0)).toBe(T0 + 20_000);
  });

  it('resumes a completed-phase measurement that has no finishedAt (Argo checks finishedAt)', () => {
    const m = metric({});
    const r = run([{ name: 'm', phase: 'Running', measurements: [{ phase: 'Successful', startedAt: at(0) }] }], 0);
    expect(dueTasks(r, [m], false, T0)[0]?.incomplete?.phase).toBe('Successful');
  });
});
