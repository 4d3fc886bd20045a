// Status bodies shaped like k8s.io/apimachinery/pkg/api/errors produces them. Clients (client-go's
// apierrors.IsConflict, client-node callers parsing err.body) key off `reason` and `code`, and humans
// off `message`, so both are reproduced verbatim where the real text is known.
import type { FieldError, ResourceType } from './types.js';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code?: number;
}

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toStatus(): StatusBody {
    const body: StatusBody = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason };
    if (this.details) body.details = stripEmpty(this.details);
    body.code = this.code;
    return body;
  }
}

// Go's omitempty drops "" fields, so core-group details carry no "group" key.
function stripEmpty(d: StatusDetails): StatusDetails {
  const out: StatusDetails = {};
  for (const [k, v] of Object.entries(d)) if (v !== undefined && v !== '') (out as Record<string, unknown>)[k] = v;
  return out;
}

/** "secrets" for the core group, "analysisruns.argoproj.io" otherwise (schema.GroupResource.String()). */
export function qualifiedResource(t: Pick<ResourceType, 'group' | 'plural'>): string {
  return t.group ? `${t.plural}.${t.group}` : t.plural;
}

/** "Secret" for the core group, "AnalysisRun.argoproj.io" otherwise (schema.GroupKind.String()). */
export function qualifiedKind(t: Pick<ResourceType, 'group' | 'kind'>): string {
  return t.group ? `${t.kind}.${t.group}` : t.kind;
}

type GR = Pick<ResourceType, 'group' | 'plural'>;

export function notFound(t: GR, name: string): StatusError {
  return new StatusError(404, 'NotFound', `${qualifiedResource(t)} "${name}" not found`, { name, group: t.group, kind: t.plural });
}

export function alreadyExists(t: GR, name: string): StatusError {
  return new StatusError(409, 'AlreadyExists', `${qualifiedResource(t)} "${name}" already exists`, { name, group: t.group, kind: t.plural });
}

export const MODIFIED_MESSAGE = 'the object has been modified; please apply your changes to the latest version and try again';

export function conflict(t: GR, name: string, why: string = MODIFIED_MESSAGE): StatusError {
  return new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(t)} "${name}": ${why}`, {
    name,
    group: t.group,
    kind: t.plural,
  });
}

export function forbidden(t: GR, name: string, why: string, causes?: StatusCause[]): StatusError {
  return new StatusError(403, 'Forbidden', `${qualifiedResource(t)} "${name}" is forbidden: ${why}`, {
    name,
    group: t.group,
    kind: t.plural,
    causes,
  });
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

export function methodNotAllowed(): StatusError {
  return new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
}

/** What the apiserver answers for a path no handler is registered for (unknown group, resource, subresource). */
export function resourceNotFound(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function internalError(message: string): StatusError {
  return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

export function expired(message: string): StatusError {
  return new StatusError(410, 'Expired', message);
}

export function tooLargeResourceVersion(requested: number, current: number): StatusError {
  return new StatusError(504, 'Timeout', `Too large resource version: ${requested}, current: ${current}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: 1,
  });
}

export function unsupportedMediaType(accepted: string[]): StatusError {
  return new StatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );
}

/** field.Error.Error(): "<field>: <type string>: <detail>" with the value in between for Invalid. */
export function fieldErrorBody(e: FieldError): string {
  switch (e.type) {
    case 'FieldValueRequired':
      return e.detail ? `Required value: ${e.detail}` : 'Required value';
    case 'FieldValueInvalid':
      return `Invalid value: ${e.value ?? '""'}${e.detail ? `: ${e.detail}` : ''}`;
    case 'FieldValueForbidden':
      return e.detail ? `Forbidden: ${e.detail}` : 'Forbidden';
    case 'FieldValueTooLong':
      return `Too long: ${e.detail ?? ''}`;
    case 'FieldValueNotSupported':
      return `Unsupported value: ${e.value ?? '""'}${e.detail ? `: ${e.detail}` : ''}`;
  }
}

/**
 * errors.NewInvalid: "<qualifiedKind> "<name>" is invalid: <aggregate>". The aggregate is the single
 * error, or "[a, b]" for several. `kindForMessage` is Kind.group for validation errors, but some
 * storage-layer errors (missing resourceVersion) pass the resource instead, as the apiserver does.
 */
export function invalid(kindForMessage: string, detailsKind: string, group: string, name: string, errs: FieldError[]): StatusError {
  const strs = errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
  const agg = strs.length === 1 ? strs[0] : `[${strs.join(', ')}]`;
  return new StatusError(422, 'Invalid', `${kindForMessage} "${name}" is invalid: ${agg}`, {
    name,
    group,
    kind: detailsKind,
    causes: errs.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field })),
  });
}

export function invalidObject(t: ResourceType, name: string, errs: FieldError[]): StatusError {
  return invalid(qualifiedKind(t), t.kind, t.group, name, errs);
}

/** Default body for an injected fault with the given HTTP code. */
export function statusForCode(code: number, message?: string): StatusError {
  const table: Record<number, [string, string]> = {
    400: ['BadRequest', 'injected bad request'],
    401: ['Unauthorized', 'Unauthorized'],
    403: ['Forbidden', 'forbidden: injected fault'],
    404: ['NotFound', 'the server could not find the requested resource'],
    409: ['Conflict', `Operation cannot be fulfilled: ${MODIFIED_MESSAGE}`],
    410: ['Expired', 'too old resource version'],
    422: ['Invalid', 'the server rejected our request due to an error in our request'],
    429: ['TooManyRequests', 'Too many requests, please try again later.'],
    500: ['InternalError', 'Internal error occurred: injected fault'],
    503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
    504: ['Timeout', 'the server was unable to return a response in the time allotted, but may still be processing the request'],
  };
  const [reason, defMessage] = table[code] ?? ['Unknown', `the server responded with the status code ${code} but did not return more information`];
  const details: StatusDetails | undefined = code === 429 || code === 503 ? { retryAfterSeconds: 1 } : undefined;
  const headers: Record<string, string> = code === 429 || code === 503 ? { 'Retry-After': '1' } : {};
  return new StatusError(code, reason, message ?? defMessage, details, headers);
}
