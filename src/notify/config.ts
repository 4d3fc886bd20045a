/**
 * The notifications file (`--notifications FILE`, the same format for `run`, `serve` and
 * `controller`): destinations (Slack incoming webhooks, generic JSON webhooks) and routes that
 * send run verdicts (and optionally metric phase changes) matching namespace, labels and phase to
 * them. Parsed once at start-up; URLs and signing secrets may come from ASSAY_NOTIFY_* variables
 * or Secrets, resolved here and kept only in memory (never in the outbox, a payload or a log).
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { SecretSource } from '../reconcile/ports.js';
import { parseGoDuration } from '../go/duration.js';

const valueSource = z.union([
  z.string().min(1),
  z.object({ fromEnv: z.string().regex(/^ASSAY_NOTIFY_[A-Za-z0-9_]+$/, 'must name a variable starting with ASSAY_NOTIFY_') }).strict(),
  z
    .object({ secretKeyRef: z.object({ name: z.string().min(1), key: z.string().min(1), namespace: z.string().min(1).optional() }).strict() })
    .strict(),
]);
type ValueSource = z.infer<typeof valueSource>;

const PHASES = ['Successful', 'Failed', 'Error', 'Inconclusive', 'Running', 'Pending'] as const;

const duration = z.string().refine((s) => parseGoDuration(s).ok, 'must be a duration such as 500ms, 10s or 5m');

const fileSchema = z
  .object({
    apiVersion: z.literal('assay/v1alpha1'),
    kind: z.literal('NotificationConfig'),
    /** Base URL of `assay serve`'s web page, for links in messages. */
    pageUrl: z.string().url().optional(),
    /** Per-request timeout (default 10s); an item is leased for twice this while being delivered. */
    timeout: duration.optional(),
    retry: z
      .object({ maxAttempts: z.number().int().min(1).max(100).optional(), initialDelay: duration.optional(), maxDelay: duration.optional() })
      .strict()
      .optional(),
    destinations: z
      .array(
        z
          .object({
            name: z.string().min(1),
            slack: z.object({ webhookUrl: valueSource }).strict().optional(),
            webhook: z
              .object({ url: valueSource, secret: valueSource.optional(), headers: z.record(z.string(), z.string()).optional() })
              .strict()
              .optional(),
          })
          .strict()
          .refine((d) => (d.slack ? 1 : 0) + (d.webhook ? 1 : 0) === 1, 'a destination has exactly one of slack or webhook'),
      )
      .min(1),
    routes: z
      .array(
        z
          .object({
            match: z
              .object({
                namespaces: z.array(z.string().min(1)).optional(),
                labels: z.record(z.string(), z.string()).optional(),
                phases: z.array(z.enum(PHASES)).optional(),
              })
              .strict()
              .optional(),
            /** `completed` (the verdict, default) and/or `metricPhase` (each metric's phase change). */
            on: z.array(z.enum(['completed', 'metricPhase'])).min(1).optional(),
            destinations: z.array(z.string().min(1)).min(1),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

export type NotifyEvent = 'completed' | 'metricPhase';

export interface Route {
  namespaces?: string[];
  labels?: Record<string, string>;
  phases?: string[];
  on: NotifyEvent[];
  destinations: string[];
}

export type Destination =
  | { name: string; kind: 'slack'; url: string }
  | { name: string; kind: 'webhook'; url: string; secret?: string; headers: Record<string, string> };

export interface RetryPolicy {
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export interface NotifyConfig {
  destinations: Map<string, Destination>;
  routes: Route[];
  pageUrl?: string;
  retry: RetryPolicy;
  timeoutMs: number;
}

class NotifyConfigError extends Error {}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 10, initialDelayMs: 1000, maxDelayMs: 5 * 60_000 };

interface ResolveContext {
  /** ASSAY_NOTIFY_* variables (config.notifyVars). */
  vars: Readonly<Record<string, string>>;
  /** Secrets for `secretKeyRef` (Kubernetes in the controller, `--secrets` files for run). */
  secrets?: SecretSource;
  /** Namespace of a secretKeyRef without one (the controller's). */
  secretNamespace?: string;
}

async function resolveValue(source: ValueSource, where: string, ctx: ResolveContext): Promise<string> {
  if (typeof source === 'string') return source;
  if ('fromEnv' in source) {
    const v = ctx.vars[source.fromEnv];
    if (!v) throw new NotifyConfigError(`${where}: environment variable ${source.fromEnv} is not set`);
    return v;
  }
  const ref = source.secretKeyRef;
  if (!ctx.secrets) throw new NotifyConfigError(`${where}: secretKeyRef needs a secret source (the controller, or --secrets FILE)`);
  const got = await ctx.secrets.get(ref.namespace ?? ctx.secretNamespace ?? 'default', ref.name, ref.key);
  if (!got.ok) throw new NotifyConfigError(`${where}: ${got.error}`);
  return got.value;
}

function ms(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const d = parseGoDuration(text);
  return d.ok ? d.ms : fallback;
}

/** Parse and resolve a notifications document; errors name the file and the field. */
export async function parseNotifyConfig(text: string, file: string, ctx: ResolveContext): Promise<NotifyConfig> {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new NotifyConfigError(`${file}: YAML syntax error: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = fileSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new NotifyConfigError(`${file}: ${issue.path.join('.') || '(document)'}: ${issue.message}`);
  }
  const spec = parsed.data;
  const destinations = new Map<string, Destination>();
  for (const [i, d] of spec.destinations.entries()) {
    const where = `${file}: destinations[${i}] (${d.name})`;
    if (destinations.has(d.name)) throw new NotifyConfigError(`${where}: duplicate destination name`);
    let dest: Destination;
    if (d.slack) dest = { name: d.name, kind: 'slack', url: await resolveValue(d.slack.webhookUrl, `${where}.slack.webhookUrl`, ctx) };
    else {
      const w = d.webhook!;
      dest = { name: d.name, kind: 'webhook', url: await resolveValue(w.url, `${where}.webhook.url`, ctx), headers: w.headers ?? {} };
      if (w.secret !== undefined) dest.secret = await resolveValue(w.secret, `${where}.webhook.secret`, ctx);
    }
    try {
      const u = new URL(dest.url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
    } catch {
      // The URL may itself be a secret (Slack's is): say where, never what.
      throw new NotifyConfigError(`${where}: the URL is not an http(s) URL`);
    }
    destinations.set(d.name, dest);
  }
  const routes: Route[] = spec.routes.map((r, i) => {
    for (const name of r.destinations) {
      if (!destinations.has(name)) throw new NotifyConfigError(`${file}: routes[${i}].destinations: no destination named "${name}"`);
    }
    const route: Route = { on: r.on ?? ['completed'], destinations: r.destinations };
    if (r.match?.namespaces) route.namespaces = r.match.namespaces;
    if (r.match?.labels) route.labels = r.match.labels;
    if (r.match?.phases) route.phases = r.match.phases;
    return route;
  });
  const retry: RetryPolicy = {
    maxAttempts: spec.retry?.maxAttempts ?? DEFAULT_RETRY.maxAttempts,
    initialDelayMs: ms(spec.retry?.initialDelay, DEFAULT_RETRY.initialDelayMs),
    maxDelayMs: ms(spec.retry?.maxDelay, DEFAULT_RETRY.maxDelayMs),
  };
  return { destinations, routes, retry, timeoutMs: ms(spec.timeout, 10_000), ...(spec.pageUrl ? { pageUrl: spec.pageUrl.replace(/\/+$/, '') } : {}) };
}

export async function loadNotifyConfig(file: string, ctx: ResolveContext): Promise<NotifyConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new NotifyConfigError(`--notifications ${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseNotifyConfig(text, file, ctx);
}
