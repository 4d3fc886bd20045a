/**
 * Server-Sent Event streams of run changes (`GET /api/v1/events`, `GET /api/v1/runs/:ns/:name/events`).
 *
 *   event: status    data: {"key","phase","message","status"}   the current state first, then every change
 *   event: event     data: {"key","type","reason","message","time"}   Argo's events (MetricFailed, ...)
 *   event: deleted   data: {"key"}                              a per-run stream ends after this
 *   : heartbeat                                                 a comment, so proxies keep the stream open
 *
 * The subscription starts before the current state is read and buffers until it is sent, so a
 * change in between is never lost. A client that stops reading is cut off once its backlog passes
 * MAX_BACKLOG_BYTES rather than growing the server's memory.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { runKey, type RunKey, type RunStore } from '../store/run-store.js';
import { statusMessage, type EventHub, type HubMessage } from './event-hub.js';
import { ApiError } from './http.js';

const MAX_BACKLOG_BYTES = 1024 * 1024;

interface StreamFilter {
  /** One run: 404 when it does not exist; the stream ends when it is deleted. */
  key?: RunKey;
  /** All runs of one namespace. */
  namespace?: string;
}

export class SseStreams {
  private readonly open = new Set<ServerResponse>();

  constructor(
    private readonly hub: EventHub,
    private readonly store: RunStore,
    private readonly heartbeatMs: number,
  ) {}

  /** Number of connected clients (diagnostics, tests). */
  get size(): number {
    return this.open.size;
  }

  async stream(req: IncomingMessage, res: ServerResponse, filter: StreamFilter): Promise<void> {
    const matches = (m: HubMessage): boolean =>
      filter.key !== undefined ? m.key === filter.key : filter.namespace === undefined || m.key.startsWith(`${filter.namespace}/`);
    let live = false;
    const pending: HubMessage[] = [];
    const unsubscribe = this.hub.subscribe((m) => {
      if (!matches(m)) return;
      if (live) this.send(res, m, filter);
      else pending.push(m);
    });
    let heartbeat: NodeJS.Timeout | undefined;
    const cleanup = (): void => {
      unsubscribe();
      if (heartbeat) clearInterval(heartbeat);
      this.open.delete(res);
    };
    let initial;
    try {
      if (filter.key !== undefined) {
        const run = await this.store.get(filter.key);
        if (!run) throw new ApiError(404, `analysisrun "${filter.key}" not found`);
        initial = [run];
      } else {
        initial = (await this.store.list()).filter((r) => filter.namespace === undefined || (r.metadata.namespace ?? 'default') === filter.namespace);
      }
    } catch (err) {
      cleanup();
      throw err;
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // nginx buffers responses by default, which would hold events back until the buffer fills.
      'X-Accel-Buffering': 'no',
    });
    this.open.add(res);
    req.on('close', cleanup);
    res.on('close', cleanup);
    res.write(': assay event stream\n\n');
    for (const run of initial) this.write(res, 'status', statusMessage(runKey(run), run));
    const sent = new Set(initial.map((r) => JSON.stringify(r.status ?? null)));
    live = true;
    for (const m of pending) {
      // The snapshot may already include a change that was buffered while it was read.
      if (m.type === 'status' && sent.has(JSON.stringify(m.data.status))) continue;
      this.send(res, m, filter);
    }
    heartbeat = setInterval(() => this.comment(res, 'heartbeat'), this.heartbeatMs);
    heartbeat.unref();
  }

  /** End every stream (shutdown): clients see the stream close and may reconnect elsewhere. */
  closeAll(): void {
    for (const res of this.open) res.end();
    this.open.clear();
  }

  private send(res: ServerResponse, m: HubMessage, filter: StreamFilter): void {
    this.write(res, m.type, m.data);
    if (m.type === 'deleted' && filter.key !== undefined) res.end();
  }

  private write(res: ServerResponse, event: string, data: unknown): void {
    if (res.writableEnded || res.destroyed) return;
    if (res.writableLength > MAX_BACKLOG_BYTES) {
      res.destroy(new Error('event stream client is not reading'));
      return;
    }
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private comment(res: ServerResponse, text: string): void {
    if (!res.writableEnded && !res.destroyed) res.write(`: ${text}\n\n`);
  }
}
