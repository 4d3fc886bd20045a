/**
 * `assay serve`: the engine as a long-running HTTP service. This file turns flags into
 * ServerOptions, owns the process signals (SIGTERM/SIGINT shut down gracefully, SIGHUP reloads
 * templates) and maps the outcome to an exit status:
 *   0 stopped by a signal after a clean shutdown, 1 failed while running or stopping,
 *   4 invalid flags or settings (nothing was started).
 */
import { secretsFromFiles } from '../composition/engine.js';
import { startServer } from '../composition/serve.js';
import type { SecretSource } from '../reconcile/ports.js';
import type { AssayConfig } from '../runtime/config.js';
import { createLogger, type Logger } from '../runtime/logger.js';
import { loadNotifyConfig, type NotifyConfig } from '../notify/config.js';
import { ServeError, type RunningServer, type ServeRole } from '../server/server.js';
import { EXIT_USAGE } from './exit-codes.js';
import type { Output } from './test-command.js';

export interface ServeFlags {
  port: string;
  host: string;
  templates?: string;
  storeDir?: string;
  role: string;
  concurrency: string;
  allowedHost?: string[];
  secrets?: string[];
  notifications?: string;
}

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
  let secrets: SecretSource | undefined;
  try {
    secrets = await secretsFromFiles(flags.secrets);
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
      ...(flags.allowedHost?.length ? { allowedHosts: flags.allowedHost } : {}),
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
