/**
 * Transport failures in Go's words.
 *
 * Argo's measurement message for a failed request is Go's `*url.Error`:
 * `Get "http://host:1/path": dial tcp host:1: connect: connection refused`. Node reports the same
 * failures with errno codes (`ECONNREFUSED`, `DEPTH_ZERO_SELF_SIGNED_CERT`, ...). This module maps
 * them onto Go's texts and onto the provider error codes, in one place for every provider.
 */
import type { ProviderErrorCode } from '../../src/metric/provider.js';
import { goQuote } from '../../src/go/format.js';

/** Go's `url.Error.Op`: the method with only its first letter upper-case (`Get`, `Post`). */
function goOp(method: string): string {
  const m = method.toUpperCase();
  return m.slice(0, 1) + m.slice(1).toLowerCase();
}

/**
 * The URL as Go's http.Client prints it in errors: a password in the user info becomes `***`,
 * so credentials embedded in an address never reach a message.
 */
function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.password === '') return raw;
    const userInfo = raw.match(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^@/?#]*)@/)?.[1];
    if (userInfo === undefined) return raw;
    const user = userInfo.split(':')[0] ?? '';
    return raw.replace(`${userInfo}@`, `${user}:***@`);
  } catch {
    return raw;
  }
}

/** Go's `*url.Error` text: `Get "url": detail`. */
export function urlErrorText(method: string, url: string, detail: string): string {
  return `${goOp(method)} ${goQuote(redactUrl(url))}: ${detail}`;
}

interface NodeLikeError {
  code?: unknown;
  message?: unknown;
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
}

const TLS_UNKNOWN_AUTHORITY = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
]);

interface NetworkFailure {
  code: ProviderErrorCode;
  /** Go's text for the failure, without the `Op "url": ` prefix. */
  detail: string;
}

/**
 * Classify a Node network error (from node:http or axios) raised while talking to `url`.
 * Only for failures that are not aborts: the caller checks its Deadline first.
 */
export function describeNetworkError(err: unknown, url: string): NetworkFailure {
  const e = (typeof err === 'object' && err !== null ? err : {}) as NodeLikeError & { errors?: unknown };
  // Node's happy-eyeballs connect reports every failed address in an AggregateError.
  if (e.code === undefined && Array.isArray(e.errors) && e.errors.length > 0) return describeNetworkError(e.errors[0], url);
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : String(err);
  let host = '';
  let port = '';
  try {
    const u = new URL(url);
    host = u.hostname.replace(/^\[|\]$/g, '');
    port = u.port || (u.protocol === 'https:' ? '443' : '80');
  } catch {
    // an unparseable URL never reaches the network; keep the generic texts below
  }
  const addr = `${typeof e.address === 'string' ? e.address : host}:${typeof e.port === 'number' ? e.port : port}`;
  switch (code) {
    case 'ECONNREFUSED':
      return { code: 'Unreachable', detail: `dial tcp ${addr}: connect: connection refused` };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { code: 'Unreachable', detail: `dial tcp: lookup ${host}: no such host` };
    case 'EHOSTUNREACH':
      return { code: 'Unreachable', detail: `dial tcp ${addr}: connect: no route to host` };
    case 'ENETUNREACH':
      return { code: 'Unreachable', detail: `dial tcp ${addr}: connect: network is unreachable` };
    case 'ETIMEDOUT':
      return { code: 'Unreachable', detail: `dial tcp ${addr}: i/o timeout` };
    case 'ECONNRESET':
      // Node says "socket hang up" when the server closes without answering; Go says EOF.
      return { code: 'Unreachable', detail: message === 'socket hang up' ? 'EOF' : 'read: connection reset by peer' };
    case 'EPIPE':
      return { code: 'Unreachable', detail: 'write: broken pipe' };
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return { code: 'Unreachable', detail: 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid' };
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return { code: 'Unreachable', detail: `tls: failed to verify certificate: x509: ${message}` };
  }
  if (TLS_UNKNOWN_AUTHORITY.has(code)) {
    return { code: 'Unreachable', detail: 'tls: failed to verify certificate: x509: certificate signed by unknown authority' };
  }
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS')) {
    return { code: 'Unreachable', detail: `tls: ${message}` };
  }
  return { code: 'Unreachable', detail: message };
}
