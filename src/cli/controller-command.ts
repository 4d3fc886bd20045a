/**
 * `assay controller`: the Kubernetes controller process. Flags to ControllerOptions, a small
 * HTTP endpoint for /metrics (Argo's analysis metrics + engine metrics), /healthz and /readyz,
 * pino logs, and signals (SIGTERM/SIGINT stop gracefully).
 * Exit status: 0 stopped by a signal, 1 failed, 4 invalid flags, no usable kubeconfig, an API
 * server that does not answer the first list, or a port that is taken.
 */
import { createServer, type Server } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { clusterSecrets, startController } from '../composition/cluster.js';
import { notificationOutbox } from '../composition/engine.js';
import { ControllerStartError, type Controller } from '../controller/controller.js';
import { errorText } from '../kube/api-errors.js';
import type { AssayConfig } from '../runtime/config.js';
import { createLogger } from '../runtime/logger.js';
import { MetricsRegistry, PROMETHEUS_CONTENT_TYPE } from '../observability/metrics-registry.js';
import { analysisRunGauges, analysisTemplateGauges } from '../observability/analysis-metrics.js';
import { EngineMetrics } from '../observability/engine-metrics.js';
import { measuredValueGauges } from '../observability/measured-metrics.js';
import { loadNotifyConfig, type NotifyConfig } from '../notify/config.js';
import { Notifier } from '../notify/notifier.js';
import { EXIT_USAGE } from './exit-codes.js';
import type { Output } from './test-command.js';

export interface ControllerFlags {
  kubeconfig?: string;
  namespaces?: string;
  concurrency: string;
  leaderElect?: boolean;
  leaseNamespace?: string;
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

/** A kubeconfig that cannot be used: the message names the file (or where it looked) and why. */
class KubeConfigError extends Error {}

/**
 * Load the kubeconfig and check what client-node would only report later, once per informer
 * and for ever: a file that is missing or not a kubeconfig, no current cluster, plain http
 * without insecure-skip-tls-verify.
 */
export function loadKubeConfig(path: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  const source = path ? `kubeconfig ${path}` : 'kubeconfig (~/.kube/config or in-cluster)';
  try {
    if (path) kc.loadFromFile(path);
    else kc.loadFromDefault(); // ~/.kube/config, or the in-cluster service account
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : `not a valid kubeconfig: ${String(e.message).split('\n')[0]}`;
    throw new KubeConfigError(`${source}: ${why}`);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new KubeConfigError(
      path
        ? `${source}: no cluster for the current context "${kc.getCurrentContext()}"`
        : 'no Kubernetes cluster configured: use --kubeconfig or KUBECONFIG, create ~/.kube/config, or run in a pod',
    );
  }
  if (!cluster.server) throw new KubeConfigError(`${source}: cluster "${cluster.name}" has no server URL`);
  if (cluster.server.startsWith('http://') && !cluster.skipTLSVerify) {
    throw new KubeConfigError(
      `${source}: cluster "${cluster.name}" server ${cluster.server} is plain http, which the Kubernetes client refuses unless the cluster sets insecure-skip-tls-verify: true`,
    );
  }
  return kc;
}

/** Bind a port or say which one is taken and why (EADDRINUSE, EACCES). */
function listen(server: Server, flag: string, port: number, host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'already in use' : err.code === 'EACCES' ? 'permission denied' : err.message;
      resolve(`${flag} ${port}: cannot listen on ${host}:${port}: ${why} (${err.code ?? 'error'})`);
    });
    server.listen(port, host, () => resolve(undefined));
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
  // A flag the controller would ignore is refused with the reason.
  if (kubeBurst !== undefined && kubeQps === 0) return usage(io, '--kube-burst needs --kube-qps > 0: without a write rate there is no budget to burst');
  if (flags.leaseNamespace !== undefined && !flags.leaderElect) return usage(io, '--lease-namespace applies only with --leader-elect');
  if (flags.leaderElect && config.redisUrl) {
    return usage(io, '--leader-elect is ignored with REDIS_URL (every replica is a BullMQ worker): drop the flag, or unset REDIS_URL for one leader');
  }
  if (ports[0] !== 0 && ports[0] === ports[1]) return usage(io, `--metrics-port and --health-port must differ (both ${ports[0]})`);
  let kubeConfig: KubeConfig;
  try {
    kubeConfig = loadKubeConfig(flags.kubeconfig ?? config.kubeconfig);
  } catch (err) {
    if (!(err instanceof KubeConfigError)) throw err;
    return usage(io, err.message);
  }
  const log = createLogger({ level: config.logLevel });
  let notifyConfig: NotifyConfig | undefined;
  try {
    if (flags.notifications) {
      notifyConfig = await loadNotifyConfig(flags.notifications, {
        vars: config.notifyVars ?? {},
        secrets: clusterSecrets(kubeConfig),
        secretNamespace: config.controllerNamespace ?? 'argo-rollouts',
      });
    }
  } catch (err) {
    return usage(io, (err as Error).message);
  }
  const namespaces = flags.namespaces ? flags.namespaces.split(',').map((s) => s.trim()).filter(Boolean) : [];
  const registry = new MetricsRegistry();
  const engineMetrics = new EngineMetrics(registry);
  let controller: Controller | undefined;
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
      // Ready once every informer has listed, and while none is failing. A follower is ready too
      // (it keeps a warm cache and takes over on leadership loss).
      const unsynced = controller ? controller.unsynced() : ['informers starting'];
      const body = unsynced.length === 0 ? { ready: true, leader: controller!.isLeader() } : { ready: false, unsynced };
      return void res.writeHead(unsynced.length === 0 ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    }
    res.writeHead(404).end();
  });
  const closeServers = () => {
    metricsServer.close();
    healthServer.close();
  };
  // Ports first: a taken port fails at once, before anything talks to the cluster.
  for (const [server, flag, port] of [
    [metricsServer, '--metrics-port', ports[0]!],
    [healthServer, '--health-port', ports[1]!],
  ] as const) {
    const taken = await listen(server, flag, port, flags.host);
    if (taken) {
      closeServers();
      return usage(io, taken);
    }
  }
  try {
    controller = await startController({
      config,
      kubeConfig,
      namespaces,
      concurrency,
      ...(kubeQps > 0 ? { kubeQps, ...(kubeBurst !== undefined ? { kubeBurst } : {}) } : {}),
      leaderElect: flags.leaderElect === true,
      leaseNamespace: flags.leaseNamespace ?? 'default',
      log: (level, msg, fields) => log[level](fields ?? {}, msg),
    });
  } catch (err) {
    closeServers();
    if (err instanceof ControllerStartError) return usage(io, `${err.message}\n(kubeconfig: ${flags.kubeconfig ?? config.kubeconfig ?? 'default'})`);
    io.err(`assay controller: failed to start: ${errorText(err)}`);
    return 1;
  }
  const running = controller;
  engineMetrics.attach(running.engine);
  const notifier = notifyConfig
    ? await Notifier.start({
        config: notifyConfig,
        outbox: await notificationOutbox(config),
        log: log.child({ component: 'notifications' }),
        registry,
        tracesOf: (key, metric) => running.traces.of(key, metric),
      })
    : undefined;
  if (notifier) running.engine.listen({ onStatus: (key, run, previous) => notifier.onStatus(key, run, previous) });
  registry.collect('analysis runs', async () => analysisRunGauges(await running.store.list()));
  registry.collect('measured values', async () => measuredValueGauges(await running.store.list()));
  registry.collect('analysis templates', () => analysisTemplateGauges(running.templates.list()));
  log.info({ namespaces: namespaces.length ? namespaces : 'all', concurrency, redis: Boolean(config.redisUrl) }, 'assay controller started');
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  log.info('stopping');
  await running.stop();
  await notifier?.close();
  closeServers();
  return 0;
}

function usage(io: Output, message: string): number {
  io.err(`assay controller: ${message}`);
  return EXIT_USAGE;
}
