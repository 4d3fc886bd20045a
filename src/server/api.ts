/**
 * The `/api/v1` handlers. Each takes the parsed request and either answers or throws an ApiError;
 * routing, authentication and logging are the server's (server.ts).
 *
 *   POST   /api/v1/runs                               create (201) from templates or a manifest
 *   GET    /api/v1/runs[?namespace=&phase=]            list summaries
 *   GET    /api/v1/runs/:namespace/:name               the full AnalysisRun, status included
 *   POST   /api/v1/runs/:namespace/:name/terminate     spec.terminate = true (202)
 *   DELETE /api/v1/runs/:namespace/:name               delete (204)
 *   GET    /api/v1/runs/:namespace/:name/events        SSE stream of one run
 *   GET    /api/v1/events[?namespace=]                 SSE stream of every run
 *   GET    /api/v1/templates                           the loaded templates
 *   POST   /api/v1/templates/reload                    reload them (200, or 422 keeping the old set)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isCompleted, type Phase } from '../api/phase.js';
import type { AnalysisRun } from '../api/types.js';
import type { Logger } from '../runtime/logger.js';
import type { Engine } from '../runtime/engine.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import { RunExistsError, runKey, type RunKey, type RunStore } from '../store/run-store.js';
import { ApiError, readJson, sendJson } from './http.js';
import { nameSchema, namespaceSchema, newRunFromBody } from './run-body.js';
import type { SseStreams } from './sse.js';
import type { ReloadResult, TemplateCatalog } from './template-catalog.js';

export interface RunSummary {
  namespace: string;
  name: string;
  phase: string;
  message: string;
  startedAt: string | null;
  completedAt: string | null;
}

const PHASES: readonly Phase[] = ['Pending', 'Running', 'Successful', 'Failed', 'Error', 'Inconclusive'];

interface ApiDeps {
  engine: Engine;
  store: RunStore;
  scheduler: Scheduler;
  catalog: TemplateCatalog;
  sse: SseStreams;
  log: Logger;
  /** A run was deleted through the API (drop its per-run metrics). */
  onDeleted: (key: RunKey) => void;
}

export function summarize(run: AnalysisRun): RunSummary {
  return {
    namespace: run.metadata.namespace ?? 'default',
    name: run.metadata.name ?? '',
    phase: run.status?.phase ?? '',
    message: run.status?.message ?? '',
    startedAt: run.status?.startedAt ?? null,
    completedAt: run.status?.completedAt ?? null,
  };
}

/** `namespace` and `name` from the URL, checked with the same rules as on create (400 otherwise). */
export function keyFromPath(namespace: string, name: string): RunKey {
  if (!namespaceSchema.safeParse(namespace).success) throw new ApiError(400, `namespace "${namespace}" in the path is not a valid namespace`, 'namespace');
  if (!nameSchema.safeParse(name).success) throw new ApiError(400, `name "${name}" in the path is not a valid run name`, 'name');
  return `${namespace}/${name}`;
}

export class Api {
  constructor(private readonly deps: ApiDeps) {}

  async create(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson(req);
    const { run, warnings } = newRunFromBody(body, this.deps.catalog.lookup(), this.deps.catalog.templates().length > 0);
    let created: AnalysisRun;
    try {
      created = await this.deps.engine.submit(run);
    } catch (err) {
      if (err instanceof RunExistsError) {
        throw new ApiError(409, `${err.message}; choose another name, or DELETE /api/v1/runs/${runKey(run)} first`, 'name');
      }
      throw err;
    }
    const key = runKey(created);
    this.deps.log.info({ run: key, metrics: created.spec.metrics.map((m) => m.name) }, 'run created');
    // Kubernetes reports accepted-but-ignored input in Warning headers; clients like kubectl print them.
    const headers: Record<string, string> = { Location: `/api/v1/runs/${key}` };
    // Header values must be printable ASCII; field names come from the client and may not be.
    if (warnings.length > 0) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w).replace(/[^\x20-\x7e]/g, '?')}`).join(', ');
    sendJson(res, 201, created, headers);
  }

  async list(url: URL, res: ServerResponse): Promise<void> {
    const namespace = url.searchParams.get('namespace') ?? undefined;
    const phase = url.searchParams.get('phase') ?? undefined;
    if (phase !== undefined && !PHASES.includes(phase as Phase)) {
      throw new ApiError(400, `phase "${phase}" is not a phase; use one of ${PHASES.join(', ')}`, 'phase');
    }
    const items = (await this.deps.store.list())
      .map(summarize)
      .filter((s) => namespace === undefined || s.namespace === namespace)
      // A run not reconciled yet has phase "": Argo's metrics count it as Pending, and so does this filter.
      .filter((s) => phase === undefined || (s.phase === '' ? 'Pending' : s.phase) === phase)
      .sort((a, b) => (a.namespace === b.namespace ? cmp(a.name, b.name) : cmp(a.namespace, b.namespace)));
    sendJson(res, 200, { items });
  }

  async get(key: RunKey, res: ServerResponse): Promise<void> {
    sendJson(res, 200, await this.mustGet(key));
  }

  async terminate(key: RunKey, res: ServerResponse): Promise<void> {
    const run = await this.mustGet(key);
    const phase = run.status?.phase;
    if (isCompleted(phase)) {
      throw new ApiError(409, `analysisrun "${key}" already completed (${phase}); a completed run is frozen and terminate has no effect`);
    }
    if (!(await this.deps.engine.terminate(key))) throw notFound(key);
    this.deps.log.info({ run: key }, 'run terminate requested');
    sendJson(res, 202, await this.mustGet(key));
  }

  async delete(key: RunKey, res: ServerResponse): Promise<void> {
    if (!(await this.deps.store.delete(key))) throw notFound(key);
    await this.deps.scheduler.cancel(key);
    this.deps.onDeleted(key);
    this.deps.log.info({ run: key }, 'run deleted');
    res.writeHead(204).end();
  }

  async runEvents(key: RunKey, req: IncomingMessage, res: ServerResponse): Promise<void> {
    await this.deps.sse.stream(req, res, { key });
  }

  async allEvents(url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const namespace = url.searchParams.get('namespace') ?? undefined;
    await this.deps.sse.stream(req, res, namespace === undefined ? {} : { namespace });
  }

  templates(res: ServerResponse): void {
    const { catalog } = this.deps;
    sendJson(res, 200, { directory: catalog.dir ?? null, items: catalog.list(), lastReload: catalog.lastReload() ?? null });
  }

  async reloadTemplates(res: ServerResponse): Promise<void> {
    const result = await reloadAndLog(this.deps.catalog, this.deps.log);
    sendJson(res, result.ok ? 200 : 422, result);
  }

  private async mustGet(key: RunKey): Promise<AnalysisRun> {
    const run = await this.deps.store.get(key);
    if (!run) throw notFound(key);
    return run;
  }
}

/** Reload the catalog and log the outcome (shared by the endpoint and SIGHUP). */
export async function reloadAndLog(catalog: TemplateCatalog, log: Logger): Promise<ReloadResult> {
  const result = await catalog.reload();
  if (catalog.dir === undefined) {
    log.info('no --templates directory: runs can be created from full AnalysisRun manifests only');
    return result;
  }
  for (const w of result.warnings) log.warn({ file: w.file }, w.message);
  if (result.ok) log.info({ templates: result.templates, directory: catalog.dir }, 'templates loaded');
  else {
    for (const e of result.errors) log.error({ file: e.file }, e.message);
    log.error({ errors: result.errors.length, templates: result.templates }, 'template reload failed; the previous templates stay in force');
  }
  return result;
}

function notFound(key: RunKey): ApiError {
  return new ApiError(404, `analysisrun "${key}" not found`);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
