/**
 * `assay serve`: the engine as a long-running HTTP service. This file turns flags into
 * ServerOptions, owns the process signals (SIGTERM/SIGINT shut down gracefully, SIGHUP reloads
 * templates) and maps the outcome to an exit status:
 *   0 stopped by a signal after a clean shutdown, 1 failed while running or stopping,
 *   4 invalid flags or settings (nothing was started).
 */
import type { AssayConfig } from '../runtime/config.js';
import { FileSecretSource } from '../runtime/file-secrets.js';
import { createLogger, type Logger } from '../runtime/logger.js';
import { loadNotifyConfig, type NotifyConfig } from '../notify/config.js';
import { startServer, ServeError, type RunningServer, type ServeRole } from '../server/server.js';
import { EXIT_USAGE } from './run-command.js';
import type { Output } from './test-command.js';

export interface ServeFlags {
  port: string;
  host: string;
  templates?: string;
  storeDir?: string;
  role: string;
  concurrency: string;
  secrets?: string[];
  notifications?: string;
}

// Lines stay under 80 columns: commander re-wraps longer ones at the terminal width.
export const SERVE_DESCRIPTION = [
  'Runs the engine as an HTTP service: create AnalysisRuns from the templates in',
  'a directory (a GitOps checkout) or from full manifests, follow them as',
  'Server-Sent Events, terminate or delete them, and scrape Argo\'s analysis',
  'metrics (analysis_run_info, ...) and assay\'s own from /metrics.',
  '',
  'Store: with --store-dir, runs are files: they survive restarts (unfinished',
  'runs continue on start) and processes on one host can share them. Without',
  'it, runs live in Redis when REDIS_URL is set (shared by any number of hosts),',
  'else in memory, where they DIE WITH THE PROCESS.',
  '',
  'Roles (processes sharing REDIS_URL, and --store-dir if one is used):',
  '  all     API, scheduling and measuring in one process (default)',
  '  api     API and scheduling, never measures (needs REDIS_URL)',
  '  worker  measures only; the port serves /healthz, /readyz and /metrics',
  '          (needs REDIS_URL)',
  '',
  'Environment:',
  '  REDIS_URL          BullMQ queue (default: in-memory scheduling), and the',
  '                     run store when there is no --store-dir',
  '  ASSAY_STORE_REDIS_URL  keep runs in this Redis instead of REDIS_URL\'s',
  '  ASSAY_API_TOKEN    require "Authorization: Bearer <token>" on /api/*',
  '  ARGO_ROLLOUTS_PROMETHEUS_ADDRESS, ASSAY_LOG_LEVEL, ASSAY_QUEUE',
  '',
  'Signals: SIGTERM/SIGINT stop gracefully (exit 0); SIGHUP reloads --templates.',
  'Exit status: 0 stopped cleanly, 1 failed while running, 4 invalid settings.',
].join('\n');

export const SERVE_EXAMPLES = `
Examples:
  # one process, templates from a checkout, runs kept on disk
  assay serve --templates ./analysis --store-dir /var/lib/assay --port 8080

  # create a run from templates (as a Rollout step would) -> 201 with the AnalysisRun
  curl -s -X POST localhost:8080/api/v1/runs -H 'Content-Type: application/json' \\
    -d '{"templates":[{"templateName":"success-rate"}],"args":[{"name":"service-name","value":"checkout"}],"name":"checkout-42"}'

  # or from a full AnalysisRun manifest
  curl -s -X POST localhost:8080/api/v1/runs -H 'Content-Type: application/json' \\
    -d "{\\"analysisRun\\": $(yq -o json run.yaml)}"

  # follow it (current state first, then changes; Ctrl-C to stop)
  curl -N localhost:8080/api/v1/runs/default/checkout-42/events

  curl -s 'localhost:8080/api/v1/runs?phase=Running'                   # list
  curl -s localhost:8080/api/v1/runs/default/checkout-42               # full run with status
  curl -s -X POST localhost:8080/api/v1/runs/default/checkout-42/terminate
  curl -s -X DELETE localhost:8080/api/v1/runs/default/checkout-42
  curl -s localhost:8080/api/v1/templates                              # what was loaded
  curl -s -X POST localhost:8080/api/v1/templates/reload               # after a git pull (or: kill -HUP)
  curl -s localhost:8080/metrics | grep analysis_run_info

  # with ASSAY_API_TOKEN set, every /api/* call needs the token
  curl -s -H "Authorization: Bearer $ASSAY_API_TOKEN" localhost:8080/api/v1/runs

  # split deployment: one API process, any number of workers, on any hosts
  REDIS_URL=redis://redis:6379 assay serve --role api --templates ./analysis
  REDIS_URL=redis://redis:6379 assay serve --role worker --port 9090
`;

function parsePort(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) throw new ServeError(`--port ${text}: expected a port number from 0 to 65535`);
  return n;
}

function parseConcurrency(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1) throw new ServeError(`--concurrency ${text}: expected a whole number of at least 1`);
  return n;
}

export async function serveCommand(flags: ServeFlags, config: AssayConfig, io: Output, logger?: Logger): Promise<number> {
  const log = logger ?? createLogger({ level: config.logLevel });
  let secrets: FileSecretSource | undefined;
  try {
    if (flags.secrets?.length) secrets = await FileSecretSource.load(flags.secrets);
  } catch (err) {
    io.err(`assay serve: --secrets: ${(err as Error).message}`);
    return EXIT_USAGE;
  }
  let server: RunningServer;
  let notifications: NotifyConfig | undefined;
  try {
    if (flags.notifications !== undefined) notifications = await loadNotifyConfig(flags.notifications, { vars: config.notifyVars ?? {} });
  } catch (err) {
    io.err(`assay serve: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT_USAGE;
  }
  try {
    server = await startServer({
      ...(secrets ? { secrets } : {}),
      ...(notifications ? { notifications } : {}),
      config,
      port: parsePort(flags.port),
      host: flags.host,
      role: flags.role as ServeRole,
      concurrency: parseConcurrency(flags.concurrency),
      logger: log,
      ...(config.resyncMs !== undefined ? { resyncIntervalMs: config.resyncMs } : {}),
      ...(flags.templates !== undefined ? { templatesDir: flags.templates } : {}),
      ...(flags.storeDir !== undefined ? { storeDir: flags.storeDir } : {}),
    });
  } catch (err) {
    if (err instanceof ServeError) {
      io.err(`assay serve: ${err.message}`);
      return EXIT_USAGE;
    }
    io.err(`assay serve: could not start: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  if (flags.host === '0.0.0.0' && !config.apiToken) {
    log.warn('listening on all interfaces without ASSAY_API_TOKEN: anyone who can reach the port can create and delete runs');
  }

  const onHup = (): void => {
    log.info('SIGHUP: reloading templates');
    void server.reloadTemplates().catch((err: unknown) => log.error({ err }, 'template reload failed'));
  };
  process.on('SIGHUP', onHup);
  const code = await new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      // A second signal while stopping gets Node's default behaviour: exit at once.
      log.info({ signal }, 'shutting down: no new requests, finishing in-flight measurements');
      server.close().then(
        () => resolve(0),
        (err: unknown) => {
          log.error({ err }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  process.off('SIGHUP', onHup);
  return code;
}
