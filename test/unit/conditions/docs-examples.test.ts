/**
 * Every condition quoted in the Argo Rollouts docs (reference §7.2), evaluated against the shapes
 * the providers hand in: Prometheus vector = []float64, Datadog float64/nil, web JSON, CloudWatch.
 */
import { describe, it } from 'vitest';
import { expectError, expectValue, type Row } from './table.js';

const skywalking = (values: string[]): unknown => ({ service_apdex: { values: { values: values.map((value) => ({ key: 'k', value })) } } });

describe('Argo docs examples', () => {
  it.each<Row>([
    // Prometheus vectors
    ['result[0] >= 0.95', [0.99], true],
    ['result[0] >= 0.95', [0.95], true],
    ['result[0] >= 0.95', [0.9], false],
    ['result[0] <= 0.95', [0.9], true],
    ['result[0] <= 0.95', [0.99], false],
    ['result[0] >= 10', [12], true], // failureCondition
    ['result[0] >= 10', [3], false],
    ['isNaN(result) || result >= 0.95', NaN, true],
    ['isNaN(result) || result >= 0.95', 0.97, true],
    ['isNaN(result) || result >= 0.95', 0.5, false],
    ['isInf(result)', Infinity, true],
    ['isInf(result)', -Infinity, true],
    ['isInf(result)', 1.5, false],
    ['len(result) == 0 || result[0] >= 0.95', [], true],
    ['len(result) == 0 || result[0] >= 0.95', [0.96], true],
    ['len(result) == 0 || result[0] >= 0.95', [0.5], false],
    ['len(result) > 0 && result[0] >= 0.95', [], false],
    ['len(result) > 0 && result[0] >= 0.95', [0.99, 0.1], true],
    ['all(result, # < 1000)', [1, 999.9, 10], true], // range query (matrix flattened)
    ['all(result, # < 1000)', [1, 1000], false],
    // Datadog
    ['default(result, 0) < 0.05', null, true],
    ['default(result, 0) < 0.05', 0.01, true],
    ['default(result, 0) < 0.05', 0.5, false],
    ['max(result) < 0.05', [0.01, 0.04], true],
    ['max(result) < 0.05', [0.01, 0.06], false],
    // Web
    ["result == 'true'", 'true', true],
    ["result == 'true'", 'false', false],
    ['result == true', true, true],
    ['result == true', false, false],
    ['result.ok && result.successPercent >= 0.90', { ok: true, successPercent: 0.95 }, true],
    ['result.ok && result.successPercent >= 0.90', { ok: false, successPercent: 0.95 }, false],
    ['result.ok && result.successPercent >= 0.90', { ok: true, successPercent: 0.5 }, false],
    ['result == "I am OK"', 'I am OK', true],
    ['result == "I am OK"', 'I am not OK', false],
    // CloudWatch
    ['len(result[0].Values) >= 5 and all(result[0].Values, {# <= 0.01})', [{ Values: [0, 0.01, 0.005, 0, 0.001] }], true],
    ['len(result[0].Values) >= 5 and all(result[0].Values, {# <= 0.01})', [{ Values: [0, 0.02, 0.005, 0, 0.001] }], false],
    ['len(result[0].Values) >= 5 and all(result[0].Values, {# <= 0.01})', [{ Values: [0, 0.01] }], false],
    // NewRelic
    ['result.successRate >= 0.95', { successRate: 0.99 }, true],
    ['result.successRate >= 0.95', { successRate: 0.5 }, false],
    // SkyWalking
    ['all(result.service_apdex.values.values, {asFloat(.value) >= 9900})', skywalking(['9900', '10000']), true],
    ['all(result.service_apdex.values.values, {asFloat(.value) >= 9900})', skywalking(['9900', '9899']), false],
  ])('%s with %j -> %s', expectValue);

  it('NaN makes both a success and a failure comparison false (Inconclusive in Argo)', () => {
    expectValue('result >= 0.95', NaN, false);
    expectValue('result < 0.95', NaN, false);
  });

  it('graphite docs use `results[0]`, which is an unknown name', () => {
    expectError('results[0] >= 90', [95], 'unknown name results');
  });

  it('an empty Datadog result without default() is the documented mismatched-types error', () => {
    expectError('result < 0.05', null, 'invalid operation: < (mismatched types <nil> and float64)');
  });

  it('a Prometheus vector compared directly with a number is an error (seen in real AnalysisRuns)', () => {
    expectError('result < 2000', [1500], 'invalid operation: < (mismatched types []float64 and int)');
    expectError('result < 0.5', [0.7], 'invalid operation: < (mismatched types []float64 and float64)');
  });
});
