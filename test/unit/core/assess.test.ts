import { describe, expect, it } from 'vitest';
import type { Metric, MetricResult } from '../../../src/api/types.js';
import { assessLimits as assessLimitsOf, assessMetricStatus as assessMetricStatusOf } from '../../../src/core/assess.js';
import { limitsOf } from '../../../src/core/metric-spec.js';
import { decodeRun } from '../../../src/core/run-codec.js';

// The core reads limits decoded from the metric and the result decoded from status.
const decodedResult = (r: MetricResult) =>
  decodeRun({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', metadata: {}, spec: { metrics: [] }, status: { phase: 'Running', metricResults: [r] } }, { ok: false, message: '' }).results[0]!;
const assessMetricStatus = (metric: Metric, r: MetricResult, terminating: boolean) => assessMetricStatusOf(limitsOf(metric), decodedResult(r), terminating);
const assessLimits = (metric: Metric, r: MetricResult) => assessLimitsOf(limitsOf(metric), r);

const base: Metric = { name: 'm', provider: { web: { url: 'http://x' } } };
const ok = { phase: 'Successful' as const, finishedAt: '2026-01-01T00:00:00Z' };
const result = (over: Partial<MetricResult>): MetricResult => ({ name: 'm', phase: 'Running', measurements: [ok], ...over });

describe('assessMetricStatus', () => {
  it.each<[string, Partial<Metric>, Partial<MetricResult>, boolean, string]>([
    ['no measurements', {}, { measurements: [] }, false, 'Pending'],
    ['no measurements, terminating', {}, { measurements: [] }, true, 'Successful'],
    ['in flight, even when terminating', {}, { measurements: [{ phase: 'Running' }] }, true, 'Running'],
    ['frozen when completed', {}, { phase: 'Failed', failed: 0 }, false, 'Failed'],
    ['failed > failureLimit 0', {}, { failed: 1, count: 1 }, false, 'Failed'],
    ['failed within failureLimit', { failureLimit: 2, interval: '1m' }, { failed: 2, count: 2 }, false, 'Running'],
    ['failureLimit -1 never fails', { failureLimit: -1, consecutiveSuccessLimit: 2, interval: '1m' }, { failed: 9, count: 9 }, false, 'Running'],
    ['inconclusive > 0', {}, { inconclusive: 1, count: 1 }, false, 'Inconclusive'],
    ['5th consecutive error', { interval: '1m' }, { consecutiveError: 5, error: 5 }, false, 'Error'],
    ['4 consecutive errors keep running', { interval: '1m' }, { consecutiveError: 4, error: 4 }, false, 'Running'],
    ['consecutiveErrorLimit 0: first error fatal', { consecutiveErrorLimit: 0 }, { consecutiveError: 1 }, false, 'Error'],
    ['Error beats Inconclusive beats Failed', { interval: '1m' }, { failed: 3, inconclusive: 3, consecutiveError: 5 }, false, 'Error'],
    ['Inconclusive beats Failed', { interval: '1m' }, { failed: 3, inconclusive: 3 }, false, 'Inconclusive'],
    ['streak reached wins before count', { consecutiveSuccessLimit: 2, count: 10, interval: '1m' }, { consecutiveSuccess: 2, count: 2 }, false, 'Successful'],
    ['count reached, streak not, failureLimit applies', { consecutiveSuccessLimit: 3, count: 4, failureLimit: 1, interval: '1m' }, { count: 4, failed: 1, consecutiveSuccess: 2 }, false, 'Inconclusive'],
    ['count reached, streak not, failureLimit -1', { consecutiveSuccessLimit: 3, count: 4, failureLimit: -1, interval: '1m' }, { count: 4, failed: 1, consecutiveSuccess: 2 }, false, 'Failed'],
    ['count reached', { count: 3, interval: '1m' }, { count: 3, successful: 3 }, false, 'Successful'],
    ['no count, no interval: one measurement', {}, { count: 1, successful: 1 }, false, 'Successful'],
    ['count "0" is unset: indefinite with interval', { count: '0', interval: '1m' }, { count: 50 }, false, 'Running'],
    ['indefinite, terminating', { interval: '1m' }, { count: 5 }, true, 'Successful'],
  ])('%s', (_title, metric, res, terminating, want) => {
    expect(assessMetricStatus({ ...base, ...metric }, result(res), terminating)).toBe(want);
  });
});

describe('assessLimits messages', () => {
  it('names the counter and the limit', () => {
    expect(assessLimits(base, result({ failed: 2 }))).toEqual({ phase: 'Failed', message: 'failed (2) > failureLimit (0)' });
    expect(assessLimits({ ...base, inconclusiveLimit: '1' }, result({ inconclusive: 2 }))).toEqual({
      phase: 'Inconclusive',
      message: 'inconclusive (2) > inconclusiveLimit (1)',
    });
    expect(assessLimits(base, result({ consecutiveError: 5 }))).toEqual({
      phase: 'Error',
      message: 'consecutiveErrors (5) > consecutiveErrorLimit (4)',
    });
    expect(assessLimits(base, result({}))).toEqual({ phase: '', message: '' });
  });
});
