/**
 * The web page of `assay serve`: `/ui` (runs, filterable) and `/ui/runs/{namespace}/{name}` (one
 * plot per metric, the measurements with their trace), live over the SSE stream. The page is
 * static: it reads the same API as everyone else, with the bearer token the user types in (kept in
 * sessionStorage), so it needs no auth of its own and shows nothing without the token.
 *
 * Assets are served by assay itself (web/ in the package, uPlot from node_modules): the page
 * works with no internet. Files are read on first request, not at start-up.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ServerResponse } from 'node:http';
import { ApiError } from './http.js';
import type { Handler } from './router.js';

/** The package root: this file is dist/src/server/web-ui.js (or src/server/web-ui.ts in tests). */
const ROOT = new URL(import.meta.url.includes('/dist/') ? '../../../' : '../../', import.meta.url);

function uplotFile(name: string): string {
  return createRequire(import.meta.url).resolve(`uplot/dist/${name}`);
}

const ASSETS: Record<string, { path: () => string; type: string }> = {
  'app.js': { path: () => fileURLToPath(new URL('web/app.js', ROOT)), type: 'text/javascript; charset=utf-8' },
  'app.css': { path: () => fileURLToPath(new URL('web/app.css', ROOT)), type: 'text/css; charset=utf-8' },
  'uplot.js': { path: () => uplotFile('uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  'uplot.css': { path: () => uplotFile('uPlot.min.css'), type: 'text/css; charset=utf-8' },
  'index.html': { path: () => fileURLToPath(new URL('web/index.html', ROOT)), type: 'text/html; charset=utf-8' },
};

/** Scripts and styles only from assay; API calls only to assay; never framed. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const cache = new Map<string, Buffer>();

async function asset(name: string): Promise<Buffer> {
  let body = cache.get(name);
  if (!body) {
    const spec = ASSETS[name];
    if (!spec) throw new ApiError(404, `no such asset: ${name}`);
    body = await readFile(spec.path());
    cache.set(name, body);
  }
  return body;
}

async function send(res: ServerResponse, name: string): Promise<void> {
  const body = await asset(name);
  res.writeHead(200, {
    'Content-Type': ASSETS[name]!.type,
    'Content-Length': String(body.length),
    'Cache-Control': name === 'index.html' ? 'no-store' : 'public, max-age=300',
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  res.end(body);
}

export function webUiRoutes(): Array<{ method: string; path: string; handler: Handler }> {
  const page: Handler = ({ res }) => send(res, 'index.html');
  return [
    {
      method: 'GET',
      path: '/',
      handler: ({ res }) => {
        res.writeHead(302, { Location: '/ui' });
        res.end();
      },
    },
    { method: 'GET', path: '/ui', handler: page },
    { method: 'GET', path: '/ui/runs/:namespace/:name', handler: page },
    {
      method: 'GET',
      path: '/ui/assets/:file',
      handler: ({ params, res }) => {
        if (!Object.hasOwn(ASSETS, params[0]!) || params[0] === 'index.html') throw new ApiError(404, `no such asset: ${params[0]}`);
        return send(res, params[0]!);
      },
    },
  ];
}
