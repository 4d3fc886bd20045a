/**
 * interpretResponse as a table: client_golang's status/body rules and Argo's result mapping, on
 * literal responses (the real-server suites cover the same paths end to end).
 */
import { describe, expect, it } from 'vitest';
import { formatWarnings, interpretResponse } from '../../../providers/prometheus/parse.js';

const ok = (data: unknown, extra: object = {}) => JSON.stringify({ status: 'success', data, ...extra });

describe('successful responses', () => {
  it.each([
    ['scalar', ok({ resultType: 'scalar', result: [1, '0.5'] }), 0.5, '0.5'],
    ['scalar -0', ok({ resultType: 'scalar', result: [1, '-0'] }), -0, '-0'],
    ['scalar Inf spelled by Go', ok({ resultType: 'scalar', result: [1, 'Inf'] }), Infinity, '+Inf'],
    ['vector', ok({ resultType: 'vector', result: [{ metric: {}, value: [1, '1'] }, { metric: {}, value: [1, '+Inf'] }] }), [1, Infinity], '[1,+Inf]'],
    ['native histogram sample (float value 0 in client_golang)', ok({ resultType: 'vector', result: [{ metric: {}, histogram: [1, {}] }] }), [0], '[0]'],
    [
      'matrix',
      ok({ resultType: 'matrix', result: [{ metric: { a: '1' }, values: [[1, '1'], [2, '2']] }, { metric: { a: '2' }, values: [[1, 'NaN']] }] }),
      [1, 2, NaN],
      '[1,2,NaN]',
    ],
    ['empty matrix', ok({ resultType: 'matrix', result: [] }), [], '[]'],
  ])('%s', (_name, body, value, display) => {
    expect(interpretResponse(200, body)).toEqual({ ok: true, value, display, warnings: [] });
  });

  it('keeps warnings', () => {
    const res = interpretResponse(200, ok({ resultType: 'vector', result: [] }, { warnings: ['a "quoted" one'] }));
    expect(res).toMatchObject({ ok: true, warnings: ['a "quoted" one'] });
    expect(formatWarnings(['a "quoted" one', 'b'])).toBe('"a "quoted" one", "b"');
    expect(formatWarnings([])).toBeUndefined();
  });
});

describe('unusable responses', () => {
  it.each([
    ['string result', 200, ok({ resultType: 'string', result: [1, 'x'] }), 'BadResponse', 'Prometheus metric type not supported'],
    ['unknown result type', 200, ok({ resultType: 'table', result: [] }), 'BadResponse', 'Prometheus metric type not supported'],
    ['no data', 200, JSON.stringify({ status: 'success' }), 'BadResponse', 'unexpected end of JSON input'],
    ['unquoted value', 200, ok({ resultType: 'vector', result: [{ value: [1, 2] }] }), 'BadResponse', 'sample value must be a quoted string'],
    ['bad value', 200, ok({ resultType: 'vector', result: [{ value: [1, 'abc'] }] }), 'BadResponse', 'strconv.ParseFloat: parsing "abc": invalid syntax'],
    ['bad scalar', 200, ok({ resultType: 'scalar', result: [1, '1,5'] }), 'BadResponse', 'error parsing sample value: strconv.ParseFloat: parsing "1,5": invalid syntax'],
    ['array body', 200, '[1]', 'BadResponse', 'bad_response: json: cannot unmarshal array into Go value of type v1.apiResponse'],
    ['trailing garbage', 200, '{"status":"success"} x', 'BadResponse', "bad_response: invalid character 'x' after top-level value"],
    ['400 claiming success', 400, ok({}), 'BadResponse', 'bad_response: inconsistent body for response code'],
    ['400 bad_data', 400, JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error' }), 'BadQuery', 'bad_data: parse error'],
    ['400 unknown type', 400, JSON.stringify({ status: 'error', errorType: 'odd', error: 'x' }), 'BadQuery', 'odd: x'],
    ['404', 404, 'page not found', 'BadResponse', 'client_error: client error: 404'],
    ['403', 403, '', 'Unauthorized', 'client_error: client error: 403'],
    ['302 not followed', 302, '', 'BadResponse', 'bad_response: bad response code 302'],
  ])('%s', (_name, status, body, code, message) => {
    expect(interpretResponse(status, body)).toEqual({ ok: false, code, message });
  });
});
