/**
 * Shared pieces for the `assay serve` integration tests: a local metric endpoint answering JSON,
 * a templates directory pointing at it, an SSE client that records what it receives, a log
 * capture, and small HTTP helpers. Everything listens on 127.0.0.1 with port 0.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import { createLogger, type Logger } from '../../../src/runtime/logger.js';
import { sendJson, startHttpServer, type TestHttpServer } from '../../support/http-server.js';

/** A metric backend: `GET /<anything>` answers `{"value": <current>}`. */
export async function startMetricEndpoint(value = 0.97): Promise<TestHttpServer & { set(v: number): void }> {
  let current = value;
  const server = await startHttpServer((_req, res) => sendJson(res, 200, { value: current }));
  return Object.assign(server, { set: (v: number) => void (current = v) });
}

/** Templates used by the tests; all measure the metric endpoint with the web provider. */
export function templatesYaml(metricUrl: string): string {
  const metric = (name: string, extra: string) => `
  - name: ${name}
    interval: 200ms${extra}
    successCondition: result > 0.9
    provider:
      web:
        url: ${metricUrl}/{{args.path}}
        jsonPath: "{$.value}"`;
  return `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: web-ok
spec:
  args:
  - name: path
    value: availability
  metrics:${metric('availability', '\n    count: 3')}
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: web-forever
spec:
  args:
  - name: path
    value: availability
  metrics:${metric('availability', '')}
---
apiVersion: argoproj.io/v1alpha1
kind: ClusterAnalysisTemplate
metadata:
  name: web-cluster
spec:
  args:
  - name: path
  metrics:${metric('latency', '\n    count: 1')}
`;
}

export async function templatesDir(metricUrl: string): Promise<{ dir: string; write(file: string, text: string): Promise<void>; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'assay-serve-templates-'));
  await writeFile(join(dir, 'templates.yaml'), templatesYaml(metricUrl));
  return {
    dir,
    write: (file, text) => writeFile(join(dir, file), text),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A logger whose lines are kept in memory (parsed), for assertions on what gets logged. */
export function captureLogger(level = 'debug'): { logger: Logger; lines: string[]; records(): Array<Record<string, unknown>> } {
  const lines: string[] = [];
  const destination: DestinationStream = { write: (s: string) => void lines.push(s) };
  const logger = createLogger({ level, destination });
  return { logger, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

export interface SseClient {
  status: number;
  events: SseEvent[];
  comments: string[];
  /** Resolves with the first event (already received or future) matching `pred`. */
  waitFor(pred: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      const events: SseEvent[] = [];
      const comments: string[] = [];
      const waiters: Array<{ pred: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }> = [];
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length === 0) continue;
          const e = { event, data: JSON.parse(data.join('\n')) as Record<string, unknown> };
          events.push(e);
          for (const w of [...waiters]) {
            if (w.pred(e)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(e);
            }
          }
        }
      });
      const ended = new Promise<void>((r) => res.on('close', () => r()));
      resolve({
        status: res.statusCode ?? 0,
        events,
        comments,
        ended,
        waitFor: (pred, timeoutMs = 5000) => {
          const found = events.find(pred);
          if (found) return Promise.resolve(found);
          return new Promise((res2, rej2) => {
            const timer = setTimeout(() => rej2(new Error(`no matching SSE event within ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => [e.event, e.data.phase ?? e.data.reason]))}`)), timeoutMs);
            waiters.push({ pred, resolve: (e) => (clearTimeout(timer), res2(e)) });
          });
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}

export async function json(res: Response): Promise<Record<string, any>> {
  return (await res.json()) as Record<string, any>;
}

export function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

export async function waitUntil<T>(probe: () => Promise<T | undefined>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Poll a run until it has one of the given phases; returns the run. */
export function waitForPhase(baseUrl: string, key: string, phases: string[], timeoutMs = 5000, headers: Record<string, string> = {}): Promise<Record<string, any>> {
  return waitUntil(async () => {
    const res = await fetch(`${baseUrl}/api/v1/runs/${key}`, { headers });
    if (res.status !== 200) return undefined;
    const run = await json(res);
    return phases.includes(run.status?.phase) ? run : undefined;
  }, timeoutMs, `run ${key} to reach ${phases.join('/')}`);
}
