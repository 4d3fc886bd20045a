/**
 * Argo's web provider from a response to the measurement value.
 *
 * - A status outside 2xx is an error, whatever the body: `received non 2xx response code: <code>`.
 * - A body that Go's `json.Unmarshal` rejects (including an empty body) is the result itself,
 *   as a string, and is also the display value; the JSONPath is not applied.
 * - Otherwise the JSONPath runs; its first match is the result (objects and arrays as decoded,
 *   numbers as float64) and the display is Go's `json.Marshal` of it.
 */
import type { Observation } from '../../src/metric/provider.js';
import { goJsonMarshal } from '../../src/go/format.js';
import { findResults, toPlain } from './jsonpath/evaluate.js';
import type { ListNode } from './jsonpath/parse.js';

/**
 * JSON as Go decodes it into `interface{}`. `JSON.parse` accepts one thing Go refuses: numbers
 * outside float64's range (`1e400`), which Go reports as an error rather than rounding to
 * infinity; such bodies therefore count as "not JSON".
 */
function goJsonUnmarshal(text: string): { ok: true; value: unknown } | { ok: false } {
  let outOfRange = false;
  try {
    const value: unknown = JSON.parse(text, (_key, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) outOfRange = true;
      return v;
    });
    return outOfRange ? { ok: false } : { ok: true, value };
  } catch {
    return { ok: false };
  }
}

export function interpretResponse(status: number, body: Buffer, jsonPath: ListNode): Observation {
  if (status < 200 || status >= 300) {
    const code = status === 401 || status === 403 ? 'Unauthorized' : 'BadResponse';
    return { kind: 'error', code, message: `received non 2xx response code: ${status}` };
  }
  // Decode without stripping a byte-order mark: Go keeps it, and json.Unmarshal then fails.
  const text = body.toString('utf8');
  const decoded = goJsonUnmarshal(text);
  if (!decoded.ok) return { kind: 'value', value: text, display: text };
  const found = findResults(jsonPath, decoded.value);
  if (!found.ok) return { kind: 'error', code: 'BadResponse', message: `Could not find JSONPath in body: ${found.error}` };
  for (const results of found.results) {
    if (results.length > 0) {
      const first = toPlain(results[0]);
      return { kind: 'value', value: first, display: goJsonMarshal(first) };
    }
  }
  return { kind: 'error', code: 'NoData', message: 'result of web metric produced no value' };
}
