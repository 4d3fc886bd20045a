/**
 * Datadog responses as Argo reads them.
 *
 * - Status: 401/403 `received authentication error response code: <code> <body>`, any other
 *   status than 200 `received non 2xx response code: <code> <body>`.
 * - v1: the last point of `series[0]`; `result` is that float. No series or no points: `result`
 *   is nil and `value` the JSON of the series (`[]`, or `null` when absent).
 * - v2 (`/query/scalar`): `data.errors` fails the measurement; otherwise the first number column.
 *   Ungrouped: a float. Grouped (`by {tag}`, any group column): `[]float64` even for one group,
 *   with `metadata.groups` = `[{"name":"<tags joined by ,>","value":v}]` (at most 100, the lowest
 *   and highest halves, plus `groups_truncated`). Null cells are skipped with their group.
 *   No values: `result` nil and `value` `[]`.
 */
import type { Observation } from '../../src/metric/provider.js';
import { formatFloatF, goJsonMarshal, goQuote } from '../../src/go/format.js';

type Parsed = Observation;

function fail(code: 'BadResponse' | 'BadQuery' | 'Unauthorized', message: string): Parsed {
  return { kind: 'error', code, message };
}

export function checkStatus(status: number, body: string): Parsed | undefined {
  if (status === 401 || status === 403) return fail('Unauthorized', `received authentication error response code: ${status} ${body}`);
  if (status !== 200) return fail(status === 400 ? 'BadQuery' : 'BadResponse', `received non 2xx response code: ${status} ${body}`);
  return undefined;
}

function decode(body: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (err) {
    return { ok: false, message: `Could not parse JSON body: ${(err as Error).message}` };
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Go decodes JSON null into a float64 as 0 (the field is left alone). */
function goFloat(v: unknown): number | undefined {
  if (v === null) return 0;
  return typeof v === 'number' ? v : undefined;
}

export function parseV1(body: string): Parsed {
  const decoded = decode(body);
  if (!decoded.ok) return fail('BadResponse', decoded.message);
  const root = decoded.value;
  if (!isObject(root)) return isNullish(root) ? empty('null') : fail('BadResponse', 'Could not parse JSON body: json: cannot unmarshal into Go value of type datadog.datadogResponseV1');
  const series = root['series'];
  if (series !== undefined && series !== null && !Array.isArray(series)) {
    return fail('BadResponse', 'Could not parse JSON body: json: cannot unmarshal into Go struct field datadogResponseV1.Series');
  }
  const list = (series ?? []) as unknown[];
  // The series as Argo's struct re-marshals it: only `pointlist` survives.
  const shape = (): string =>
    series === undefined || series === null
      ? 'null'
      : goJsonMarshal(list.map((s) => ({ pointlist: isObject(s) ? (s['pointlist'] ?? null) : null })), 'preserve');
  const first = list[0];
  const points = isObject(first) ? first['pointlist'] : undefined;
  if (list.length === 0 || !Array.isArray(points) || points.length === 0) return empty(shape());
  const last = points[points.length - 1];
  if (!Array.isArray(last)) return fail('BadResponse', 'Could not parse JSON body: json: cannot unmarshal into Go struct field .Series.pointlist of type []float64');
  if (last.length !== 2) return fail('BadResponse', 'Datapoint does not have 2 values');
  const value = goFloat(last[1]);
  if (value === undefined) return fail('BadResponse', 'Could not parse JSON body: json: cannot unmarshal into Go struct field .Series.pointlist of type float64');
  return { kind: 'value', value, display: formatFloatF(value) };
}

function isNullish(v: unknown): boolean {
  return v === null || v === undefined;
}

function empty(display: string): Parsed {
  return { kind: 'value', value: null, display };
}

interface Column {
  name: string;
  type: string;
  values: unknown[];
}

const MAX_GROUPS_IN_METADATA = 100;

export function parseV2(body: string): Parsed {
  const decoded = decode(body);
  if (!decoded.ok) return fail('BadResponse', decoded.message);
  const data = isObject(decoded.value) ? decoded.value['data'] : undefined;
  const errors = isObject(data) ? data['errors'] : undefined;
  if (typeof errors === 'string' && errors !== '') return fail('BadQuery', `There were errors in your query: ${errors}`);
  const attributes = isObject(data) ? data['attributes'] : undefined;
  const rawColumns = isObject(attributes) ? attributes['columns'] : undefined;
  const columns: Column[] = [];
  for (const c of Array.isArray(rawColumns) ? rawColumns : []) {
    if (!isObject(c)) continue;
    const values = c['values'] ?? [];
    if (!Array.isArray(values)) {
      return fail('BadResponse', 'Could not parse JSON body: json: cannot unmarshal string into Go struct field datadogV2Column.Data.Attributes.Columns.values of type []json.RawMessage');
    }
    columns.push({ name: typeof c['name'] === 'string' ? c['name'] : '', type: typeof c['type'] === 'string' ? c['type'] : '', values });
  }
  const numbers = columns.find((c) => c.type === '' || c.type === 'number');
  const groupColumns = columns.filter((c) => c.type === 'group');
  const grouped = groupColumns.length > 0;
  const values: number[] = [];
  const groups: { name: string; value: number }[] = [];
  for (const [i, cell] of (numbers?.values ?? []).entries()) {
    if (cell === null) continue;
    if (typeof cell !== 'number') {
      return fail('BadResponse', `could not parse numeric value ${goQuote(JSON.stringify(cell))} in column ${goQuote(numbers!.name)}: json: cannot unmarshal ${typeof cell} into Go value of type float64`);
    }
    values.push(cell);
    if (grouped) {
      const name = groupName(groupColumns, i);
      if (name === undefined) return fail('BadResponse', `could not parse group label at index ${i}`);
      groups.push({ name, value: cell });
    }
  }
  if (values.length === 0) return empty('[]');
  if (!grouped) return { kind: 'value', value: values[0], display: formatFloatF(values[0]!) };
  const metadata: Record<string, string> = { groups: goJsonMarshal(trimGroups(groups), 'preserve') };
  if (groups.length > MAX_GROUPS_IN_METADATA) metadata['groups_truncated'] = 'true';
  return { kind: 'value', value: values, display: `[${values.map(formatFloatF).join(',')}]`, metadata };
}

/** The row's label: every group column's tag values for that row, joined with `,`. */
function groupName(columns: Column[], index: number): string | undefined {
  const parts: string[] = [];
  for (const column of columns) {
    const tags = column.values[index];
    if (!Array.isArray(tags) || tags.length === 0 || tags.some((t) => typeof t !== 'string')) return undefined;
    parts.push(...(tags as string[]));
  }
  return parts.join(',');
}

/** Keep metadata small for high-cardinality tags: the lowest and highest halves by value. */
function trimGroups(groups: { name: string; value: number }[]): { name: string; value: number }[] {
  if (groups.length <= MAX_GROUPS_IN_METADATA) return groups;
  const sorted = [...groups].sort((a, b) => a.value - b.value);
  const low = MAX_GROUPS_IN_METADATA / 2;
  return [...sorted.slice(0, low), ...sorted.slice(sorted.length - (MAX_GROUPS_IN_METADATA - low))];
}
