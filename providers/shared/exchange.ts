/**
 * One request under a provider's Deadline, with failures already turned into error Observations
 * in the words of Go's `http.Client` (`Post "url": dial tcp ...: connection refused`,
 * `... context deadline exceeded (Client.Timeout exceeded while awaiting headers)`). For the
 * providers whose Argo code is a plain `client.Do(request)` followed by their own status rules
 * (datadog, newRelic, wavefront, kayenta); the response comes back whatever its status.
 */
import type { Observation } from '../../src/metric/provider.js';
import { contextErrorText, type Deadline } from './deadline.js';
import { httpRequest, type HttpFailure, type HttpRequest, type HttpResponse } from './http.js';
import { describeNetworkError, urlErrorText } from './transport-errors.js';

export type Exchange = { ok: true; response: HttpResponse } | { ok: false; observation: Observation };

/** A request ended by its deadline or by shutdown, in Go's http.Client words. */
export function abortedObservation(deadline: Deadline, method: string, url: string, phase: HttpFailure['phase']): Observation {
  const cause = deadline.cause() ?? 'cancel';
  const code = cause === 'timeout' ? 'Timeout' : 'Aborted';
  if (phase === 'body') {
    const detail = cause === 'timeout' ? 'context deadline exceeded (Client.Timeout or context cancellation while reading body)' : 'context canceled';
    return { kind: 'error', code, message: `Received no bytes in response: ${detail}` };
  }
  const detail = cause === 'timeout' ? 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)' : contextErrorText(cause);
  return { kind: 'error', code, message: urlErrorText(method, url, detail) };
}

/** Send `req` under `deadline`; never throws. */
export async function exchange(req: Omit<HttpRequest, 'signal'>, deadline: Deadline): Promise<Exchange> {
  if (deadline.signal.aborted) return { ok: false, observation: abortedObservation(deadline, req.method, req.url, 'headers') };
  const res = await httpRequest({ ...req, signal: deadline.signal });
  if (res.ok) return { ok: true, response: res };
  if (res.kind === 'aborted' || deadline.cause() !== undefined) {
    return { ok: false, observation: abortedObservation(deadline, res.method, res.url, res.phase) };
  }
  if (res.kind === 'network') {
    const net = describeNetworkError(res.error, res.url);
    const message = res.phase === 'body' ? `Received no bytes in response: ${net.detail}` : urlErrorText(res.method, res.url, net.detail);
    return { ok: false, observation: { kind: 'error', code: net.code, message } };
  }
  const code = res.kind === 'scheme' ? 'Config' : 'BadResponse';
  return { ok: false, observation: { kind: 'error', code, message: urlErrorText(res.method, res.url, res.detail) } };
}

/** The error code for a non-2xx status: 401/403 are credentials, everything else a bad response. */
export function statusCode(status: number): 'Unauthorized' | 'BadResponse' {
  return status === 401 || status === 403 ? 'Unauthorized' : 'BadResponse';
}
