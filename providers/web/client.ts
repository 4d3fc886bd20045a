/**
 * The web provider's HTTP exchange, and its failures in the words of Go's `http.Client` as Argo
 * records them: `Get "url": dial tcp ...`, `context deadline exceeded (Client.Timeout exceeded
 * while awaiting headers)` before the response arrives, Argo's own `Received no bytes in
 * response: ...` once the body is being read.
 */
import type { Observation } from '../../src/metric/provider.js';
import type { Deadline } from '../shared/deadline.js';
import { setHeader } from '../shared/headers.js';
import { httpRequest, type HttpFailure, type HttpResponse } from '../shared/http.js';
import type { TokenCache } from '../shared/oauth2.js';
import { abortedObservation } from '../shared/exchange.js';
import { describeNetworkError, urlErrorText } from '../shared/transport-errors.js';
import type { WebConfig } from './config.js';

function failureObservation(failure: HttpFailure): Observation {
  if (failure.kind === 'network') {
    const net = describeNetworkError(failure.error, failure.url);
    if (failure.phase === 'body') return { kind: 'error', code: net.code, message: `Received no bytes in response: ${net.detail}` };
    return { kind: 'error', code: net.code, message: urlErrorText(failure.method, failure.url, net.detail) };
  }
  const code = failure.kind === 'scheme' ? 'Config' : 'BadResponse';
  if (failure.kind === 'tooLarge') return { kind: 'error', code, message: `Received no bytes in response: ${failure.detail}` };
  return { kind: 'error', code, message: urlErrorText(failure.method, failure.url, failure.detail) };
}

/**
 * Send the metric's request under `deadline`; the response whatever its status, or the failure
 * as an error Observation. Never throws.
 */
export async function fetchMetric(
  config: WebConfig,
  deadline: Deadline,
  tokens: TokenCache,
): Promise<{ ok: true; response: HttpResponse } | { ok: false; observation: Observation }> {
  const fail = (observation: Observation) => ({ ok: false as const, observation });
  if (deadline.signal.aborted) return fail(abortedObservation(deadline, config.method, config.url, 'headers'));
  const headers = { ...config.headers };
  if (config.oauth2 !== undefined) {
    // Argo's oauth2 transport wraps the request after the metric's headers were set: its
    // bearer token replaces any Authorization header from the metric.
    const token = await tokens.authorization(config.oauth2, { signal: deadline.signal, insecure: config.insecure });
    if (!token.ok) {
      if (token.aborted || deadline.cause() !== undefined) return fail(abortedObservation(deadline, config.method, config.url, 'headers'));
      return fail({ kind: 'error', code: token.code, message: urlErrorText(config.method, config.url, token.detail) });
    }
    setHeader(headers, 'Authorization', token.authorization);
  }
  const request = { method: config.method, url: config.url, headers, insecure: config.insecure, signal: deadline.signal };
  const res = await httpRequest(config.requestBody === undefined ? request : { ...request, body: config.requestBody });
  if (res.ok) return { ok: true, response: res };
  if (res.kind === 'aborted' || deadline.cause() !== undefined) return fail(abortedObservation(deadline, res.method, res.url, res.phase));
  return fail(failureObservation(res));
}
