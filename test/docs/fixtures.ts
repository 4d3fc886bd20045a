/**
 * What a doc's commands expect to find, per doc: namespaces and objects in the fake API server, and a
 * real Prometheus holding the series the doc's queries read. Docs not listed get an empty cluster and
 * no Prometheus.
 */
import { startPrometheus, type PrometheusInstance } from '../support/prometheus.js';
import type { Sandbox } from './sandbox.js';

export interface Fixture {
  namespaces: string[];
  /** Runs after the sandbox opens; may add env vars; returns a cleanup. */
  setup(sandbox: Sandbox): Promise<() => Promise<void>>;
}

const none: Fixture = { namespaces: [], setup: async () => async () => {} };

/**
 * docs/pipelines.md: the checkout Service and Istio VirtualService the scripts switch, and the
 * recorded error ratio (`service:http_error_ratio:rate1m`) of two versions: v2 healthy, v3 broken.
 */
const pipelines: Fixture = {
  namespaces: ['shop'],
  async setup(sandbox) {
    const prom: PrometheusInstance = await startPrometheus();
    const ratio = (version: string, value: number) => ({
      labels: { __name__: 'service:http_error_ratio:rate1m', service: 'checkout', version },
      samples: [{ value, timestamp: Date.now() }],
    });
    // Fresh samples keep the series current (Prometheus' 5 minute lookback) for the whole doc.
    const feed = () => prom.remoteWrite([ratio('v2', 0.004), ratio('v3', 0.21)]);
    await feed();
    const timer = setInterval(() => void feed().catch(() => {}), 5000);
    sandbox.env.PROMETHEUS_URL = prom.url;
    sandbox.kube.registerCustomResource({ group: 'networking.istio.io', version: 'v1', kind: 'VirtualService', plural: 'virtualservices', shortNames: ['vs'] });
    sandbox.kube.put({
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'checkout', namespace: 'shop' },
      spec: { selector: { app: 'checkout', version: 'v1' }, ports: [{ port: 80, targetPort: 8080 }] },
    });
    sandbox.kube.put({
      apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'checkout', namespace: 'shop' },
      spec: { hosts: ['checkout'], http: [{ route: [{ destination: { host: 'checkout', subset: 'v1' }, weight: 100 }] }] },
    });
    return async () => {
      clearInterval(timer);
      await prom.stop();
    };
  },
};

export function fixtureFor(doc: string): Fixture {
  const blueGreen: Fixture = { namespaces: ['shop'], setup: none.setup }; // the namespace the doc applies to
  return { 'docs/pipelines.md': pipelines, 'docs/blue-green-with-argo-rollouts.md': blueGreen }[doc] ?? none;
}
