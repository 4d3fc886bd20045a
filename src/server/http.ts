/**
 * Small HTTP helpers for the API: JSON bodies in and out, and one error shape for every failure:
 *
 *   {"error": {"status": 400, "reason": "BadRequest", "message": "...", "field": "args[0].value"}}
 *
 * `field` names the request field at fault when there is one, so a client (or a person reading
 * curl output) knows what to change without reading server logs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Bodies are run requests or manifests; anything bigger is a mistake (or abuse). */
const MAX_BODY_BYTES = 1024 * 1024;

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  403: 'Forbidden',
  413: 'PayloadTooLarge',
  421: 'MisdirectedRequest',
  422: 'UnprocessableEntity',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

/** An error that becomes an HTTP response; anything else thrown by a handler is a 500. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(text)), 'Cache-Control': 'no-store' });
  res.end(text);
}

export function sendError(res: ServerResponse, err: ApiError): void {
  const error = {
    status: err.status,
    reason: REASONS[err.status] ?? 'Error',
    message: err.message,
    ...(err.field !== undefined ? { field: err.field } : {}),
    ...err.extra,
  };
  sendJson(res, err.status, { error }, err.headers);
}

/** Deeper documents are refused before parsing: validation and copies recurse per level. */
const MAX_JSON_DEPTH = 100;

/** The deepest `[`/`{` nesting of a JSON text, ignoring brackets inside strings. */
function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/**
 * Reads the whole body and parses it as JSON; 413 past MAX_BODY_BYTES, 400 when it is not JSON.
 * The Content-Type is not checked: `curl -d` sends form encoding by default, and refusing a valid
 * JSON body over a header would only teach people to add a flag.
 */
export function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Keep draining without storing, so the 413 can still be written on this connection.
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      if (tooLarge) return reject(new ApiError(413, `request body is larger than ${MAX_BODY_BYTES} bytes`));
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return reject(new ApiError(400, 'request body is empty; send a JSON object'));
      if (nestingDepth(text) > MAX_JSON_DEPTH) {
        return reject(new ApiError(400, `request body nests deeper than ${MAX_JSON_DEPTH} levels`));
      }
      try {
        resolve(JSON.parse(text) as unknown);
      } catch (err) {
        reject(new ApiError(400, `request body is not valid JSON: ${(err as Error).message}`));
      }
    });
  });
}
