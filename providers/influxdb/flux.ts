/**
 * A Flux query through the official InfluxDB 2 client (`@influxdata/influxdb-client`, loaded on
 * first use): `POST <address>/api/v2/query?org=<org>` with `Authorization: Token <authToken>`,
 * the annotated-CSV dialect, and `now` set to ctx.now, the documented query field that fixes
 * what `now()` (and so every relative `range(start: -5m)`) means. Live, that is the present;
 * in a backtest the historical instant.
 *
 * Each row's `_value` (Go's `Record.Value()`) is decoded by its column's annotated type, and
 * also rendered as Go's `fmt.Sprint` prints it, for Argo's `value = fmt.Sprint(res)`.
 */
import type { ProviderErrorCode } from '../../src/metric/provider.js';
import { goSprintV } from '../../src/go/format.js';
import type { InfluxdbCredentials } from './config.js';

type FluxOutcome =
  | { ok: true; values: unknown[]; texts: string[] }
  | { ok: false; aborted: true }
  | { ok: false; aborted: false; code: ProviderErrorCode; detail: string; error?: unknown };

type Client = typeof import('@influxdata/influxdb-client');
let client: Client | undefined;

/** Go's time.Time String(): `2026-01-01 00:00:10.5 +0000 UTC`. */
function goTimeString(rfc3339: string): string {
  const ms = Date.parse(rfc3339);
  if (Number.isNaN(ms)) return rfc3339;
  const iso = new Date(ms).toISOString(); // 2026-01-01T00:00:10.500Z
  const frac = /\.(\d+)Z?$/.exec(rfc3339.replace(/[+-]\d{2}:\d{2}$/, 'Z'))?.[1]?.replace(/0+$/, '') ?? '';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac ? `.${frac}` : ''} +0000 UTC`;
}

/** One annotated-CSV cell as Go's client decodes it, and its fmt.Sprint text. */
function decodeCell(raw: string | undefined, dataType: string): { value: unknown; text: string } {
  if (raw === undefined || raw === '') return { value: null, text: '<nil>' };
  switch (dataType) {
    case 'double': {
      const v = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
      return { value: v, text: goSprintV(v) };
    }
    case 'long':
    case 'unsignedLong':
      return { value: Number(raw), text: raw };
    case 'boolean':
      return { value: raw === 'true', text: raw === 'true' ? 'true' : 'false' };
    case 'dateTime:RFC3339':
    case 'dateTime:RFC3339Nano':
      return { value: raw, text: goTimeString(raw) };
    default:
      return { value: raw, text: raw };
  }
}

export async function runFlux(creds: InfluxdbCredentials, query: string, nowMs: number, signal: AbortSignal, timeoutMs: number): Promise<FluxOutcome> {
  client ??= await import('@influxdata/influxdb-client');
  const { InfluxDB, HttpError, linesToTables } = client;
  if (signal.aborted) return { ok: false, aborted: true };
  const api = new InfluxDB({ url: creds.address, token: creds.authToken, timeout: timeoutMs }).getQueryApi({
    org: creds.org,
    now: () => new Date(nowMs).toISOString(),
  });
  return new Promise<FluxOutcome>((resolve) => {
    let settled = false;
    const values: unknown[] = [];
    const texts: string[] = [];
    const settle = (o: FluxOutcome): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      resolve(o);
    };
    let cancel: (() => void) | undefined;
    const onAbort = (): void => {
      // Settle first: cancelling makes the client report completion synchronously.
      settle({ ok: false, aborted: true });
      cancel?.();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    // Rows come from the client's own annotated-CSV parser (linesToTables); the raw lines are
    // looked at first only for what Go's client refuses: data before a #datatype annotation.
    let sawDatatype = false;
    const tables = linesToTables({
      next(row, meta) {
        const column = meta.columns.find((c) => c.label === '_value');
        const cell = decodeCell(column === undefined ? undefined : row[column.index], column?.dataType ?? 'string');
        values.push(cell.value);
        texts.push(cell.text);
      },
      error: () => undefined,
      complete: () => undefined,
    });
    api.queryLines(query, {
      useCancellable: (c) => (cancel = () => c.cancel()),
      next(line) {
        if (settled) return;
        if (line.startsWith('#datatype')) sawDatatype = true;
        else if (line.trim() === '') sawDatatype = false; // a new table brings its own annotations
        else if (!line.startsWith('#') && !sawDatatype) {
          settle({ ok: false, aborted: false, code: 'BadResponse', detail: 'parsing error, datatype annotation not found' });
          return cancel?.();
        }
        tables.next(line);
      },
      error(err) {
        if (signal.aborted) return settle({ ok: false, aborted: true });
        if (err instanceof HttpError) {
          const json = (err.json ?? {}) as { code?: unknown; message?: unknown };
          const detail =
            typeof json.code === 'string' && typeof json.message === 'string'
              ? `${json.code}: ${json.message}`
              : `Unexpected status code ${err.statusCode}`;
          const code: ProviderErrorCode = err.statusCode === 401 || err.statusCode === 403 ? 'Unauthorized' : err.statusCode === 400 ? 'BadQuery' : 'BadResponse';
          return settle({ ok: false, aborted: false, code, detail });
        }
        const e = err as { code?: unknown; message?: string };
        const network = typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code);
        settle({ ok: false, aborted: false, code: network ? 'Unreachable' : 'BadResponse', detail: String(e.message ?? err), error: err });
      },
      complete() {
        settle({ ok: true, values, texts });
      },
    });
  });
}
