/**
 * The structured logger: pino writing one JSON object per line. The level and the destination are
 * arguments (never read from the environment here), so tests can capture lines in memory and the
 * CLI can pass the level parsed once by config.ts.
 *
 * Redaction is a safety net, not the mechanism: callers log keys and phases, never request headers
 * or provider configs. The paths below catch the usual ways a secret slips into a log object
 * anyway (a whole request, an error carrying a header map, a config with a token), at the depths
 * where they show up in practice. pino's redaction matches exact keys, so each casing that
 * Node or a library produces is listed.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

const SECRET_KEYS = [
  'authorization',
  'Authorization',
  'cookie',
  'token',
  'apiToken',
  'accessToken',
  'access_token',
  'bearerToken',
  'password',
  'clientSecret',
  'client_secret',
  'secret',
  'secrets',
  'apiKey',
  'appKey',
];

/**
 * Every secret key at the top level and up to three objects deep (`*.x`, `*.*.x`, `*.*.*.x`),
 * plus the header maps of requests and responses as pino's serializers shape them.
 */
const REDACT_PATHS: readonly string[] = [
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]),
  'req.headers.authorization',
  'req.headers.cookie',
  'request.headers.authorization',
  'headers.authorization',
  'headers.Authorization',
  'res.headers["set-cookie"]',
];

interface LoggerOptions {
  /** pino level: fatal, error, warn, info, debug, trace or silent. */
  level: string;
  /**
   * Where lines go. Default: standard output, written synchronously so that the last lines before
   * `process.exit` (shutdown, fatal start-up errors) are never lost in a buffer.
   */
  destination?: DestinationStream;
  /** Fields bound to every line (e.g. `{role: 'worker'}`). */
  base?: Record<string, unknown>;
}

export function createLogger(opts: LoggerOptions): Logger {
  const destination = opts.destination ?? pino.destination({ dest: 1, sync: true });
  return pino(
    {
      level: opts.level,
      base: { name: 'assay', ...(opts.base ?? {}) },
      redact: { paths: [...REDACT_PATHS], censor: '[REDACTED]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names ("info") rather than numbers (30): log readers and humans grep for words.
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}

/** A logger that drops everything (library default when the caller passes none). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
