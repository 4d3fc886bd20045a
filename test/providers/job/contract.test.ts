/**
 * The job provider against the shared provider contract (test/contract/provider.contract.ts).
 * The contract's recording server plays the Kubernetes API with canned answers. Two documented
 * opt-ins adapt the contract to a Kubernetes-backed provider: the API address, the bearer token
 * (the contract's secret) and the request timeout live in the KubeConfig given to the provider
 * instance (`targetInInstance`), and a healthy API makes `measure` start a Job, not return a value
 * (`healthyKind: 'inProgress'`). Every other check is the same as for Prometheus and Web.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { createJobProvider } from '../../../providers/job/index.js';
import { describeProviderContract } from '../../contract/provider.contract.js';
import { sendJson } from '../../support/http-server.js';
import { JOB_BLOCK } from './fixtures.js';

function kubeConfig(server: string, token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'contract', server, skipTLSVerify: true }],
    users: [{ name: 'contract', token }],
    contexts: [{ name: 'contract', cluster: 'contract', user: 'contract' }],
    currentContext: 'contract',
  });
  return kc;
}

describeProviderContract('job', {
  create: ({ baseUrl, secret, timeoutSeconds }) =>
    createJobProvider({ kubeConfig: kubeConfig(baseUrl, secret), requestTimeoutMs: timeoutSeconds * 1000 }),
  targetInInstance: true,
  healthyKind: 'inProgress',
  config: () => JOB_BLOCK,
  invalidConfigs: (secret) => [
    { metadata: { labels: { token: secret } } }, // spec is required
    { spec: { template: secret } },
    { metadata: { annotations: { a: 1 } }, spec: { template: {} } },
    secret,
    42,
  ],
  // The apiserver's answer to a create: the Job as stored, with server-set fields.
  healthy: (req, res) => {
    const job = JSON.parse(req.body) as { metadata: Record<string, unknown> };
    sendJson(res, 201, { ...job, metadata: { ...job.metadata, uid: 'c0ffee00-0000-4000-8000-000000000001', resourceVersion: '1' } });
  },
  malformed: (_req, res) => sendJson(res, 201, 'not json at all'),
  malformedKind: 'error',
});
