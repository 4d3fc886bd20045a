/**
 * AWS Signature Version 4 verification, as an AWS service performs it (AWS General Reference,
 * "Create a signed AWS API request": canonical request, string to sign, derived signing key),
 * implemented here with node:crypto for the loopback stand-ins. It recomputes the signature
 * from what actually arrived (method, path, query, the signed headers, the body's SHA-256) and
 * answers like AWS when anything is off: missing token, unknown access key, wrong scope,
 * expired or mismatched signature, missing session token.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export type SigV4Result =
  | { ok: true; accessKeyId: string; signedHeaders: string[] }
  | { ok: false; status: number; type: string; message: string };

export interface SignedRequest {
  method: string;
  /** Path and query exactly as received. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding: everything but A-Z a-z 0-9 - _ . ~ as %XX (upper-case hex). */
function uriEncode(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Non-S3 services: normalised path segments, each URI-encoded twice (the wire form encoded again). */
function canonicalUri(rawPath: string): string {
  const segments: string[] = [];
  for (const seg of rawPath.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(seg);
  }
  if (segments.length === 0) return '/';
  return `/${segments.map(uriEncode).join('/')}${rawPath.endsWith('/') ? '/' : ''}`;
}

function canonicalQuery(rawQuery: string): string {
  if (rawQuery === '') return '';
  return rawQuery
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      return [uriEncode(decode(eq < 0 ? p : p.slice(0, eq))), uriEncode(decode(eq < 0 ? '' : p.slice(eq + 1)))] as const;
    })
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v.join(',') : v).trim().replace(/\s+/g, ' ');
}

function amzDateMs(d: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(d);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN;
}

export interface VerifyOptions {
  service: string;
  region: string;
  /** Known credentials by access key id. */
  credentials: readonly AwsCredentials[];
  /** The server's clock (signatures older or newer than 15 minutes are refused). */
  now?: number;
}

export function verifySigV4(req: SignedRequest, opts: VerifyOptions): SigV4Result {
  const fail = (status: number, type: string, message: string): SigV4Result => ({ ok: false, status, type, message });
  const auth = headerValue(req.headers, 'authorization');
  if (auth === undefined || auth === '') return fail(403, 'MissingAuthenticationToken', 'Missing Authentication Token');
  const m = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return fail(400, 'IncompleteSignature', `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters. Authorization=${auth.split(' ')[0]}`);
  const [, credential, signedHeaderList, signature] = m as unknown as [string, string, string, string];
  const [accessKeyId, date, region, service, terminator] = credential.split('/');
  const creds = opts.credentials.find((c) => c.accessKeyId === accessKeyId);
  if (creds === undefined) return fail(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
  if (terminator !== 'aws4_request' || service !== opts.service || region !== opts.region) {
    return fail(403, 'InvalidSignatureException', `Credential should be scoped to a valid region and service: '${opts.region}/${opts.service}'.`);
  }
  const amzDate = headerValue(req.headers, 'x-amz-date') ?? '';
  const at = amzDateMs(amzDate);
  if (Number.isNaN(at) || !amzDate.startsWith(date ?? '-')) return fail(403, 'InvalidSignatureException', 'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP');
  if (Math.abs((opts.now ?? Date.now()) - at) > 15 * 60_000) return fail(403, 'InvalidSignatureException', `Signature expired: ${amzDate} is now earlier or later than the allowed 15 minutes.`);
  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('host')) return fail(403, 'InvalidSignatureException', "'Host' must be a 'SignedHeader' in the AWS Authorization.");
  if (creds.sessionToken !== undefined && headerValue(req.headers, 'x-amz-security-token') !== creds.sessionToken) {
    return fail(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
  }
  const q = req.url.indexOf('?');
  const canonicalRequest = [
    req.method.toUpperCase(),
    canonicalUri(q < 0 ? req.url : req.url.slice(0, q)),
    canonicalQuery(q < 0 ? '' : req.url.slice(q + 1)),
    signedHeaders.map((h) => `${h}:${headerValue(req.headers, h) ?? ''}\n`).join(''),
    signedHeaderList,
    sha256(req.body),
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, date!), region!), service!), 'aws4_request');
  const expected = createHmac('sha256', key).update(stringToSign).digest();
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
    return fail(
      403,
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  return { ok: true, accessKeyId: accessKeyId!, signedHeaders };
}
