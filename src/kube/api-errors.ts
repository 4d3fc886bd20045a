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
  const cause = (err as { cause?: { code?: string } })?.cause?.code;
  if (cause) return cause;
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}

export const isNotFound = (err: unknown) => httpStatusOf(err) === 404;
export const isConflict = (err: unknown) => httpStatusOf(err) === 409;
