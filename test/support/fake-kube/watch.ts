// One watch connection, behaving like the apiserver's watch cache (cacher.go / cache_watcher.go):
// newline-delimited JSON events over a chunked 200 response, selector-aware ADDED/DELETED
// translation, bookmarks, resume from a resourceVersion, and 410/504 as in-stream ERROR events.
import type { ServerResponse } from 'node:http';
import { expired, tooLargeResourceVersion, type StatusError } from './errors.js';
import { bookmarkObject, present, toTable } from './render.js';
import type { FieldSelector, LabelSelector } from './selectors.js';
import type { Store, StoreWatcher } from './store.js';
import type { KubeObject, ResourceType, StoreEvent } from './types.js';

export interface WatchParams {
  type: ResourceType;
  namespace?: string;
  name?: string;
  label: LabelSelector;
  field: FieldSelector;
  /** The raw resourceVersion query parameter. */
  resourceVersion?: string;
  allowBookmarks: boolean;
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
  bookmarkIntervalMs: number;
  /** kubectl get -w asks for server-side printing: each event then carries a one-row Table. */
  table: boolean;
}

export class WatchStream implements StoreWatcher {
  private timers: NodeJS.Timeout[] = [];
  private closed = false;
  private preDeadlineSent = false;
  private readonly deadline?: number;

  constructor(
    private readonly res: ServerResponse,
    private readonly store: Store,
    readonly params: WatchParams,
    private readonly onClose: (w: WatchStream) => void,
  ) {
    if (params.timeoutSeconds && params.timeoutSeconds > 0) this.deadline = Date.now() + params.timeoutSeconds * 1000;
    res.on('close', () => this.cleanup());
  }

  /** Sends the head right away: clients (client-node 1.x informers) block until they see it. */
  start(): void {
    const p = this.params;
    this.res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    this.res.flushHeaders();
    const rvParam = p.resourceVersion ?? '';
    if (rvParam === '' || rvParam === '0') {
      // "Get state and start at most recent": synthetic ADDED for everything that matches now.
      if (p.sendInitialEvents !== false) {
        for (const o of this.store.list(p.type, p.namespace)) if (this.matches(o)) this.write('ADDED', o);
      }
      if (p.sendInitialEvents === true && p.allowBookmarks) {
        this.write('BOOKMARK', bookmarkObject(p.type, this.store.currentRv(), { 'k8s.io/initial-events-end': 'true' }));
      }
    } else {
      const rv = Number(rvParam);
      const current = this.store.currentRv();
      if (rv > current) return this.fail(tooLargeResourceVersion(rv, current));
      const events = this.store.eventsSince(p.type, rv);
      if (!events) return this.fail(expired(`too old resource version: ${rv} (${this.store.floor(p.type)})`));
      for (const ev of events) this.deliver(ev);
    }
    this.store.addWatcher(p.type, this);
    if (this.deadline !== undefined) this.timers.push(setTimeout(() => this.end(), this.deadline - Date.now()));
    this.scheduleBookmark();
  }

  private matches(o: KubeObject): boolean {
    const p = this.params;
    if (p.namespace && o.metadata.namespace !== p.namespace) return false;
    if (p.name !== undefined && o.metadata.name !== p.name) return false;
    return p.label.matches(o.metadata.labels) && p.field.matches(o);
  }

  /** An object entering the selection is ADDED, leaving it is DELETED (with its previous content). */
  deliver(ev: StoreEvent): void {
    if (this.closed) return;
    const curPasses = ev.type !== 'DELETED' && this.matches(ev.object);
    const oldPasses = ev.prev !== undefined && this.matches(ev.prev);
    if (curPasses && !oldPasses) this.write('ADDED', ev.object);
    else if (curPasses && oldPasses) this.write('MODIFIED', ev.object);
    else if (!curPasses && oldPasses && ev.prev) {
      const gone = { ...ev.prev, metadata: { ...ev.prev.metadata, resourceVersion: String(ev.rv) } };
      this.write('DELETED', gone);
    }
  }

  /** A BOOKMARK at the current revision; only for watchers that asked with allowWatchBookmarks. */
  sendBookmark(): void {
    if (!this.closed && this.params.allowBookmarks) this.write('BOOKMARK', bookmarkObject(this.params.type, this.store.currentRv()));
  }

  /**
   * The cacher's cadence: every bookmark interval, but no later than 2 s before the deadline so the
   * client holds a fresh resourceVersion when the server ends the watch.
   */
  private scheduleBookmark(): void {
    if (!this.params.allowBookmarks || this.closed) return;
    const now = Date.now();
    let at = now + this.params.bookmarkIntervalMs;
    let preDeadline = false;
    if (this.deadline !== undefined && !this.preDeadlineSent && this.deadline - 2000 < at) {
      at = this.deadline - 2000;
      preDeadline = true;
    }
    if (at < now) return;
    this.timers.push(
      setTimeout(() => {
        if (preDeadline) this.preDeadlineSent = true;
        this.sendBookmark();
        this.scheduleBookmark();
      }, at - now),
    );
  }

  private write(type: string, object: KubeObject): void {
    const t = this.params.type;
    let o: unknown = object;
    if (type !== 'BOOKMARK') o = this.params.table ? toTable(t, [object], { resourceVersion: object.metadata.resourceVersion }) : present(t, object);
    this.res.write(`${JSON.stringify({ type, object: o })}\n`);
  }

  /** Errors found after the stream started travel as an ERROR event carrying a Status, then EOF. */
  private fail(err: StatusError): void {
    this.res.write(`${JSON.stringify({ type: 'ERROR', object: err.toStatus() })}\n`);
    this.end();
  }

  /** Clean end of stream, as when the server-side timeout expires. */
  end(): void {
    if (this.closed) return;
    this.cleanup();
    this.res.end();
  }

  /** Connection reset without a final chunk, as when a server or proxy dies. */
  destroy(): void {
    if (this.closed) return;
    this.cleanup();
    this.res.socket?.destroy();
    this.res.destroy();
  }

  private cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    this.store.removeWatcher(this.params.type, this);
    this.onClose(this);
  }
}
