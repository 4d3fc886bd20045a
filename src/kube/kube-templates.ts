/**
 * AnalysisTemplates and ClusterAnalysisTemplates read through the API: informers keep a cache
 * that serves a TemplateLookup (runs created from template references in the cluster, resolved
 * as Argo's Rollout controller resolves them) and Argo's analysis_template_* metrics.
 * Informers stopped by an apiserver error are restarted (informer-restart.ts), as for runs.
 */
import { CustomObjectsApi, makeInformer, type Informer, type KubeConfig, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import type { AnalysisTemplate } from '../api/types.js';
import type { TemplateLookup } from '../core/templates.js';
import { keepInformerRunning, unsynced, type KeptInformer } from './informer-restart.js';

const GROUP = 'argoproj.io';
const VERSION = 'v1alpha1';

type CachedInformer = Informer<KubernetesObject> & ObjectCache<KubernetesObject>;

interface KubeTemplateOptions {
  kubeConfig: KubeConfig;
  /** Namespaced templates only from these namespaces (all when empty). */
  namespaces?: readonly string[];
  onError?: (err: unknown, where: string) => void;
}

export class KubeTemplateCatalog implements TemplateLookup {
  private readonly namespaced: CachedInformer[] = [];
  private cluster: CachedInformer | undefined;
  private readonly kept: KeptInformer[] = [];
  private stopped = false;

  private constructor(private readonly opts: KubeTemplateOptions) {}

  static async start(opts: KubeTemplateOptions): Promise<KubeTemplateCatalog> {
    const catalog = new KubeTemplateCatalog(opts);
    const api = opts.kubeConfig.makeApiClient(CustomObjectsApi);
    const scopes = opts.namespaces && opts.namespaces.length > 0 ? [...opts.namespaces] : [undefined];
    const starts = scopes.map((ns) =>
      catalog.watch(
        ns ? `/apis/${GROUP}/${VERSION}/namespaces/${ns}/analysistemplates` : `/apis/${GROUP}/${VERSION}/analysistemplates`,
        () =>
          ns
            ? api.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: 'analysistemplates' })
            : api.listCustomObjectForAllNamespaces({ group: GROUP, version: VERSION, resourcePlural: 'analysistemplates' }),
        (inf) => catalog.namespaced.push(inf),
      ),
    );
    starts.push(
      catalog.watch(
        `/apis/${GROUP}/${VERSION}/clusteranalysistemplates`,
        () => api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: 'clusteranalysistemplates' }),
        (inf) => (catalog.cluster = inf),
      ),
    );
    await Promise.all(starts);
    return catalog;
  }

  private async watch(path: string, list: () => Promise<unknown>, keep: (inf: CachedInformer) => void): Promise<void> {
    const informer = makeInformer<KubernetesObject>(this.opts.kubeConfig, path, list as never);
    const kept = keepInformerRunning(informer, {
      path,
      isStopped: () => this.stopped,
      ...(this.opts.onError ? { onError: this.opts.onError } : {}),
    });
    keep(informer);
    this.kept.push(kept);
    await kept.start();
  }

  /** Informers whose cache is not synced (list failed, or an error since), with the error. */
  unsynced(): { path: string; error: unknown }[] {
    return unsynced(this.kept);
  }

  template(namespace: string, name: string): AnalysisTemplate | undefined {
    for (const inf of this.namespaced) {
      const t = inf.get(name, namespace);
      if (t) return { ...(t as unknown as AnalysisTemplate), kind: 'AnalysisTemplate' };
    }
    return undefined;
  }

  clusterTemplate(name: string): AnalysisTemplate | undefined {
    const t = this.cluster?.get(name);
    return t ? { ...(t as unknown as AnalysisTemplate), kind: 'ClusterAnalysisTemplate' } : undefined;
  }

  /** Every template, for analysis_template_info / analysis_template_metric_info. */
  list(): AnalysisTemplate[] {
    const out: AnalysisTemplate[] = [];
    for (const inf of this.namespaced) for (const t of inf.list()) out.push({ ...(t as unknown as AnalysisTemplate), kind: 'AnalysisTemplate' });
    for (const t of this.cluster?.list() ?? []) out.push({ ...(t as unknown as AnalysisTemplate), kind: 'ClusterAnalysisTemplate' });
    return out;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.namespaced, ...(this.cluster ? [this.cluster] : [])].map((i) => i.stop()));
  }
}
