/**
 * The Kubernetes calls of the job provider, made with the injected client-node KubeConfig, and
 * their failures in client-go's words, which is what Argo records as the measurement message:
 * the apiserver's Status message when it sent one (`jobs.batch "x" already exists`), client-go's
 * generic texts when it did not (`an error on the server ("...") has prevented the request from
 * succeeding (post jobs.batch)`), and Go's `*url.Error` for transport failures
 * (`Post "https://…/jobs": dial tcp …: connect: connection refused`). Nothing here throws.
 */
import { ApiException, BatchV1Api, CoreV1Api, Observable, type ConfigurationOptions, type KubeConfig, type V1Job, type V1JobList, type V1PodList } from '@kubernetes/client-node';
import type { ProviderErrorCode } from '../../src/metric/provider.js';
import { goQuote } from '../../src/go/format.js';
import { contextErrorText, withDeadline, type AbortCause } from '../shared/deadline.js';
import { describeNetworkError, urlErrorText } from '../shared/transport-errors.js';

export interface KubeFailure {
  /** The HTTP status, when the server answered. */
  status?: number;
  /** The apiserver's Status reason (`NotFound`, `AlreadyExists`), when known. */
  reason?: string;
  code: ProviderErrorCode;
  message: string;
}

type KubeResult<T> = { ok: true; value: T } | { ok: false; failure: KubeFailure };

/** What a request is about, for client-go's generic messages: `(get jobs.batch name)`. */
interface Target {
  method: 'GET' | 'POST' | 'DELETE';
  resource: 'jobs.batch' | 'pods';
  name?: string;
  /** The request path, used in transport errors until the client has built the real URL. */
  path: string;
}

/** client-go caps the unstructured body it quotes in errors (maxUnstructuredResponseTextBytes). */
const MAX_QUOTED_BODY = 2048;

/**
 * One client per provider instance. `requestTimeoutMs` plays client-go's `rest.Config.Timeout`
 * (Argo sets none, so the default is no timeout); `ctx.signal` always applies.
 */
export class JobClient {
  private readonly batch: BatchV1Api;
  private readonly core: CoreV1Api;
  private readonly server: string;

  constructor(
    kubeConfig: KubeConfig,
    private readonly requestTimeoutMs?: number,
  ) {
    // makeApiClient throws without a current cluster: a start-up misconfiguration, not a measurement failure.
    this.batch = kubeConfig.makeApiClient(BatchV1Api);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.server = (kubeConfig.getCurrentCluster()?.server ?? '').replace(/\/+$/, '');
  }

  createJob(namespace: string, job: object, signal: AbortSignal): Promise<KubeResult<V1Job>> {
    const path = `/apis/batch/v1/namespaces/${namespace}/jobs`;
    // The body goes out exactly as built (see `call`). The typed argument is an empty placeholder,
    // so client-node's serialiser never walks (and cannot trip over) a user's malformed JobSpec.
    const placeholder = {} as V1Job;
    return this.call(signal, { method: 'POST', resource: 'jobs.batch', path }, (o) => this.batch.createNamespacedJob({ namespace, body: placeholder }, o), JSON.stringify(job));
  }

  readJob(namespace: string, name: string, signal: AbortSignal): Promise<KubeResult<V1Job>> {
    const path = `/apis/batch/v1/namespaces/${namespace}/jobs/${name}`;
    return this.call(signal, { method: 'GET', resource: 'jobs.batch', name, path }, (o) => this.batch.readNamespacedJob({ name, namespace }, o));
  }

  listJobs(namespace: string, labelSelector: string, signal: AbortSignal): Promise<KubeResult<V1JobList>> {
    const path = `/apis/batch/v1/namespaces/${namespace}/jobs`;
    return this.call(signal, { method: 'GET', resource: 'jobs.batch', path }, (o) => this.batch.listNamespacedJob({ namespace, labelSelector }, o));
  }

  /** Argo's deleteJob: Foreground propagation, so the pods go before the Job; NotFound counts as done. */
  async deleteJob(namespace: string, name: string, signal: AbortSignal): Promise<KubeResult<void>> {
    const path = `/apis/batch/v1/namespaces/${namespace}/jobs/${name}`;
    const res = await this.call(signal, { method: 'DELETE', resource: 'jobs.batch', name, path }, (o) =>
      this.batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Foreground' }, o),
    );
    if (!res.ok && res.failure.status === 404) return { ok: true, value: undefined };
    return res.ok ? { ok: true, value: undefined } : res;
  }

  listPods(namespace: string, labelSelector: string, signal: AbortSignal): Promise<KubeResult<V1PodList>> {
    const path = `/api/v1/namespaces/${namespace}/pods`;
    return this.call(signal, { method: 'GET', resource: 'pods', path }, (o) => this.core.listNamespacedPod({ namespace, labelSelector }, o));
  }

  /**
   * Send one request under `signal` (and the request timeout). A per-call middleware hands the
   * signal to the HTTP layer, notes the URL for error messages and, for writes, replaces the
   * body client-node serialised: its typed models rename some JSON fields (a probe's `exec` is
   * `_exec`) and drop fields they do not know, so a free-form JobSpec must go out verbatim.
   */
  private async call<T>(signal: AbortSignal, target: Target, send: (options: ConfigurationOptions) => Promise<T>, rawBody?: string): Promise<KubeResult<T>> {
    let url = this.server + target.path;
    const deadline = withDeadline(signal, this.requestTimeoutMs);
    if (deadline.signal.aborted) {
      deadline.dispose();
      return { ok: false, failure: abortFailure(deadline.cause() ?? 'cancel', target, url) };
    }
    const options: ConfigurationOptions = {
      middlewareMergeStrategy: 'append',
      middleware: [
        {
          pre: (ctx) => {
            ctx.setSignal(deadline.signal);
            url = ctx.getUrl();
            if (rawBody !== undefined) ctx.setBody(rawBody);
            return new Observable(Promise.resolve(ctx));
          },
          post: (res) => new Observable(Promise.resolve(res)),
        },
      ],
    };
    try {
      return { ok: true, value: await send(options) };
    } catch (err) {
      const cause = deadline.cause();
      return { ok: false, failure: cause !== undefined ? abortFailure(cause, target, url) : describeFailure(err, target, url) };
    } finally {
      deadline.dispose();
    }
  }
}

/** The request was cut short: the engine's signal (cancel or its timeout) or the request timeout. */
function abortFailure(cause: AbortCause, target: Target, url: string): KubeFailure {
  return { code: cause === 'timeout' ? 'Timeout' : 'Aborted', message: urlErrorText(target.method, url, contextErrorText(cause)) };
}

function describeFailure(err: unknown, target: Target, url: string): KubeFailure {
  if (err instanceof ApiException) {
    const headers = (err.headers ?? {}) as Record<string, string | undefined>;
    return statusFailure(err.code, typeof err.body === 'string' ? err.body : undefined, headers['content-type'] ?? '', target);
  }
  // undici reports transport failures as `TypeError: fetch failed` with the socket error as cause.
  const cause = (err as { cause?: unknown } | null)?.cause;
  if (err instanceof TypeError && cause !== undefined) {
    const net = describeNetworkError(cause, url);
    return { code: net.code, message: urlErrorText(target.method, url, net.detail) };
  }
  // A 2xx whose body is not the object asked for (client-node's JSON parse or decode failed).
  const detail = err instanceof Error ? err.message : String(err);
  return { code: 'BadResponse', message: `unable to decode the response (${target.method.toLowerCase()} ${target.resource}${target.name ? ` ${target.name}` : ''}): ${detail}` };
}

/** An HTTP error status in client-go's words (`errors.FromObject`, or `NewGenericServerResponse`). */
function statusFailure(status: number, body: string | undefined, contentType: string, target: Target): KubeFailure {
  const code: ProviderErrorCode = status === 401 || status === 403 ? 'Unauthorized' : 'BadResponse';
  const parsed = parseStatus(body);
  if (parsed) return { status, code, message: parsed.message, ...(parsed.reason ? { reason: parsed.reason } : {}) };
  // client-node discards 401 bodies; the apiserver's Status for them says exactly this.
  if (status === 401) return { status, code, reason: 'Unauthorized', message: 'Unauthorized' };
  const text = contentType.startsWith('text/plain') ? (body ?? '').slice(0, MAX_QUOTED_BODY).trim() : 'unknown';
  const { reason, message } = genericServerResponse(status, target.method, text);
  const scope = `${target.method.toLowerCase()} ${target.resource}${target.name ? ` ${target.name}` : ''}`;
  return { status, code, reason, message: `${message} (${scope})` };
}

function parseStatus(body: string | undefined): { message: string; reason?: string } | undefined {
  if (body === undefined) return undefined;
  try {
    const s = JSON.parse(body) as { kind?: unknown; message?: unknown; reason?: unknown };
    if (s?.kind !== 'Status' || typeof s.message !== 'string') return undefined;
    return { message: s.message, ...(typeof s.reason === 'string' && s.reason !== '' ? { reason: s.reason } : {}) };
  } catch {
    return undefined;
  }
}

/** apimachinery's `NewGenericServerResponse` texts, for answers that carry no Status object. */
function genericServerResponse(status: number, method: string, serverMessage: string): { reason: string; message: string } {
  switch (status) {
    case 409:
      return { reason: method === 'POST' ? 'AlreadyExists' : 'Conflict', message: 'the server reported a conflict' };
    case 404:
      return { reason: 'NotFound', message: 'the server could not find the requested resource' };
    case 400:
      return { reason: 'BadRequest', message: 'the server rejected our request for an unknown reason' };
    case 403:
      return { reason: 'Forbidden', message: serverMessage };
    case 405:
      return { reason: 'MethodNotAllowed', message: 'the server does not allow this method on the requested resource' };
    case 422:
      return { reason: 'Invalid', message: 'the server rejected our request due to an error in our request' };
    case 429:
      return { reason: 'TooManyRequests', message: 'the server has received too many requests and has asked us to try again later' };
    case 503:
      return { reason: 'ServiceUnavailable', message: 'the server is currently unable to handle the request' };
    case 504:
      return { reason: 'Timeout', message: 'the server was unable to return a response in the time allotted, but may still be processing the request' };
  }
  if (status >= 500) {
    return { reason: 'InternalError', message: `an error on the server (${goQuote(serverMessage)}) has prevented the request from succeeding` };
  }
  return { reason: 'Unknown', message: `the server responded with the status code ${status} but did not return more information` };
}
