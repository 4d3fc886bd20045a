// The HTTP front: request log, latency and fault hooks, routing, and the read paths (get, list,
// watch). Writes are delegated to ObjectApi / Deleter. Plain node:http, JSON only.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { registerArgoRollouts, registerBuiltins } from './builtins.js';
import { Deleter, type DeleteOptions } from './deletion.js';
import { coreVersions, group, groupList, resourceList, versionInfo } from './discovery.js';
import { badRequest, expired, methodNotAllowed, notFound, StatusError, tooLargeResourceVersion } from './errors.js';
import { FaultInjector, faultError } from './faults.js';
import { ObjectApi, type Scope } from './objects.js';
import { Registry } from './registry.js';
import { present, presentList, toTable, wantsTable } from './render.js';
import { resolveRoute, type Route } from './routing.js';
import { parseFieldSelector, parseLabelSelector, pinnedName } from './selectors.js';
import { Store } from './store.js';
import type { KubeObject, RecordedRequest } from './types.js';
import { isPlainObject, objectKey } from './util.js';
import { WatchStream } from './watch.js';

export interface ServerOptions {
  watchCacheSize: number;
  bookmarkIntervalMs: number;
  gitVersion: string;
  namespaces: string[];
}

type ResourceRoute = Extract<Route, { kind: 'resource' }>;
type Query = Record<string, string>;

const truthy = (v: string | undefined): boolean => v === 'true' || v === '1';

const CONTINUE_EXPIRED =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

export class FakeApiServer {
  readonly registry = new Registry();
  readonly store: Store;
  readonly objects: ObjectApi;
  readonly deleter: Deleter;
  readonly faults = new FaultInjector();
  readonly requests: RecordedRequest[] = [];
  readonly watches = new Set<WatchStream>();
  latencyMs = 0;
  readonly http: Server;

  constructor(private readonly opts: ServerOptions) {
    this.store = new Store(opts.watchCacheSize);
    registerBuiltins(this.registry);
    registerArgoRollouts(this.registry);
    this.objects = new ObjectApi(this.registry, this.store);
    this.deleter = new Deleter(this.registry, this.store);
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease', ...opts.namespaces]) {
      this.objects.putDirect({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
    }
    this.http = createServer((req, res) => void this.handle(req, res));
    // Outlive the client's idle timeout (undici: 4 s) so a reused socket is never closed under it.
    this.http.keepAliveTimeout = 30_000;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    try {
      for await (const c of req) chunks.push(c as Buffer);
    } catch {
      return; // the client went away before sending its whole request
    }
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const query: Query = Object.fromEntries(url.searchParams);
    const method = (req.method ?? 'GET').toUpperCase();
    const contentType = req.headers['content-type'];
    let body: unknown;
    if (raw !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const record: RecordedRequest = { method, path: url.pathname, query, contentType, body, headers: { ...req.headers }, time: Date.now() };
    this.requests.push(record);
    res.on('error', () => undefined); // a client vanishing mid-response is not the server's problem
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
      record.status = status;
      if (res.headersSent || res.destroyed) return;
      res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Audit-Id': randomUUID(), ...headers });
      res.end(JSON.stringify(payload));
    };
    const sendError = (e: StatusError): void => send(e.code, e.toStatus(), e.headers);
    try {
      if (this.latencyMs > 0) await sleep(this.latencyMs);
      if (res.destroyed) return;
      const route = resolveRoute(this.registry, url.pathname);
      const isWatch = route.kind === 'resource' && method === 'GET' && (route.watchPath || truthy(query.watch));
      const fault = this.faults.take({ method, pathname: url.pathname, search: url.search, isWatch });
      if (fault) {
        if (fault.body !== undefined) send(fault.status, fault.body, fault.headers);
        else {
          const err = faultError(fault, route);
          send(err.code, err.toStatus(), { ...err.headers, ...fault.headers });
        }
        return;
      }
      if (route.kind === 'resource' && isWatch) {
        record.status = 200;
        return this.watch(route, query, res, req.headers.accept);
      }
      const [status, payload, headers] = this.dispatch(route, method, query, raw, body, contentType ?? '', req.headers.accept);
      if (route.kind === 'rawNotFound' || route.kind === 'health') {
        record.status = status;
        res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(String(payload));
        return;
      }
      send(status, payload, headers);
    } catch (e) {
      if (e instanceof StatusError) sendError(e);
      else sendError(new StatusError(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`));
    }
  }

  private dispatch(
    route: Route,
    method: string,
    query: Query,
    raw: string,
    body: unknown,
    contentType: string,
    accept: string | undefined,
  ): [number, unknown, Record<string, string>?] {
    switch (route.kind) {
      case 'rawNotFound':
        return [404, '404 page not found\n'];
      case 'health':
        return [200, 'ok'];
      case 'apiNotFound':
        throw route.error;
      case 'version':
        return [200, versionInfo(this.opts.gitVersion)];
      case 'coreVersions':
        return [200, coreVersions(this.address())];
      case 'groupList':
        return [200, groupList(this.registry)];
      case 'group':
        return [200, group(this.registry, route.group)];
      case 'resourceList':
        return [200, resourceList(this.registry, route.group, route.version)];
      case 'resource':
        return this.dispatchResource(route, method, query, raw, body, contentType, accept);
    }
  }

  private dispatchResource(
    r: ResourceRoute,
    method: string,
    query: Query,
    raw: string,
    body: unknown,
    contentType: string,
    accept: string | undefined,
  ): [number, unknown, Record<string, string>?] {
    const scope: Scope = { type: r.type, namespace: r.namespace, name: r.name, subresource: r.subresource, dryRun: query.dryRun === 'All' };
    const t = r.type;
    const isJson = contentType === '' || /json/.test(contentType);
    const decoded = (): unknown => {
      if (raw === '' || !isJson || typeof body === 'string') {
        throw badRequest(`couldn't get version/kind; json parse error: ${raw === '' ? 'unexpected end of JSON input' : 'invalid character in body'}`);
      }
      return body;
    };
    if (method === 'GET') {
      if (r.name === undefined) return this.list(r, query, accept);
      const o = this.store.get(t, r.namespace, r.name);
      if (!o) throw notFound(t, r.name);
      if (wantsTable(accept)) return [200, toTable(t, [o], { resourceVersion: o.metadata.resourceVersion })];
      return [200, present(t, o)];
    }
    if (method === 'POST') {
      if (r.name !== undefined || (t.namespaced && r.namespace === undefined)) throw methodNotAllowed();
      const w = this.objects.create(scope, decoded());
      return [w.status, present(t, w.object)];
    }
    if (method === 'PUT' && r.name !== undefined) {
      const w = this.objects.update(scope, decoded());
      return [w.status, present(t, w.object)];
    }
    if (method === 'PATCH' && r.name !== undefined) {
      const w = this.objects.patch(scope, contentType, raw);
      return [w.status, present(t, w.object)];
    }
    if (method === 'DELETE' && r.subresource === undefined && !(r.name === undefined && t.group === '' && t.plural === 'namespaces')) {
      const opts = deleteOptions(query, body);
      const out =
        r.name === undefined
          ? this.deleter.deleteCollection(scope, parseLabelSelector(query.labelSelector), parseFieldSelector(query.fieldSelector, t), opts)
          : this.deleter.delete(scope, opts);
      const headers = out.warnings.length > 0 ? { Warning: out.warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ') } : undefined;
      const payload = 'kind' in out.body && out.body.kind === 'Status' ? out.body : present(t, out.body as KubeObject);
      return [out.status, payload, headers];
    }
    throw methodNotAllowed();
  }

  private list(r: ResourceRoute, query: Query, accept: string | undefined): [number, unknown] {
    const t = r.type;
    const label = parseLabelSelector(query.labelSelector);
    const field = parseFieldSelector(query.fieldSelector, t);
    const current = this.store.currentRv();
    let atRv = current;
    let items: KubeObject[];
    let start = '';
    if (query.continue) {
      const tok = decodeContinue(query.continue);
      const snap = this.store.snapshot(t, tok.rv);
      if (!snap) throw expired(CONTINUE_EXPIRED);
      [items, atRv, start] = [snap, tok.rv, tok.start];
    } else if (query.resourceVersion && query.resourceVersion !== '0') {
      const rv = parseRv(query.resourceVersion);
      if (rv > current) throw tooLargeResourceVersion(rv, current);
      if (query.resourceVersionMatch === 'Exact') {
        const snap = this.store.snapshot(t, rv);
        if (!snap) throw expired(`too old resource version: ${rv} (${this.store.floor(t)})`);
        [items, atRv] = [snap, rv];
      } else items = this.store.list(t);
    } else items = this.store.list(t);
    let matched = items.filter(
      (o) => (!r.namespace || o.metadata.namespace === r.namespace) && label.matches(o.metadata.labels) && field.matches(o) && objectKey(o) > start,
    );
    const meta: Record<string, unknown> = { resourceVersion: String(atRv) };
    const limit = Number(query.limit ?? 0);
    if (limit > 0 && matched.length > limit) {
      const last = matched[limit - 1] as KubeObject;
      meta.continue = encodeContinue(atRv, objectKey(last));
      if (label.requirements.length === 0 && field.terms.length === 0) meta.remainingItemCount = matched.length - limit;
      matched = matched.slice(0, limit);
    }
    if (wantsTable(accept)) return [200, toTable(t, matched, meta)];
    return [200, presentList(t, matched, meta)];
  }

  private watch(r: ResourceRoute, query: Query, res: ServerResponse, accept: string | undefined): void {
    const field = parseFieldSelector(query.fieldSelector, r.type);
    const params = {
      type: r.type,
      namespace: r.namespace,
      name: r.name ?? pinnedName(field),
      label: parseLabelSelector(query.labelSelector),
      field,
      resourceVersion: query.resourceVersion,
      allowBookmarks: truthy(query.allowWatchBookmarks),
      sendInitialEvents: query.sendInitialEvents === undefined ? undefined : truthy(query.sendInitialEvents),
      timeoutSeconds: query.timeoutSeconds ? Number(query.timeoutSeconds) : undefined,
      bookmarkIntervalMs: this.opts.bookmarkIntervalMs,
      table: wantsTable(accept),
    };
    if (params.resourceVersion) parseRv(params.resourceVersion);
    const w = new WatchStream(res, this.store, params, (x) => this.watches.delete(x));
    this.watches.add(w);
    w.start();
  }

  address(): string {
    const a = this.http.address();
    return a && typeof a === 'object' ? `${a.address}:${a.port}` : '';
  }
}

function parseRv(v: string): number {
  if (!/^\d+$/.test(v)) throw badRequest(`invalid resource version: strconv.ParseUint: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
}

/** Same shape as the apiserver's token (base64 JSON with the list revision and the next key). */
function encodeContinue(rv: number, lastKey: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: `${lastKey}\u0000` })).toString('base64url');
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: string; rv?: number; start?: string };
    if (t.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string') throw new Error('bad');
    return { rv: t.rv, start: t.start.replace(/\u0000$/, '') };
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

/** DeleteOptions may come in the body (client-node, kubectl) or as query parameters. */
function deleteOptions(query: Query, body: unknown): DeleteOptions {
  const b = isPlainObject(body) ? body : {};
  const pre = isPlainObject(b.preconditions) ? b.preconditions : undefined;
  const orphan = b.orphanDependents ?? (query.orphanDependents === undefined ? undefined : truthy(query.orphanDependents));
  return {
    propagationPolicy: typeof b.propagationPolicy === 'string' ? b.propagationPolicy : query.propagationPolicy,
    orphanDependents: typeof orphan === 'boolean' ? orphan : undefined,
    preconditions: pre ? { uid: pre.uid as string | undefined, resourceVersion: pre.resourceVersion as string | undefined } : undefined,
  };
}
