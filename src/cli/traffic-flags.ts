/**
 * Flags shared by `assay promote` and `assay rollback`: which object (--service or
 * --virtual-service), where (-n, --kubeconfig), and how the switch is given (--selector, --host,
 * --port). Decoded once into a target, or a UsageError naming the flag.
 */
import { KubeConfig } from '@kubernetes/client-node';
import type { Desired, Selector, Stamp } from '../promote/traffic.js';
import type { TrafficRef } from '../kube/traffic-object.js';
import { UsageError } from './run-command.js';
import { hostname, userInfo } from 'node:os';

export interface TrafficFlags {
  service?: string;
  virtualService?: string;
  namespace?: string;
  kubeconfig?: string;
  output?: string;
}

export interface SwitchFlags extends TrafficFlags {
  selector?: string;
  host?: string;
  port?: string;
}

export function trafficRef(flags: TrafficFlags, command: string): TrafficRef {
  if (flags.service !== undefined && flags.virtualService !== undefined) throw new UsageError('give --service or --virtual-service, not both');
  const name = flags.service ?? flags.virtualService;
  if (name === undefined || name === '') throw new UsageError(`name the object: assay ${command} --service NAME or --virtual-service NAME`);
  return { kind: flags.service !== undefined ? 'Service' : 'VirtualService', namespace: flags.namespace ?? 'default', name };
}

function parseSelector(text: string): Selector {
  const selector: Selector = {};
  for (const pair of text.split(',')) {
    const i = pair.indexOf('=');
    const key = pair.slice(0, i).trim();
    if (i <= 0 || key === '') throw new UsageError(`--selector "${text}": expected KEY=VALUE[,KEY=VALUE...]`);
    if (key in selector) throw new UsageError(`--selector "${text}": label "${key}" given twice`);
    selector[key] = pair.slice(i + 1).trim();
  }
  return selector;
}

export function desiredTraffic(ref: TrafficRef, flags: SwitchFlags): Desired {
  if (ref.kind === 'Service') {
    if (flags.host !== undefined || flags.port !== undefined) throw new UsageError('--host and --port go with --virtual-service; a Service is switched with --selector');
    if (flags.selector === undefined) throw new UsageError('--service needs --selector KEY=VALUE[,KEY=VALUE...] (the labels of the new version)');
    return { kind: 'Service', selector: parseSelector(flags.selector) };
  }
  if (flags.selector !== undefined) throw new UsageError('--selector goes with --service; a VirtualService is switched with --host');
  if (flags.host === undefined || flags.host === '') throw new UsageError('--virtual-service needs --host HOST (the destination of the new version)');
  if (flags.port === undefined) return { kind: 'VirtualService', host: flags.host };
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port "${flags.port}": expected a port number 1-65535`);
  return { kind: 'VirtualService', host: flags.host, port };
}

export function loadKubeConfig(path: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (path) kc.loadFromFile(path);
    else kc.loadFromDefault(); // KUBECONFIG, ~/.kube/config, or the in-cluster service account
  } catch (err) {
    throw new UsageError(`--kubeconfig ${path ?? '(default)'}: ${(err as Error).message}`);
  }
  if (!kc.getCurrentCluster()) throw new UsageError('no Kubernetes cluster configured (use --kubeconfig, KUBECONFIG or run in a pod)');
  return kc;
}

/** Who is writing, recorded next to the previous state. */
export function stamp(command: string, now: Date): Stamp {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry for this uid (common in containers)
  }
  return { by: `assay ${command} (${user}@${hostname()}, pid ${process.pid})`, at: now.toISOString().replace(/\.\d{3}Z$/, 'Z') };
}
