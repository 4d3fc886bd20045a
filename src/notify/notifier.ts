/**
 * Notifications wired to an engine: on each status write it plans the notifications the
 * transition calls for (payload.ts, pure) and adds them to the outbox; the dispatcher delivers
 * them on its own time. Adding is the only thing done on the engine's path, and its failure is
 * logged and counted, never thrown into a tick.
 */
import type { AnalysisRun, AnalysisRunStatus } from '../api/types.js';
import type { MeasurementTrace } from '../core/trace.js';
import type { Logger } from '../runtime/logger.js';
import type { Counter, MetricsRegistry } from '../observability/metrics-registry.js';
import type { NotifyConfig } from './config.js';
import { Dispatcher } from './dispatcher.js';
import type { Outbox } from './outbox.js';
import { plannedNotifications } from './payload.js';

interface NotifierOptions {
  config: NotifyConfig;
  /** Where planned notifications wait for delivery (composition/notifications.ts chooses it). */
  outbox: Outbox;
  log: Logger;
  registry?: MetricsRegistry;
  tracesOf: (key: string, metric: string) => readonly MeasurementTrace[];
  pollMs?: number;
}

export class Notifier {
  private constructor(
    private readonly opts: NotifierOptions,
    readonly outbox: Outbox,
    readonly dispatcher: Dispatcher,
    private readonly undeliverable: Counter | undefined,
  ) {}

  static async start(opts: NotifierOptions): Promise<Notifier> {
    const { outbox } = opts;
    const labels = ['destination'];
    const metrics = opts.registry
      ? {
          delivered: opts.registry.counter('assay_notifications_delivered_total', 'Notifications delivered, by destination.', labels),
          failedAttempts: opts.registry.counter('assay_notifications_failed_attempts_total', 'Notification delivery attempts that failed (retried or not).', labels),
          undeliverable: opts.registry.counter(
            'assay_notifications_undeliverable_total',
            'Notifications given up on (permanent error or attempts used up), kept in the dead list.',
            labels,
          ),
        }
      : undefined;
    const dispatcher = new Dispatcher({ outbox, config: opts.config, log: opts.log, ...(metrics ? { metrics } : {}), ...(opts.pollMs ? { pollMs: opts.pollMs } : {}) });
    dispatcher.start();
    return new Notifier(opts, outbox, dispatcher, metrics?.undeliverable);
  }

  /** Engine listener: call after a status write with the previous status. */
  onStatus(key: string, run: AnalysisRun, previous: AnalysisRunStatus | undefined, now = Date.now()): void {
    const planned = plannedNotifications(this.opts.config, run, previous, (metric) => this.opts.tracesOf(key, metric), now);
    for (const p of planned) {
      const body = JSON.stringify(p.body);
      for (const destination of p.destinations) {
        const item = { key: `${p.body.id}:${destination}`, destination, body, attempts: 0, nextAt: now };
        this.outbox.add(item).then(
          () => this.dispatcher.kick(),
          (err: unknown) => {
            this.undeliverable?.inc([destination]);
            this.opts.log.error({ err, run: key, destination, notification: item.key }, 'notification could not be queued (outbox unavailable)');
          },
        );
      }
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
    await this.outbox.close();
  }
}
