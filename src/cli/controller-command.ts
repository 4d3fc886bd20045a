/**
 * `assay controller`: the Kubernetes controller process. Flags to ControllerOptions, a small
 * HTTP endpoint for /metrics (Argo's analysis metrics + engine metrics), /healthz and /readyz,
 * pino logs, and signals (SIGTERM/SIGINT stop gracefully).
 * Exit status: 0 stopped by a signal, 1 failed, 4 invalid flags or no usable kubeconfig.
 */
import { createServer, type Server } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { Controller } from '../controller/controller.js';
import type { AssayConfig } from '../runtime/config.js';
import { createLogger } from '../runtime/logger.js';
import { MetricsRegistry, PROMETHEUS_CONTENT_TYPE } from '../runtime/metrics.js';
import { analysisRunGauges, analysisTemplateGauges } from '../server/analysis-metrics.js';
import { EngineMetrics } from '../server/engine-metrics.js';
import { measuredValueGauges } from '../server/measured-metrics.js';
import { KubeSecretSource } from '../kube/kube-secrets.js';
import { loadNotifyConfig, type NotifyConfig } from '../notify/config.js';
import { Notifier } from '../notify/notifier.js';
import { EXIT_USAGE } from './run-command.js';
import type { Output } from './test-command.js';

export interface ControllerFlags {
  kubeconfig?: string;
  namespaces?: string;
  concurrency: string;
  leaderElect?: boolean;
  leaseNamespace: string;
  metricsPort: string;
  healthPort: string;
  role: string;
  host: string;
  /** Status writes per second to the API server; "0" = no limit. */
  kubeQps?: string;
  kubeBurst?: string;
  /** Notifications file (docs/notifications.md); secretKeyRefs are read in the controller's namespace. */
  notifications?: string;
}

export function loadKubeConfig(path: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault(); // KUBECONFIG, ~/.kube/config, or the in-cluster service account
  if (!kc.getCurrentCluster()) throw new Error('no Kubernetes cluster configured (use --kubeconfig, KUBECONFIG or run in a pod)');
  return kc;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
}

export async function controllerCommand(flags: ControllerFlags, config: AssayConfig, io: Output): Promise<number> {
  const concurrency = Number(flags.concurrency);
  const ports = [Number(flags.metricsPort), Number(flags.healthPort)];
  if (!Number.isInteger(concurrency) || concurrency < 1) return usage(io, `--concurrency must be a positive integer, not "${flags.concurrency}"`);
  const kubeQps = Number(flags.kubeQps ?? '0');
  const kubeBurst = flags.kubeBurst === undefined ? undefined : Number(flags.kubeBurst);
  if (!Number.isFinite(kubeQps) || kubeQps < 0) return usage(io, `--kube-qps must be a number >= 0, not "${flags.kubeQps}"`);
  if (kubeBurst !== undefined && (!Number.isInteger(kubeBurst) || kubeBurst < 1)) return usage(io, `--kube-burst must be a positive integer, not "${flags.kubeBurst}"`);
  if (ports.some((p) => !Number.isInteger(p) || p < 0 || p > 65535)) return usage(io, '--metrics-port and --health-port must be ports (0-65535)');
  if (flags.role !== 'all' && flags.role !== 'worker') return usage(io, `--role must be "all" or "worker", not "${flags.role}"`);
  if (flags.role === 'worker' && !config.redisUrl) return usage(io, '--role worker needs REDIS_URL: workers share ticks through BullMQ');
  let kubeConfig: KubeConfig;
  try {
    kubeConfig = loadKubeConfig(flags.kubeconfig ?? config.kubeconfig);
  } catch (err) {
    return usage(io, (err as Error).message);
  }
  const log = createLogger({ level: config.logLevel });
  let notifyConfig: NotifyConfig | undefined;
  try {
    if (flags.notifications) {
      notifyConfig = await loadNotifyConfig(flags.notifications, {
        vars: config.notifyVars ?? {},
        secrets: new KubeSecretSource(kubeConfig),
        secretNamespace: config.controllerNamespace ?? 'argo-rollouts',
      });
    }
  } catch (err) {
    return usage(io, (err as Error).message);
  }
  const namespaces = flags.namespaces ? flags.namespaces.split(',').map((s) => s.trim()).filter(Boolean) : [];
  const registry = new MetricsRegistry();
  const engineMetrics = new EngineMetrics(registry);
  let controller: Controller;
  try {
    controller = await Controller.start({
      config,
      kubeConfig,
      namespaces,
      concurrency,
      ...(kubeQps > 0 ? { kubeQps, ...(kubeBurst !== undefined ? { kubeBurst } : {}) } : {}),
      leaderElect: flags.leaderElect === true,
      leaseNamespace: flags.leaseNamespace,
      log: (level, msg, fields) => log[level](fields ?? {}, msg),
    });
  } catch (err) {
    log.error({ err: (err as Error).message }, 'controller failed to start');
    return 1;
  }
  engineMetrics.attach(controller.engine);
  const notifier = notifyConfig
    ? await Notifier.start({
        config: notifyConfig,
        ...(config.redisUrl ? { redisUrl: config.redisUrl, redisPrefix: `assay:notify:${config.queueName}` } : {}),
        log: log.child({ component: 'notifications' }),
        registry,
        tracesOf: (key, metric) => controller.traces.of(key, metric),
      })
    : undefined;
  if (notifier) controller.engine.listen({ onStatus: (key, run, previous) => notifier.onStatus(key, run, previous) });
  registry.collect('analysis runs', async () => analysisRunGauges(await controller.store.list()));
  registry.collect('measured values', async () => measuredValueGauges(await controller.store.list()));
  registry.collect('analysis templates', () => analysisTemplateGauges(controller.templates.list()));
  const metricsServer = createServer(async (req, res) => {
    if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE });
      res.end(await registry.render());
    } else {
      res.writeHead(404).end();
    }
  });
  const healthServer = createServer((req, res) => {
    if (req.url === '/healthz') return void res.writeHead(200).end('ok');
    if (req.url === '/readyz') {
      // A follower is ready (it keeps a warm cache and takes over on leadership loss).
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ready: true, leader: controller.isLeader() }));
    }
    res.writeHead(404).end();
  });
  await listen(metricsServer, ports[0]!, flags.host);
  await listen(healthServer, ports[1]!, flags.host);
  log.info({ namespaces: namespaces.length ? namespaces : 'all', concurrency, redis: Boolean(config.redisUrl) }, 'assay controller started');
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  log.info('stopping');
  await controller.stop();
  await notifier?.close();
  metricsServer.close();
  healthServer.close();
  return 0;
}

function usage(io: Output, message: string): number {
  io.err(`assay controller: ${message}`);
  return EXIT_USAGE;
}
