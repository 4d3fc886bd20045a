/**
 * Argo's AnalysisRun events (AnalysisRun<Phase>, Metric<Phase>) as core/v1 Events on the run,
 * so `kubectl describe ar` shows what happened. Best effort: an event that cannot be written is
 * reported to `onError` and never blocks a verdict.
 */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { AnalysisRun } from '../api/types.js';
import type { AnalysisEvent } from '../core/assess.js';
import { formatTime } from '../core/time.js';

export class KubeEventRecorder {
  private readonly api: CoreV1Api;
  private seq = 0;

  constructor(
    kubeConfig: KubeConfig,
    private readonly component: string,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {
    this.api = kubeConfig.makeApiClient(CoreV1Api);
  }

  async record(run: AnalysisRun, events: readonly AnalysisEvent[], now: number): Promise<void> {
    const namespace = run.metadata.namespace ?? 'default';
    for (const e of events) {
      const time = formatTime(now);
      try {
        await this.api.createNamespacedEvent({
          namespace,
          body: {
            metadata: { name: `${run.metadata.name}.${now.toString(16)}${(this.seq++).toString(16)}`, namespace },
            involvedObject: {
              apiVersion: run.apiVersion,
              kind: 'AnalysisRun',
              name: run.metadata.name ?? '',
              namespace,
              ...(run.metadata.uid ? { uid: run.metadata.uid } : {}),
              ...(run.metadata.resourceVersion ? { resourceVersion: run.metadata.resourceVersion } : {}),
            },
            reason: e.reason,
            message: e.message,
            type: e.type,
            source: { component: this.component },
            firstTimestamp: new Date(time),
            lastTimestamp: new Date(time),
            count: 1,
          },
        });
      } catch (err) {
        this.onError(err);
      }
    }
  }
}
