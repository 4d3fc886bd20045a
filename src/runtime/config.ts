/**
 * Start-up configuration: the environment is read here, once, and everything else receives the
 * parsed result. No other module reads process.env.
 */
import { z } from 'zod';

const envSchema = z.object({
  REDIS_URL: z.string().url().optional(),
  ASSAY_STORE_REDIS_URL: z.string().url().optional(),
  ARGO_ROLLOUTS_PROMETHEUS_ADDRESS: z.string().min(1).optional(),
  ARGO_ROLLOUTS_ANALYSIS_JOB_NAMESPACE: z.string().min(1).optional(),
  ASSAY_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  ASSAY_API_TOKEN: z.string().min(1).optional(),
  ASSAY_QUEUE: z.string().min(1).optional(),
  KUBECONFIG: z.string().optional(),
  ASSAY_BULLMQ_LOCK_MS: z.coerce.number().int().positive().optional(),
  ASSAY_BULLMQ_STALLED_MS: z.coerce.number().int().positive().optional(),
  ASSAY_RESYNC_MS: z.coerce.number().int().positive().optional(),
  ASSAY_COALESCE_STEP_MS: z.coerce.number().int().nonnegative().optional(),
  ASSAY_PROVIDER_CONCURRENCY: z.coerce.number().int().nonnegative().optional(),
  ASSAY_MAX_MEASUREMENT_SECONDS: z.coerce.number().positive().max(86_400).optional(),
  ASSAY_ALLOWED_HOSTS: z.string().optional(),
  POD_NAMESPACE: z.string().min(1).optional(),
  ARGO_ROLLOUTS_NAMESPACE: z.string().min(1).optional(),
});

/**
 * Environment variables Argo's providers read themselves; captured here once and handed to the
 * providers (ProviderEnv.vars), which never read process.env.
 */
const PROVIDER_ENV_VARS = ['DD_API_KEY', 'DD_APP_KEY', 'DD_ADDRESS'] as const;

export interface AssayConfig {
  redisUrl?: string;
  /**
   * Where `assay serve` keeps runs when it has no --store-dir: this Redis, else REDIS_URL's. A
   * separate one lets the queue's Redis be flushed or lost without losing a run.
   */
  storeRedisUrl?: string;
  prometheusAddress?: string;
  jobNamespace?: string;
  logLevel: string;
  apiToken?: string;
  queueName: string;
  kubeconfig?: string;
  /**
   * BullMQ job lock and stalled-check intervals: how soon another worker re-runs a tick whose
   * worker died mid-tick (about lock + stalled). Defaults 30 s each, BullMQ's own.
   */
  bullmqLockMs?: number;
  bullmqStalledMs?: number;
  /** How often a worker re-requests ticks for every unfinished run (heals a flushed Redis). */
  resyncMs?: number;
  /**
   * Coalescing of identical in-flight provider requests: evaluation instants within this many ms
   * count as identical (1 = the same millisecond, the default; 0 = off). See runtime/coalesce.ts.
   */
  coalesceStepMs?: number;
  /** Provider calls in flight per backend address. Default 64; 0 = unbounded. */
  providerConcurrency?: number;
  /**
   * Engine-level ceiling on one measurement, whatever the provider's own timeout says
   * (`timeoutSeconds: 100000000000` included): ASSAY_MAX_MEASUREMENT_SECONDS, default 300.
   */
  maxMeasurementMs?: number;
  /** Extra Host names `assay serve` answers to (besides loopback and its bound address): ASSAY_ALLOWED_HOSTS, comma-separated. */
  allowedHosts?: string[];
  /** Argo's controller namespace (provider secrets): POD_NAMESPACE or ARGO_ROLLOUTS_NAMESPACE. */
  controllerNamespace?: string;
  /** The PROVIDER_ENV_VARS that are set. */
  providerVars?: Record<string, string>;
  /**
   * Variables named ASSAY_NOTIFY_*: what a notifications file may reference (`fromEnv`) for
   * webhook URLs and signing secrets. Only these, so the file cannot read any other variable.
   */
  notifyVars?: Record<string, string>;
}

export class ConfigError extends Error {}

export function configFromEnv(env: Record<string, string | undefined>): AssayConfig {
  const parsed = envSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')),
  );
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`environment variable ${String(issue.path[0])}: ${issue.message}`);
  }
  const e = parsed.data;
  const config: AssayConfig = { logLevel: e.ASSAY_LOG_LEVEL ?? 'info', queueName: e.ASSAY_QUEUE ?? 'assay-ticks' };
  if (e.REDIS_URL) config.redisUrl = e.REDIS_URL;
  if (e.ASSAY_STORE_REDIS_URL) config.storeRedisUrl = e.ASSAY_STORE_REDIS_URL;
  if (e.ARGO_ROLLOUTS_PROMETHEUS_ADDRESS) config.prometheusAddress = e.ARGO_ROLLOUTS_PROMETHEUS_ADDRESS;
  if (e.ARGO_ROLLOUTS_ANALYSIS_JOB_NAMESPACE) config.jobNamespace = e.ARGO_ROLLOUTS_ANALYSIS_JOB_NAMESPACE;
  if (e.ASSAY_API_TOKEN) config.apiToken = e.ASSAY_API_TOKEN;
  if (e.KUBECONFIG) config.kubeconfig = e.KUBECONFIG;
  if (e.ASSAY_BULLMQ_LOCK_MS) config.bullmqLockMs = e.ASSAY_BULLMQ_LOCK_MS;
  if (e.ASSAY_BULLMQ_STALLED_MS) config.bullmqStalledMs = e.ASSAY_BULLMQ_STALLED_MS;
  if (e.ASSAY_RESYNC_MS) config.resyncMs = e.ASSAY_RESYNC_MS;
  if (e.ASSAY_COALESCE_STEP_MS !== undefined) config.coalesceStepMs = e.ASSAY_COALESCE_STEP_MS;
  if (e.ASSAY_PROVIDER_CONCURRENCY !== undefined) config.providerConcurrency = e.ASSAY_PROVIDER_CONCURRENCY;
  if (e.ASSAY_MAX_MEASUREMENT_SECONDS !== undefined) config.maxMeasurementMs = Math.round(e.ASSAY_MAX_MEASUREMENT_SECONDS * 1000);
  if (e.ASSAY_ALLOWED_HOSTS) config.allowedHosts = e.ASSAY_ALLOWED_HOSTS.split(',').map((h) => h.trim()).filter(Boolean);
  const controllerNamespace = e.ARGO_ROLLOUTS_NAMESPACE ?? e.POD_NAMESPACE;
  if (controllerNamespace) config.controllerNamespace = controllerNamespace;
  const vars: Record<string, string> = {};
  for (const name of PROVIDER_ENV_VARS) if (env[name]) vars[name] = env[name]!;
  config.providerVars = vars;
  const notifyVars: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (name.startsWith('ASSAY_NOTIFY_') && value) notifyVars[name] = value;
  config.notifyVars = notifyVars;
  return config;
}
