/**
 * A provider's own timeout combined with the engine's `ctx.signal`.
 *
 * Argo runs every query under `context.WithTimeout(timeout)`; the engine additionally aborts
 * `ctx.signal` on its own timeout or on shutdown. The merged signal goes to every request, and
 * `cause()` tells afterwards which of the two fired, so that a failure can be reported as
 * `Timeout` (deadline) or `Aborted` (shutdown) with Go's wording (`context deadline exceeded`
 * versus `context canceled`).
 */

/** setTimeout cannot hold more than 2^31-1 ms: beyond that Node fires after 1 ms instead. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export type AbortCause = 'timeout' | 'cancel';

export interface Deadline {
  readonly signal: AbortSignal;
  /** Why the signal fired, or undefined while it has not. */
  cause(): AbortCause | undefined;
  /** Clear the timer; call once the measurement is finished. */
  dispose(): void;
}

/** Whether an abort reason is a timeout (DOMException `TimeoutError`, as from AbortSignal.timeout). */
function isTimeoutReason(reason: unknown): boolean {
  return typeof reason === 'object' && reason !== null && (reason as { name?: unknown }).name === 'TimeoutError';
}

/**
 * @param parent the engine's signal (shutdown, or the engine's own per-measurement timeout)
 * @param timeoutMs the provider's timeout; undefined for none. Zero expires at once, as a Go
 *   context with a zero timeout does.
 */
export function withDeadline(parent: AbortSignal, timeoutMs: number | undefined): Deadline {
  const controller = new AbortController();
  let cause: AbortCause | undefined;
  const fire = (why: AbortCause): void => {
    if (cause !== undefined) return;
    cause = why;
    controller.abort(why === 'timeout' ? new DOMException('deadline exceeded', 'TimeoutError') : parent.reason);
  };
  const onParentAbort = (): void => fire(isTimeoutReason(parent.reason) ? 'timeout' : 'cancel');
  let timer: NodeJS.Timeout | undefined;
  if (parent.aborted) onParentAbort();
  else {
    parent.addEventListener('abort', onParentAbort, { once: true });
    if (timeoutMs !== undefined && timeoutMs <= MAX_TIMER_MS) {
      timer = setTimeout(() => fire('timeout'), Math.max(0, timeoutMs));
    }
  }
  return {
    signal: controller.signal,
    cause: () => cause,
    dispose: () => {
      if (timer !== undefined) clearTimeout(timer);
      parent.removeEventListener('abort', onParentAbort);
    },
  };
}

/** Go's context error text for a fired deadline. */
export function contextErrorText(cause: AbortCause): string {
  return cause === 'timeout' ? 'context deadline exceeded' : 'context canceled';
}
