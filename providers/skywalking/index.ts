/**
 * The SkyWalking metric provider (Argo's `metricproviders/skywalking`): the metric's GraphQL
 * query POSTed as JSON to `<address>/graphql` (Argo uses machinebox/graphql, which sends
 * `{"query", "variables"}`) with one variable, `duration`, the window [now - interval, now] in
 * SkyWalking's minute format (`2006-01-02 1504`, step `MINUTE`). `result` is the response's
 * `data`, `value` its JSON; the first GraphQL error fails the measurement (`graphql: <message>`).
 * Argo's 30 s query timeout applies.
 *
 * The window ends at ctx.now, so a backtest asks SkyWalking for the historical window.
 */
import type { MeasureContext, MetricProvider, Observation } from '../../src/metric/provider.js';
import { goJsonMarshal } from '../../src/go/format.js';
import { parseGoDuration } from '../../src/go/duration.js';
import { describeIssues, dropNulls } from '../shared/config.js';
import { withDeadline } from '../shared/deadline.js';
import { exchange, statusCode } from '../shared/exchange.js';
import { z } from 'zod';

interface SkyWalkingConfig {
  address: string;
  query: string;
  intervalMs: number;
}

const SKYWALKING_TIMEOUT_MS = 30_000;

const skyWalkingSchema = z.object({ address: z.string().default(''), query: z.string().default(''), interval: z.string().default('') });

/** Argo's NewSkyWalkingClient: the interval must parse as a Go duration (an empty one does not). */
function parseSkyWalkingConfig(raw: unknown): { ok: true; config: SkyWalkingConfig } | { ok: false; message: string } {
  const parsed = skyWalkingSchema.safeParse(dropNulls(raw ?? {}));
  if (!parsed.success) return { ok: false, message: describeIssues('skywalking', parsed.error) };
  const interval = parseGoDuration(parsed.data.interval);
  if (!interval.ok) return { ok: false, message: interval.error };
  return { ok: true, config: { address: parsed.data.address, query: parsed.data.query, intervalMs: interval.ms } };
}

/** Go layout `2006-01-02 1504`, in UTC (the controller's zone in its container). */
export function skyWalkingMinute(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 13)}${iso.slice(14, 16)}`;
}

function interpret(status: number, text: string): Observation {
  let decoded: { data?: unknown; errors?: { message?: unknown }[] };
  try {
    decoded = JSON.parse(text) as typeof decoded;
    if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) throw new Error('not an object');
  } catch (err) {
    if (status !== 200) return { kind: 'error', code: statusCode(status), message: `graphql: server returned a non-200 status code: ${status}` };
    return { kind: 'error', code: 'BadResponse', message: `decoding response: ${(err as Error).message}` };
  }
  const first = Array.isArray(decoded.errors) ? decoded.errors[0] : undefined;
  if (first !== undefined) {
    return { kind: 'error', code: status === 200 ? 'BadQuery' : statusCode(status), message: `graphql: ${String(first?.message ?? '')}` };
  }
  if (decoded.data === undefined || decoded.data === null) {
    return { kind: 'error', code: status === 200 ? 'NoData' : statusCode(status), message: 'no results returned from SkyWalking query' };
  }
  return { kind: 'value', value: decoded.data, display: goJsonMarshal(decoded.data) };
}

export function createSkyWalkingProvider(options: { timeoutMs?: number } = {}): MetricProvider<SkyWalkingConfig> {
  const timeoutMs = options.timeoutMs ?? SKYWALKING_TIMEOUT_MS;

  async function measure(config: SkyWalkingConfig, ctx: MeasureContext): Promise<Observation> {
    const body = JSON.stringify({
      query: config.query,
      variables: { duration: { start: skyWalkingMinute(ctx.now - config.intervalMs), end: skyWalkingMinute(ctx.now), step: 'MINUTE' } },
    });
    const deadline = withDeadline(ctx.signal, timeoutMs);
    try {
      const headers = { 'Content-Type': 'application/json; charset=utf-8', Accept: 'application/json; charset=utf-8' };
      const sent = await exchange({ method: 'POST', url: `${config.address}/graphql`, headers, body }, deadline);
      if (!sent.ok) return sent.observation;
      return interpret(sent.response.status, sent.response.body.toString('utf8'));
    } finally {
      deadline.dispose();
    }
  }

  return {
    key: 'skywalking',
    type: 'skywalking',
    // The duration variable is [ctx.now - interval, ctx.now].
    historical: true,
    parseConfig: (raw) => parseSkyWalkingConfig(raw),
    measure,
    metadata: () => undefined,
  };
}

