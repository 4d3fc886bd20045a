/**
 * A loopback Amazon Managed Service for Prometheus workspace: the Prometheus-compatible query API
 * under `/workspaces/<workspace-id>/api/v1/...`, with every request's SigV4 signature (service
 * `aps`) verified as AMP does before it is served by a real Prometheus behind it. Refusals are
 * AMP's: 403 with `{"message": ...}` and the `x-amzn-ErrorType` header
 * (`MissingAuthenticationTokenException`, `InvalidSignatureException`, `UnrecognizedClientException`).
 *
 * Real workspaces live on `aps-workspaces.<region>.amazonaws.com`, which cannot point at
 * loopback here (no resolver maps it, and /etc/hosts is not ours to edit). Argo decides to sign
 * when the address *contains* `aps-workspaces`, so the stand-in is reached through a path
 * prefix that carries the name (`http://127.0.0.1:PORT/aps-workspaces.us-east-1/workspaces/ws-1`),
 * as a reverse proxy in front of AMP would be; the signature covers that path like any other.
 */
import { randomUUID } from 'node:crypto';
import { forwardTo, sendJson, startHttpServer, type RecordedRequest } from '../http-server.js';
import { verifySigV4, type AwsCredentials } from './sigv4.js';

export interface FakeAmp {
  /** The workspace address a template would use (`.../workspaces/<id>`). */
  address: string;
  region: string;
  credentials: AwsCredentials;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startFakeAmp(prometheusUrl: string, opts: { region?: string; credentials?: AwsCredentials } = {}): Promise<FakeAmp> {
  const region = opts.region ?? 'us-east-1';
  const credentials = opts.credentials ?? { accessKeyId: 'AKIDAMPTEST', secretAccessKey: `amp-secret-${randomUUID()}` };
  const workspace = `ws-${randomUUID()}`;
  const prefix = `/aps-workspaces.${region}/workspaces/${workspace}`;
  const forward = forwardTo(prometheusUrl);
  const server = await startHttpServer(async (req, res) => {
    if (!req.path.startsWith(`${prefix}/api/v1/`)) {
      return sendJson(res, 404, { message: `Workspace not found` }, { 'x-amzn-ErrorType': 'ResourceNotFoundException' });
    }
    const auth = verifySigV4(req, { service: 'aps', region, credentials: [credentials] });
    if (!auth.ok) {
      const type = auth.type.endsWith('Exception') ? auth.type : `${auth.type}Exception`;
      return sendJson(res, auth.status, { message: auth.message }, { 'x-amzn-ErrorType': type });
    }
    // Served by the real Prometheus, with the workspace part of the path removed.
    await forward({ ...req, url: req.url.slice(prefix.length) }, res);
  });
  return {
    address: `${server.url}${prefix}`,
    region,
    credentials,
    requests: server.requests,
    close: () => server.close(),
  };
}
