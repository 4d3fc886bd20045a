/**
 * What a browser can make `assay serve` do when no API token is configured. A web page can send
 * "simple" cross-origin requests (a POST with `text/plain` or a form body needs no preflight), and
 * a hostile DNS name can be re-pointed at 127.0.0.1 (DNS rebinding) so that the page's own origin
 * reaches the API. So, without a token:
 *
 * - the Host header must name the server as it listens: localhost, 127.0.0.1, [::1], the bound
 *   address, an IP literal when bound to every interface, or a name given with --allowed-host /
 *   ASSAY_ALLOWED_HOSTS; anything else is 421 (a rebinding page's Host is its own domain);
 * - writes (POST, PUT, PATCH, DELETE) carry no foreign Origin (a browser always sends Origin on
 *   cross-origin writes) and either a JSON content type or no body at all; anything else is 403.
 *
 * With a token, requests without it are refused anyway (router.ts) and browsers cannot attach it
 * cross-origin without a preflight assay never answers, so these checks are not needed.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { ApiError } from './http.js';

export interface GuardOptions {
  /** The address the server is bound to (`--host`). */
  boundHost: string;
  /** Extra Host names accepted (--allowed-host, ASSAY_ALLOWED_HOSTS). */
  allowedHosts?: readonly string[];
}

const LOOPBACK = ['localhost', '127.0.0.1', '::1'];
const WILDCARD = ['0.0.0.0', '::', ''];
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The host name of a Host header value (`[::1]:8080` -> `::1`), lower-case. */
function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') < 0 ? undefined : h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon >= 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

export function createRequestGuard(opts: GuardOptions): (req: IncomingMessage) => void {
  const bound = hostName(opts.boundHost.includes(':') && !opts.boundHost.startsWith('[') ? `[${opts.boundHost}]` : opts.boundHost);
  const names = new Set([...LOOPBACK, bound, ...(opts.allowedHosts ?? []).map((h) => hostName(h))]);
  const wildcard = WILDCARD.includes(bound);
  const allowedHost = (header: string | undefined): boolean => {
    if (header === undefined) return false;
    const name = hostName(header);
    return names.has(name) || (wildcard && isIP(name) !== 0);
  };

  return (req) => {
    const host = req.headers.host;
    if (!allowedHost(host)) {
      throw new ApiError(
        421,
        `Host "${String(host ?? '')}" is not a name this server answers to (DNS rebinding guard); ` +
          'use localhost or its address, add the name with --allowed-host, or set ASSAY_API_TOKEN',
      );
    }
    if (!WRITES.has(req.method ?? '')) return;
    const origin = req.headers.origin;
    if (origin !== undefined) {
      let same = false;
      try {
        const o = new URL(origin);
        same = (o.protocol === 'http:' || o.protocol === 'https:') && o.host.toLowerCase() === String(host).toLowerCase();
      } catch {
        same = false;
      }
      if (!same) {
        throw new ApiError(403, `cross-origin write refused (Origin ${origin}); without ASSAY_API_TOKEN only same-origin requests may change runs`);
      }
    }
    const type = req.headers['content-type'];
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? '0') > 0;
    const json = type !== undefined && /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(type.trim());
    if (type !== undefined ? !json : hasBody) {
      throw new ApiError(
        403,
        `write refused: send the body as JSON with "Content-Type: application/json" (got ${type === undefined ? 'no content type' : `"${type}"`}); ` +
          'without ASSAY_API_TOKEN other content types are refused so that web pages cannot send requests',
      );
    }
  };
}
