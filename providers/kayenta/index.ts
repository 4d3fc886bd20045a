/**
 * The Kayenta metric provider (Argo's `metricproviders/kayenta`), the one asynchronous HTTP
 * provider: `measure` looks up the canary config by name and starts a canary execution, leaving
 * the measurement Running with `metadata.canaryExecutionId` and `resumeAt = now + 15 s`;
 * `resume` polls the execution every 15 s until `complete`, then judges the score itself
 * (`score >= pass` Successful, `marginal <= score < pass` Inconclusive, lower Failed), with the
 * score as `value`. There is no `terminate`: Argo's leaves an execution in flight Running, and
 * the engine keeps a measurement unchanged when a provider has no terminate.
 *
 * Every request has Argo's 15 s client timeout. Kayenta has no authentication.
 */
import type { MeasureContext, MetricProvider, Observation, PriorMeasurement } from '../../src/metric/provider.js';
import { withDeadline } from '../shared/deadline.js';
import { exchange, statusCode, type Exchange } from '../shared/exchange.js';
import { parseKayentaConfig, type KayentaConfig } from './config.js';
import { configLookupUrl, executionBody, executionUrl, scoreUrl } from './request.js';

export type { KayentaConfig } from './config.js';

export const RESUME_DELAY_MS = 15_000;
const HTTP_TIMEOUT_MS = 15_000;

type Fail = { ok: false; observation: Observation };
const fail = (code: 'BadResponse' | 'Unauthorized' | 'Config', message: string): Fail => ({ ok: false, observation: { kind: 'error', code, message } });

function decodeJson(body: Buffer): { ok: true; value: unknown } | Fail {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch (err) {
    return fail('BadResponse', (err as Error).message);
  }
}

/** Go's `fmt.Sprintf("%v", x)` of a decoded JSON scalar. */
function sprintV(v: unknown): string {
  if (v === undefined || v === null) return '<nil>';
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

interface KayentaProviderOptions {
  /** Per-request client timeout (Argo: 15 s; tests shorten it). */
  httpTimeoutMs?: number;
}

export function createKayentaProvider(options: KayentaProviderOptions = {}): MetricProvider<KayentaConfig> {
  const httpTimeoutMs = options.httpTimeoutMs ?? HTTP_TIMEOUT_MS;

  async function send(ctx: MeasureContext, method: 'GET' | 'POST', url: string, body?: string): Promise<Exchange> {
    const deadline = withDeadline(ctx.signal, httpTimeoutMs);
    try {
      const headers: Record<string, string> = body !== undefined ? { 'Content-Type': 'application/json' } : {};
      return await exchange({ method, url, headers, ...(body !== undefined ? { body } : {}) }, deadline);
    } finally {
      deadline.dispose();
    }
  }

  async function canaryConfigId(config: KayentaConfig, ctx: MeasureContext): Promise<{ ok: true; id: string } | Fail> {
    const sent = await send(ctx, 'GET', configLookupUrl(config));
    if (!sent.ok) return sent;
    const { status, body } = sent.response;
    if (status !== 200) return fail(statusCode(status), `Invalid Response: HTTP ${status}`);
    const decoded = decodeJson(body);
    if (!decoded.ok) return decoded;
    if (!Array.isArray(decoded.value)) return fail('BadResponse', 'json: cannot unmarshal object into Go value of type []kayenta.canaryConfig');
    for (const c of decoded.value as { id?: unknown; name?: unknown }[]) {
      // Go's json matches struct fields case-insensitively: `id`/`Id`, `name`/`Name`.
      const name = pick(c, 'name');
      if (name === config.canaryConfigName) return { ok: true, id: String(pick(c, 'id') ?? '') };
    }
    return fail('Config', 'Canary config not found');
  }

  async function measure(config: KayentaConfig, ctx: MeasureContext): Promise<Observation> {
    if (ctx.signal.aborted) return { kind: 'error', code: 'Aborted', message: 'context canceled' };
    const id = await canaryConfigId(config, ctx);
    if (!id.ok) return id.observation;
    const built = executionBody(config, ctx.now, ctx.run.startedAt, ctx.metric.interval);
    if (!built.ok) return { kind: 'error', code: 'Config', message: built.message };
    const sent = await send(ctx, 'POST', executionUrl(config, id.id), built.body);
    if (!sent.ok) return sent.observation;
    if (sent.response.status !== 200) return { kind: 'error', code: statusCode(sent.response.status), message: 'Invalid Response' };
    const decoded = decodeJson(sent.response.body);
    if (!decoded.ok) return decoded.observation;
    const execution = typeof decoded.value === 'object' && decoded.value !== null ? (decoded.value as Record<string, unknown>)['canaryExecutionId'] : undefined;
    const executionId = sprintV(execution);
    if (executionId === '') return { kind: 'error', code: 'BadResponse', message: 'Invalid canaryExecutionId' };
    return { kind: 'inProgress', resumeAt: ctx.now + RESUME_DELAY_MS, metadata: { canaryExecutionId: executionId } };
  }

  async function resume(config: KayentaConfig, prior: PriorMeasurement, ctx: MeasureContext): Promise<Observation> {
    const sent = await send(ctx, 'GET', scoreUrl(config, prior.metadata?.['canaryExecutionId'] ?? ''));
    if (!sent.ok) return sent.observation;
    if (sent.response.status !== 200) return { kind: 'error', code: statusCode(sent.response.status), message: 'Invalid Response' };
    const decoded = decodeJson(sent.response.body);
    if (!decoded.ok) return decoded.observation;
    const doc = (typeof decoded.value === 'object' && decoded.value !== null ? decoded.value : {}) as Record<string, unknown>;
    const complete = doc['complete'];
    if (complete === undefined) return { kind: 'error', code: 'BadResponse', message: 'Missing Complete Status' };
    if (typeof complete !== 'boolean') {
      return { kind: 'error', code: 'BadResponse', message: `.complete accessor error: ${sprintV(complete)} is of the type ${goTypeOf(complete)}, expected bool` };
    }
    if (!complete) return { kind: 'inProgress', resumeAt: ctx.now + RESUME_DELAY_MS };
    const score = nested(doc, ['result', 'judgeResult', 'score', 'score']);
    if (typeof score !== 'number') {
      if (score === undefined) return { kind: 'error', code: 'BadResponse', message: 'Missing Score' };
      return { kind: 'error', code: 'BadResponse', message: `.result.judgeResult.score.score accessor error: ${sprintV(score)} is of the type ${goTypeOf(score)}, expected float64` };
    }
    const s = Math.trunc(score);
    const { pass, marginal } = config.threshold;
    const phase = s >= pass ? 'Successful' : s >= marginal ? 'Inconclusive' : 'Failed';
    return { kind: 'judged', phase, display: String(s) };
  }

  return {
    key: 'kayenta',
    type: 'Kayenta',
    parseConfig: (raw) => parseKayentaConfig(raw),
    measure,
    resume,
    metadata: () => undefined,
  };
}

function pick(o: unknown, field: string): unknown {
  if (typeof o !== 'object' || o === null) return undefined;
  const rec = o as Record<string, unknown>;
  if (field in rec) return rec[field];
  const key = Object.keys(rec).find((k) => k.toLowerCase() === field);
  return key === undefined ? undefined : rec[key];
}

function nested(o: Record<string, unknown>, path: string[]): unknown {
  let cur: unknown = o;
  for (const p of path) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function goTypeOf(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  return v === null ? '<nil>' : 'map[string]interface {}';
}

