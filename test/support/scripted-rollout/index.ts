/**
 * A scripted Argo Rollouts controller for ONE Blue/Green Rollout, for end-to-end tests of assay's
 * controller. It plays Argo's side as docs/reference §9 describes (`rollout/bluegreen.go`,
 * `rollout/analysis.go`, `rollout/service.go`), through the real @kubernetes/client-node, against
 * whatever API server the KubeConfig points at:
 *
 *  - points the preview Service at the new ReplicaSet's pod-template hash;
 *  - once the new ReplicaSet is saturated, creates `<rollout>-<newHash>-<revision>-pre` from
 *    `prePromotionAnalysis` the way Argo's NewAnalysisRunFromTemplates does (labels, revision
 *    annotation, controller ownerReference, args converted from the Rollout, `podTemplateHashValue`);
 *  - reads ONLY `status.phase` and `status.message` of its runs: "", Pending and Running wait;
 *    Successful promotes (the active Service selector `rollouts-pod-template-hash` switches to the
 *    new hash); Inconclusive adds the pause condition `InconclusiveAnalysisRun` and does nothing
 *    else; Failed/Error abort (`Blue/green pre-promotion analysis phase error/failed: <msg>`) with the
 *    active Service left on (or put back to) `status.stableRS`;
 *  - after promotion creates `...-post` from `postPromotionAnalysis`: Successful makes the new
 *    ReplicaSet stable ("Completed blue-green update"); Failed/Error abort and switch the active
 *    Service back to `status.stableRS`;
 *  - when done (fully promoted or aborted) sets `spec.terminate: true` with a JSON merge patch on the
 *    current runs that are not completed and not already terminating.
 *
 * It is re-run (one pass at a time) on Rollout events and on AnalysisRun events that change a run's
 * `status.phase`, as Argo only re-enqueues the Rollout when the phase changed. Each pass reads
 * fresh state from the API server. Everything it does is recorded with wall-clock times in
 * `timeline`.
 *
 * Not modelled (refused or ignored): `autoPromotionEnabled: false` / `autoPromotionSeconds`
 * (refused), `previewReplicaCount`, scale-down of ReplicaSets (abortScaleDownDelaySeconds),
 * `fieldRef` args, `retry`, run history GC, and several revisions (one update, stable -> new).
 */
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type Informer,
  type KubeConfig,
  type KubernetesObject,
  type ObjectCache,
  type V1ReplicaSet,
} from '@kubernetes/client-node';
import type { AnalysisRun, AnalysisTemplate, AnalysisTemplateRef, Argument, DryRun, MeasurementRetention } from '../../../src/api/types.js';
import { analysisRunSpecFromTemplates, type TemplateLookup } from '../../../src/core/templates.js';

const GROUP = 'argoproj.io';
const VERSION = 'v1alpha1';
const HASH_LABEL = 'rollouts-pod-template-hash';
const REVISION_ANNOTATION = 'rollout.argoproj.io/revision';
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
// Argo switches Service selectors with a strategic merge patch (rollout/service.go switchServiceSelector).
const STRATEGIC = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
const COMPLETED = new Set(['Successful', 'Failed', 'Error', 'Inconclusive']);

/** A Rollout's analysis argument (AnalysisRunArgument). */
export interface RolloutAnalysisArgument {
  name: string;
  value?: string;
  valueFrom?: { podTemplateHashValue?: 'Stable' | 'Latest'; fieldRef?: { fieldPath: string } };
}

/** RolloutAnalysis: templates + args (+ dryRun, measurementRetention, analysisRunMetadata). */
export interface RolloutAnalysis {
  templates?: AnalysisTemplateRef[];
  args?: RolloutAnalysisArgument[];
  dryRun?: DryRun[];
  measurementRetention?: MeasurementRetention[];
  analysisRunMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
}

export interface BlueGreenStrategy {
  activeService: string;
  previewService?: string;
  autoPromotionEnabled?: boolean;
  autoPromotionSeconds?: number;
  prePromotionAnalysis?: RolloutAnalysis;
  postPromotionAnalysis?: RolloutAnalysis;
}

export interface PauseCondition {
  reason: string;
  startTime: string;
}

export interface RolloutAnalysisRunStatus {
  name: string;
  status: string;
  message?: string;
}

/** The parts of a Rollout this script reads and writes. */
export interface Rollout extends KubernetesObject {
  metadata: { name?: string; namespace?: string; uid?: string; labels?: Record<string, string>; [k: string]: unknown };
  spec: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    template?: unknown;
    strategy: { blueGreen?: BlueGreenStrategy; canary?: unknown };
    [k: string]: unknown;
  };
  status?: {
    stableRS?: string;
    currentPodHash?: string;
    abort?: boolean;
    abortedAt?: string;
    controllerPause?: boolean;
    pauseConditions?: PauseCondition[];
    phase?: string;
    message?: string;
    conditions?: { type: string; status: string; reason: string; message: string; lastTransitionTime: string; lastUpdateTime: string }[];
    blueGreen?: {
      activeSelector?: string;
      previewSelector?: string;
      prePromotionAnalysisRunStatus?: RolloutAnalysisRunStatus;
      postPromotionAnalysisRunStatus?: RolloutAnalysisRunStatus;
    };
    [k: string]: unknown;
  };
}

export type TimelineAction =
  | 'initialized'
  | 'preview-switched'
  | 'analysisrun-created'
  | 'analysisrun-phase'
  | 'promoted'
  | 'paused'
  | 'aborted'
  | 'active-reverted'
  | 'terminate-requested'
  | 'completed'
  | 'error';

export interface TimelineEntry {
  /** Wall clock (Date.now()) when the action was done or observed. */
  at: number;
  action: TimelineAction;
  /** AnalysisRun name, when the action concerns one. */
  run?: string;
  /** Active/preview selector hash for service actions. */
  hash?: string;
  /** Run phase (analysisrun-phase) or the message written (aborted, completed, error). */
  phase?: string;
  message?: string;
  /** The spec the run was created with (analysisrun-created). */
  spec?: AnalysisRun['spec'];
}

export interface ScriptedRolloutOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** The Rollout's name (it must exist, with spec.strategy.blueGreen). */
  rollout: string;
  /** The stable ReplicaSet (the revision being replaced) and the new one; hashes come from their labels. */
  stableReplicaSet: string;
  newReplicaSet: string;
  /**
   * Runs right after the active Service was switched to the new hash, before the post-promotion
   * run is created: from this moment production traffic reaches the new pods.
   */
  onPromoted?: (newHash: string) => Promise<void> | void;
}

type Phase = string | undefined;

export class ScriptedBlueGreenRollout {
  readonly timeline: TimelineEntry[] = [];
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly informers: (Informer<KubernetesObject> & ObjectCache<KubernetesObject>)[] = [];
  private readonly seenPhase = new Map<string, Phase>();
  private readonly reportedPhase = new Map<string, Phase>();
  private stableHash = '';
  private newHash = '';
  private revision = '';
  private dirty = false;
  private running: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private waiters: (() => void)[] = [];

  constructor(private readonly opts: ScriptedRolloutOptions) {
    this.custom = opts.kubeConfig.makeApiClient(CustomObjectsApi);
    this.core = opts.kubeConfig.makeApiClient(CoreV1Api);
    this.apps = opts.kubeConfig.makeApiClient(AppsV1Api);
  }

  get hashes(): { stable: string; new: string; revision: string } {
    return { stable: this.stableHash, new: this.newHash, revision: this.revision };
  }

  /** `<rollout>-<newHash>-<revision>-pre|post`: Argo's names for this revision's runs. */
  runName(kind: 'pre' | 'post'): string {
    return `${this.opts.rollout}-${this.newHash}-${this.revision}-${kind}`;
  }

  /** Read the ReplicaSets, start watching, and reconcile once. */
  async start(): Promise<void> {
    const { namespace } = this.opts;
    const [stable, next] = await Promise.all([
      this.apps.readNamespacedReplicaSet({ namespace, name: this.opts.stableReplicaSet }),
      this.apps.readNamespacedReplicaSet({ namespace, name: this.opts.newReplicaSet }),
    ]);
    this.stableHash = hashOf(stable);
    this.newHash = hashOf(next);
    this.revision = next.metadata?.annotations?.[REVISION_ANNOTATION] ?? '';
    if (!this.revision) throw new Error(`ReplicaSet ${this.opts.newReplicaSet} has no ${REVISION_ANNOTATION} annotation`);
    const ro = await this.getRollout();
    const bg = ro.spec.strategy.blueGreen;
    if (!bg) throw new Error(`Rollout ${this.opts.rollout} has no spec.strategy.blueGreen`);
    if (bg.autoPromotionEnabled === false || bg.autoPromotionSeconds !== undefined) {
      throw new Error('scripted rollout: autoPromotionEnabled=false / autoPromotionSeconds are not modelled');
    }
    // The previous revision completed earlier: it is the stable one, the active Service on it.
    if (!ro.status?.stableRS) {
      await this.patchStatus({
        stableRS: this.stableHash,
        currentPodHash: this.newHash,
        phase: 'Progressing',
        blueGreen: { activeSelector: this.stableHash },
      });
      this.record({ action: 'initialized', hash: this.stableHash });
    }
    const watch = (plural: string) => {
      const path = `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${plural}`;
      const informer = makeInformer<KubernetesObject>(this.opts.kubeConfig, path, (() =>
        this.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural })) as never);
      this.informers.push(informer);
      return informer;
    };
    const runs = watch('analysisruns');
    const onRun = (obj: KubernetesObject) => {
      const run = obj as unknown as AnalysisRun;
      if (!run.metadata.ownerReferences?.some((o) => o.kind === 'Rollout' && o.name === this.opts.rollout)) return;
      // Argo re-enqueues the Rollout on an AnalysisRun update only when status.phase changed.
      const name = run.metadata.name ?? '';
      const phase = run.status?.phase;
      if (this.seenPhase.has(name) && this.seenPhase.get(name) === phase) return;
      this.seenPhase.set(name, phase);
      this.kick();
    };
    runs.on('add', onRun);
    runs.on('update', onRun);
    runs.on('delete', () => this.kick());
    const rollouts = watch('rollouts');
    const onRollout = (obj: KubernetesObject) => {
      if (obj.metadata?.name === this.opts.rollout) this.kick();
    };
    rollouts.on('add', onRollout);
    rollouts.on('update', onRollout);
    for (const i of this.informers) i.on('error', (err) => this.record({ action: 'error', message: `informer: ${String(err)}` }));
    await Promise.all(this.informers.map((i) => i.start()));
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await Promise.all(this.informers.map((i) => i.stop()));
    await this.running;
  }

  /** What a user does with `kubectl argo rollouts abort`: status.abort = true on the Rollout. */
  async userAbort(): Promise<void> {
    await this.patchStatus({ abort: true, abortedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z') });
  }

  /** First timeline entry matching `pred`, waiting for it up to `timeoutMs`. */
  async waitFor(pred: (e: TimelineEntry) => boolean, what: string, timeoutMs = 15_000): Promise<TimelineEntry> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.timeline.find(pred);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`scripted rollout: timed out waiting for ${what}; timeline:\n${this.describe()}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The timeline as text, times relative to the first entry. */
  describe(): string {
    const t0 = this.timeline[0]?.at ?? 0;
    return this.timeline
      .map((e) => {
        const { at, action, spec: _spec, ...rest } = e;
        return `  +${String(at - t0).padStart(5)} ms ${action} ${JSON.stringify(rest)}`;
      })
      .join('\n');
  }

  // --- the reconcile loop ------------------------------------------------------------------

  private kick(): void {
    if (this.stopped) return;
    this.dirty = true;
    this.running ??= this.loop().finally(() => (this.running = undefined));
  }

  private async loop(): Promise<void> {
    while (this.dirty && !this.stopped) {
      this.dirty = false;
      try {
        await this.reconcile();
      } catch (err) {
        this.record({ action: 'error', message: err instanceof ApiException ? `${err.code} ${String(err.body)}` : String(err) });
        if (this.retryTimer) clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.kick(), 200);
      }
    }
  }

  private async reconcile(): Promise<void> {
    const ro = await this.getRollout();
    const bg = ro.spec.strategy.blueGreen!;
    const status = ro.status ?? {};
    const stableRS = status.stableRS ?? this.stableHash;
    const [active, preview] = await Promise.all([this.serviceHash(bg.activeService), bg.previewService ? this.serviceHash(bg.previewService) : undefined]);

    // reconcilePreviewService: the preview Service selects the new pods (while not aborted).
    if (bg.previewService && !status.abort && preview !== this.newHash) {
      await this.switchSelector(bg.previewService, this.newHash);
      await this.patchStatus({ blueGreen: { previewSelector: this.newHash } });
      this.record({ action: 'preview-switched', hash: this.newHash });
    }

    // Aborted (by analysis or by a user): the active Service goes back to the stable RS and the
    // current runs are cancelled (isAborted -> shouldCancelCurrentAnalysis).
    if (status.abort) {
      if (active !== stableRS) {
        await this.switchSelector(bg.activeService, stableRS);
        await this.patchStatus({ blueGreen: { activeSelector: stableRS } });
        this.record({ action: 'active-reverted', hash: stableRS });
      }
      await this.terminateCurrentRuns();
      return;
    }
    // Fully promoted: nothing left but cancelling whatever still runs.
    if (stableRS === this.newHash) {
      await this.terminateCurrentRuns();
      return;
    }

    let activeHash = active;
    if (activeHash !== this.newHash) {
      // reconcilePrePromotionAnalysisRun
      const pre = bg.prePromotionAnalysis;
      if (pre?.templates?.length) {
        if (!(await this.saturated())) return;
        if (hasPause(status, 'InconclusiveAnalysisRun')) return;
        const run = await this.currentRun(ro, 'pre', pre);
        if (!run) return;
        const verdict = await this.consume(ro, run, 'pre');
        if (verdict !== 'Successful') return;
      }
      // Promotion (auto-promotion): switch the active Service to the new pods.
      await this.switchSelector(bg.activeService, this.newHash);
      await this.patchStatus({ blueGreen: { activeSelector: this.newHash } });
      activeHash = this.newHash;
      this.record({ action: 'promoted', hash: this.newHash });
      await this.opts.onPromoted?.(this.newHash);
    }

    if (activeHash === this.newHash) {
      // reconcilePostPromotionAnalysisRun
      const post = bg.postPromotionAnalysis;
      if (post?.templates?.length) {
        if (hasPause(status, 'InconclusiveAnalysisRun')) return;
        const run = await this.currentRun(ro, 'post', post);
        if (!run) return;
        const verdict = await this.consume(ro, run, 'post');
        if (verdict !== 'Successful') return;
      }
      // shouldFullPromote: the new RS becomes stable.
      const message = `Rollout completed update to revision ${this.revision} (${this.newHash}): Completed blue-green update`;
      await this.patchStatus({
        stableRS: this.newHash,
        phase: 'Healthy',
        message: '',
        conditions: [condition('Completed', 'True', 'RolloutCompleted', message)],
      });
      this.record({ action: 'completed', message });
      await this.terminateCurrentRuns();
    }
  }

  /**
   * setPauseOrAbortForBlueGreen: copies the run's phase/message into the Rollout status and acts
   * on a completed phase. Returns the phase.
   */
  private async consume(ro: Rollout, run: AnalysisRun, kind: 'pre' | 'post'): Promise<Phase> {
    const name = run.metadata.name ?? '';
    const phase = run.status?.phase ?? '';
    const message = run.status?.message ?? '';
    if (this.reportedPhase.get(name) !== phase) {
      this.reportedPhase.set(name, phase);
      this.record({ action: 'analysisrun-phase', run: name, phase, ...(message ? { message } : {}) });
    }
    const field = kind === 'pre' ? 'prePromotionAnalysisRunStatus' : 'postPromotionAnalysisRunStatus';
    const current = ro.status?.blueGreen?.[field];
    if (current?.name !== name || current.status !== phase || (current.message ?? '') !== message) {
      await this.patchStatus({ blueGreen: { [field]: { name, status: phase, ...(message ? { message } : {}) } } });
    }
    if (phase === 'Inconclusive') {
      await this.patchStatus({
        controllerPause: true,
        pauseConditions: [{ reason: 'InconclusiveAnalysisRun', startTime: now() }],
        phase: 'Paused',
        message: 'InconclusiveAnalysisRun',
      });
      this.record({ action: 'paused', run: name, message: 'InconclusiveAnalysisRun' });
    } else if (phase === 'Failed' || phase === 'Error') {
      const which = kind === 'pre' ? 'pre-promotion' : 'post-promotion';
      const abortMessage = `Blue/green ${which} analysis phase error/failed${message ? `: ${message}` : ''}`;
      const conditionMessage = `Rollout aborted update to revision ${this.revision}: ${abortMessage}`;
      await this.patchStatus({
        abort: true,
        abortedAt: now(),
        phase: 'Degraded',
        message: `RolloutAborted: ${conditionMessage}`,
        conditions: [condition('Progressing', 'False', 'RolloutAborted', conditionMessage)],
      });
      this.record({ action: 'aborted', run: name, message: abortMessage });
      // The abort re-enqueues the Rollout (a status update), whose next pass reverts the active
      // Service and cancels the current runs; do it now rather than wait for the watch event.
      this.dirty = true;
    }
    return phase;
  }

  /** The current run of this revision, created as Argo creates it when there is none. */
  private async currentRun(ro: Rollout, kind: 'pre' | 'post', analysis: RolloutAnalysis): Promise<AnalysisRun | undefined> {
    const name = this.runName(kind);
    const existing = await this.getRun(name);
    if (existing) return existing;
    await this.createRun(ro, kind, analysis);
    return undefined; // the informer brings it back (phase "")
  }

  private async createRun(ro: Rollout, kind: 'pre' | 'post', analysis: RolloutAnalysis): Promise<void> {
    const { namespace } = this.opts;
    const name = this.runName(kind);
    const lookup = await this.templateLookup();
    const spec = analysisRunSpecFromTemplates(
      {
        namespace,
        templates: analysis.templates ?? [],
        args: this.buildArguments(analysis.args ?? []),
        ...(analysis.dryRun ? { dryRun: analysis.dryRun } : {}),
        ...(analysis.measurementRetention ? { measurementRetention: analysis.measurementRetention } : {}),
      },
      lookup,
    );
    if (!spec.ok) throw new Error(`cannot build ${name}: ${spec.error}`);
    const body: AnalysisRun = {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'AnalysisRun',
      metadata: {
        name,
        namespace,
        labels: {
          ...(ro.spec.selector?.matchLabels ?? {}),
          ...(analysis.analysisRunMetadata?.labels ?? {}),
          [HASH_LABEL]: this.newHash,
          'rollout-type': kind === 'pre' ? 'PrePromotion' : 'PostPromotion',
        },
        annotations: { ...(analysis.analysisRunMetadata?.annotations ?? {}), [REVISION_ANNOTATION]: this.revision },
        ownerReferences: [
          { apiVersion: `${GROUP}/${VERSION}`, kind: 'Rollout', name: ro.metadata.name ?? '', uid: ro.metadata.uid ?? '', controller: true, blockOwnerDeletion: true },
        ],
      },
      spec: spec.value,
    };
    const created = (await this.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: 'analysisruns', body })) as AnalysisRun;
    this.record({ action: 'analysisrun-created', run: name, spec: structuredClone(created.spec) });
  }

  /** BuildArgumentsForRolloutAnalysisRun: every Rollout arg becomes {name, value}. */
  private buildArguments(args: readonly RolloutAnalysisArgument[]): Argument[] {
    return args.map((arg) => {
      let value = arg.value ?? '';
      const from = arg.valueFrom;
      if (from?.podTemplateHashValue === 'Latest') value = this.newHash;
      else if (from?.podTemplateHashValue === 'Stable') value = this.stableHash;
      else if (from?.fieldRef) throw new Error('scripted rollout: fieldRef args are not modelled');
      return { name: arg.name, value };
    });
  }

  private async templateLookup(): Promise<TemplateLookup> {
    const { namespace } = this.opts;
    const [ns, cluster] = await Promise.all([
      this.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: 'analysistemplates' }),
      this.custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: 'clusteranalysistemplates' }),
    ]);
    const templates = (ns as { items: AnalysisTemplate[] }).items;
    const clusterTemplates = (cluster as { items: AnalysisTemplate[] }).items;
    return {
      template: (n, name) => templates.find((t) => t.metadata.namespace === n && t.metadata.name === name),
      clusterTemplate: (name) => clusterTemplates.find((t) => t.metadata.name === name),
    };
  }

  /** spec.terminate = true on this revision's runs that are neither completed nor terminating. */
  private async terminateCurrentRuns(): Promise<void> {
    for (const kind of ['pre', 'post'] as const) {
      const name = this.runName(kind);
      const run = await this.getRun(name);
      if (!run || COMPLETED.has(run.status?.phase ?? '') || run.spec.terminate) continue;
      await this.custom.patchNamespacedCustomObject(
        { group: GROUP, version: VERSION, namespace: this.opts.namespace, plural: 'analysisruns', name, body: { spec: { terminate: true } } },
        MERGE,
      );
      this.record({ action: 'terminate-requested', run: name });
    }
  }

  /** The new ReplicaSet is saturated: all its desired replicas are available. */
  private async saturated(): Promise<boolean> {
    const rs = await this.apps.readNamespacedReplicaSet({ namespace: this.opts.namespace, name: this.opts.newReplicaSet });
    const desired = rs.spec?.replicas ?? 1;
    return (rs.status?.availableReplicas ?? 0) >= desired && (rs.status?.replicas ?? 0) === desired;
  }

  // --- API helpers ---------------------------------------------------------------------------

  private async getRollout(): Promise<Rollout> {
    return (await this.custom.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: this.opts.namespace,
      plural: 'rollouts',
      name: this.opts.rollout,
    })) as Rollout;
  }

  private async getRun(name: string): Promise<AnalysisRun | undefined> {
    try {
      return (await this.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: this.opts.namespace, plural: 'analysisruns', name })) as AnalysisRun;
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return undefined;
      throw err;
    }
  }

  private async serviceHash(name: string): Promise<string | undefined> {
    const svc = await this.core.readNamespacedService({ namespace: this.opts.namespace, name });
    return svc.spec?.selector?.[HASH_LABEL];
  }

  private async switchSelector(service: string, hash: string): Promise<void> {
    await this.core.patchNamespacedService({ namespace: this.opts.namespace, name: service, body: { spec: { selector: { [HASH_LABEL]: hash } } } }, STRATEGIC);
  }

  /** Rollout status is written through its status subresource, with a JSON merge patch. */
  private async patchStatus(status: NonNullable<Rollout['status']>): Promise<void> {
    await this.custom.patchNamespacedCustomObjectStatus(
      { group: GROUP, version: VERSION, namespace: this.opts.namespace, plural: 'rollouts', name: this.opts.rollout, body: { status } },
      MERGE,
    );
  }

  private record(e: Omit<TimelineEntry, 'at'>): void {
    this.timeline.push({ at: Date.now(), ...e });
    for (const w of this.waiters.splice(0)) w();
  }
}

function hashOf(rs: V1ReplicaSet): string {
  const h = rs.metadata?.labels?.[HASH_LABEL];
  if (!h) throw new Error(`ReplicaSet ${rs.metadata?.name ?? ''} has no ${HASH_LABEL} label`);
  return h;
}

function hasPause(status: NonNullable<Rollout['status']>, reason: string): boolean {
  return (status.pauseConditions ?? []).some((p) => p.reason === reason);
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

function condition(type: string, status: string, reason: string, message: string) {
  const t = now();
  return { type, status, reason, message, lastTransitionTime: t, lastUpdateTime: t };
}
