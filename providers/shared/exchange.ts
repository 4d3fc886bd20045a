/**
 * One request under a provider's deadline, with every failure already turned into an error
 * Observation in Go's `http.Client` words (`Get "url": dial tcp ...: connection refused`,
 * `context deadline exceeded (Client.Timeout exceeded while awaiting headers)`). For providers
 * whose Argo implementation is a plain `http.Client` call (graphite, skywalking).
 */
import type { Observation } from '../../src/metric/provider.js';
import { contextErrorText, type Deadline } from './deadline.js';
import { httpRequest, type HttpFailure, type HttpRequest, type HttpResponse } from './http.js';
import { describeNetworkError, urlErrorText } from './transport-errors.js';

/** Go's text for an abort: a client timeout reads differently before and after the headers. */
export function abortedObservation(deadline: Deadline, method: string, url: string, phase: HttpFailure['phase']): Observation {
  const cause = deadline.cause() ?? 'cancel';
  const code = cause === 'timeout' ? 'Timeout' : 'Aborted';
  let detail: string = contextErrorText(cause);
  if (cause === 'timeout') {
    detail =
      phase === 'body'
        ? 'context deadline exceeded (Client.Timeout or context cancellation while reading body)'
        : 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)';
  }
  return { kind: 'error', code, message: urlErrorText(method, url, detail) };
}

function failureObservation(failure: HttpFailure): Observation {
  if (failure.kind === 'network') {
    const net = describeNetworkError(failure.error, failure.url);
    return { kind: 'error', code: net.code, message: urlErrorText(failure.method, failure.url, net.detail) };
  }
  const code = failure.kind === 'scheme' ? 'Config' : 'BadResponse';
  return { kind: 'error', code, message: urlErrorText(failure.method, failure.url, failure.detail) };
}

/** Send `req` with the deadline's signal; the response whatever its status, or an error Observation. */
export async function exchange(
  req: Omit<HttpRequest, 'signal'>,
  deadline: Deadline,
): Promise<{ ok: true; response: HttpResponse } | { ok: false; observation: Observation }> {
  if (deadline.signal.aborted) return { ok: false, observation: abortedObservation(deadline, req.method, req.url, 'headers') };
  const res = await httpRequest({ ...req, signal: deadline.signal });
  if (res.ok) return { ok: true, response: res };
  if (res.kind === 'aborted' || deadline.cause() !== undefined) {
    return { ok: false, observation: abortedObservation(deadline, res.method, res.url, res.phase) };
  }
  return { ok: false, observation: failureObservation(res) };
}

/** 401/403 are credentials problems; every other failing status is a bad response. */
export function statusCode(status: number): 'Unauthorized' | 'BadResponse' {
  return status === 401 || status === 403 ? 'Unauthorized' : 'BadResponse';
}
