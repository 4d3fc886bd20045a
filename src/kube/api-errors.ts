/**
 * Reading errors from @kubernetes/client-node: its ApiException carries the HTTP status in
 * `code` and the apiserver's Status object (as a string or parsed) in `body`.
 */
export function httpStatusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The apiserver's own message (`analysisruns.argoproj.io "x" not found`), or the error text. */
export function apiMessage(err: unknown): string {
  const body = (err as { body?: unknown })?.body;
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
  }
  const message = (parsed as { message?: unknown } | undefined)?.message;
  if (typeof message === 'string' && message !== '') return message;
  return errorText(err);
}

/**
 * An error's first line with its causes: undici's `fetch failed` says nothing by itself, its
 * `cause` says `connect ECONNREFUSED 127.0.0.1:6443` or `getaddrinfo ENOTFOUND kube.invalid`.
 */
export function errorText(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e !== undefined && e !== null && depth < 4; depth++) {
    const o = e as { message?: unknown; code?: unknown; errors?: unknown; cause?: unknown };
    let text = typeof o.message === 'string' && o.message !== '' ? o.message.split('\n')[0]! : typeof o.code === 'string' ? o.code : String(e);
    // Happy-eyeballs connects report each address in an AggregateError with an empty message.
    if (text === '' || text === 'AggregateError') {
      const first = Array.isArray(o.errors) ? (o.errors[0] as { message?: unknown } | undefined) : undefined;
      text = typeof first?.message === 'string' ? first.message : String(o.code ?? 'error');
    }
    if (!parts.some((p) => p.includes(text))) parts.push(text);
    e = o.cause;
  }
  return parts.join(': ');
}

export const isNotFound = (err: unknown) => httpStatusOf(err) === 404;
export const isConflict = (err: unknown) => httpStatusOf(err) === 409;
