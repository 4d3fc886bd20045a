/**
 * Request routing for `assay serve`: a table of method + path pattern, bearer-token auth for
 * `/api/*`, and the per-request log line. Kept apart from the composition (server.ts) so the
 * mapping from URL to handler reads as one list.
 */
import { createRequestGuard, type GuardOptions } from './request-guard.js';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../runtime/logger.js';
import { PROMETHEUS_CONTENT_TYPE, type MetricsRegistry } from '../observability/metrics-registry.js';
import { keyFromPath, type Api } from './api.js';
import type { Health } from '../observability/health.js';
import { ApiError, sendError, sendJson, sendText } from './http.js';

export type ServeRole = 'all' | 'api' | 'worker';

export type Handler = (ctx: { req: IncomingMessage; res: ServerResponse; url: URL; params: string[] }) => Promise<void> | void;

interface Route {
  method: string;
  /** Path segments; ':' marks a parameter. */
  pattern: string[];
  handler: Handler;
}

interface RouterDeps {
  role: ServeRole;
  /** undefined when the role serves no API (worker). */
  api: Api | undefined;
  health: Health;
  metrics: MetricsRegistry;
  log: Logger;
  /** Host/Origin/content-type rules applied when no token is set (request-guard.ts). */
  guard?: GuardOptions;
  /** ASSAY_API_TOKEN: when set, every /api/* request needs `Authorization: Bearer <token>`. */
  apiToken?: string;
  /** Routes added by other modules (trace API, web page); `/api/*` ones get the same auth. */
  extraRoutes?: ReadonlyArray<{ method: string; path: string; handler: Handler }>;
}

/** Probes and scrapes arrive every few seconds; their successes are logged at debug level only. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

export function createRouter(deps: RouterDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const routes = buildRoutes(deps);
  // Compare digests: equal lengths for timingSafeEqual, and no early exit that leaks the token's length.
  const expected = deps.apiToken === undefined ? undefined : createHash('sha256').update(deps.apiToken).digest();

  const authorized = (req: IncomingMessage): boolean => {
    if (expected === undefined) return true;
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(req.headers.authorization ?? '');
    const given = createHash('sha256').update(match?.[1] ?? '').digest();
    return timingSafeEqual(given, expected) && match !== null;
  };

  const guard = deps.apiToken === undefined && deps.guard ? createRequestGuard(deps.guard) : undefined;

  const dispatch = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    guard?.(req);
    let segments: string[];
    try {
      segments = url.pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
    } catch {
      throw new ApiError(400, `the path ${url.pathname} is not valid percent-encoding`);
    }
    if (segments[0] === 'api') {
      if (!deps.api) {
        throw new ApiError(404, 'this process runs with --role worker and serves no API; send API requests to a process started with --role api or --role all');
      }
      if (!authorized(req)) {
        throw new ApiError(401, 'missing or wrong bearer token: send "Authorization: Bearer <ASSAY_API_TOKEN>"', undefined, {}, {
          'WWW-Authenticate': 'Bearer realm="assay"',
        });
      }
    }
    const matching = routes.filter((r) => matchPath(r.pattern, segments) !== undefined);
    const route = matching.find((r) => r.method === req.method);
    if (!route) {
      if (matching.length === 0) throw new ApiError(404, `no such endpoint: ${req.method} ${url.pathname}`);
      const allow = matching.map((r) => r.method).join(', ');
      throw new ApiError(405, `${req.method} is not allowed on ${url.pathname}; use ${allow}`, undefined, {}, { Allow: allow });
    }
    await route.handler({ req, res, url, params: matchPath(route.pattern, segments)! });
  };

  return (req, res) => {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://assay.invalid');
    res.on('close', () => {
      const line = { method: req.method, path: url.pathname, status: res.statusCode, ms: Math.round((performance.now() - started) * 10) / 10 };
      if (QUIET_PATHS.has(url.pathname) && res.statusCode < 400) deps.log.debug(line, 'request');
      else deps.log.info(line, 'request');
    });
    dispatch(req, res, url).catch((err: unknown) => {
      if (res.headersSent) {
        // A stream that already started cannot carry an error response; cut it so the client notices.
        res.destroy();
        return;
      }
      if (err instanceof ApiError) sendError(res, err);
      else {
        deps.log.error({ err, method: req.method, path: url.pathname }, 'request failed');
        sendError(res, new ApiError(500, `internal error: ${err instanceof Error ? err.message : String(err)}`));
      }
    });
  };
}

function matchPath(pattern: readonly string[], segments: readonly string[]): string[] | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: string[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const s = segments[i]!;
    if (p.startsWith(':')) params.push(s);
    else if (p !== s) return undefined;
  }
  return params;
}

function buildRoutes(deps: RouterDeps): Route[] {
  const r = (method: string, path: string, handler: Handler): Route => ({ method, pattern: path.split('/').filter(Boolean), handler });
  const routes: Route[] = [
    r('GET', '/healthz', ({ res }) => sendJson(res, 200, { status: 'ok' })),
    r('GET', '/readyz', async ({ res }) => {
      const readiness = await deps.health.readiness();
      sendJson(res, readiness.ready ? 200 : 503, { status: readiness.ready ? 'ready' : 'not ready', ...readiness });
    }),
    r('GET', '/metrics', async ({ res }) => sendText(res, 200, await deps.metrics.render(), PROMETHEUS_CONTENT_TYPE)),
  ];
  for (const e of deps.extraRoutes ?? []) routes.push(r(e.method, e.path, e.handler));
  const api = deps.api;
  if (!api) return routes;
  const key = (params: string[]) => keyFromPath(params[0]!, params[1]!);
  routes.push(
    r('POST', '/api/v1/runs', ({ req, res }) => api.create(req, res)),
    r('GET', '/api/v1/runs', ({ url, res }) => api.list(url, res)),
    r('GET', '/api/v1/runs/:namespace/:name', ({ params, res }) => api.get(key(params), res)),
    r('DELETE', '/api/v1/runs/:namespace/:name', ({ params, res }) => api.delete(key(params), res)),
    r('POST', '/api/v1/runs/:namespace/:name/terminate', ({ params, res }) => api.terminate(key(params), res)),
    r('GET', '/api/v1/runs/:namespace/:name/events', ({ params, req, res }) => api.runEvents(key(params), req, res)),
    r('GET', '/api/v1/events', ({ url, req, res }) => api.allEvents(url, req, res)),
    r('GET', '/api/v1/templates', ({ res }) => api.templates(res)),
    r('POST', '/api/v1/templates/reload', ({ res }) => api.reloadTemplates(res)),
  );
  return routes;
}
