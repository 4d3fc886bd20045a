/**
 * A loopback New Relic NerdGraph endpoint, as New Relic's public NerdGraph documentation
 * describes it (test infrastructure, faithful to the vendor, never shaped to what assay sends):
 *
 * - `POST /graphql` with a JSON body `{query, variables}` and the user key in the `API-Key`
 *   header. A missing or unknown key is HTTP 401 with a GraphQL `errors` list; a non-JSON body is
 *   400. Other paths are 404.
 * - The GraphQL document must select `actor { account(id: …) { nrql(query: …) { results } } }`;
 *   `accountId` (Int) and the NRQL (`query`) arrive as variables (or inline arguments).
 * - An account the key cannot access answers HTTP 200 with `data.actor.account: null` and an
 *   error (`extensions.errorClass: FORBIDDEN`); a rejected NRQL answers HTTP 200 with an
 *   `INVALID_INPUT` error; otherwise `data.actor.account.nrql.results` is the stored list for
 *   that NRQL (`[]` when none).
 */
import { sendJson, startHttpServer, type RecordedRequest } from '../http-server.js';

export interface FakeNerdGraph {
  url: string;
  /** The NerdGraph endpoint (`<url>/graphql`), for the profile's `base-url-nerdgraph`. */
  graphqlUrl: string;
  requests: RecordedRequest[];
  answer(nrql: string, results: Record<string, unknown>[]): void;
  reject(nrql: string, message: string): void;
  fail(status: number, body: unknown): void;
  recover(): void;
  close(): Promise<void>;
}

export async function startFakeNerdGraph(opts: { apiKey: string; accountId: number }): Promise<FakeNerdGraph> {
  const answers = new Map<string, Record<string, unknown>[]>();
  const rejections = new Map<string, string>();
  let failure: { status: number; body: unknown } | undefined;
  const server = await startHttpServer((req, res) => {
    if (failure) return sendJson(res, failure.status, failure.body);
    if (req.path !== '/graphql') return sendJson(res, 404, { errors: [{ message: 'Not Found' }] });
    if (req.method !== 'POST') return sendJson(res, 405, { errors: [{ message: 'Method Not Allowed' }] });
    if (req.headers['api-key'] !== opts.apiKey) {
      return sendJson(res, 401, { errors: [{ message: 'Invalid API key', extensions: { errorClass: 'UNAUTHORIZED' } }] });
    }
    let body: { query?: unknown; variables?: Record<string, unknown> };
    try {
      body = JSON.parse(req.body);
    } catch {
      return sendJson(res, 400, { errors: [{ message: 'Unexpected token in JSON body' }] });
    }
    const doc = typeof body.query === 'string' ? body.query : '';
    if (!/actor\s*\{[\s\S]*account\s*\(\s*id\s*:[\s\S]*nrql\s*\(\s*query\s*:[\s\S]*results/.test(doc)) {
      return sendJson(res, 200, { errors: [{ message: 'Syntax Error: the document does not query actor.account.nrql.results', extensions: { errorClass: 'INVALID_INPUT' } }], data: null });
    }
    const vars = body.variables ?? {};
    const accountId = vars['accountId'] ?? Number(/account\s*\(\s*id\s*:\s*(\d+)/.exec(doc)?.[1]);
    const nrql = vars['query'] ?? /nrql\s*\(\s*query\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(doc)?.[1];
    if (typeof accountId !== 'number' || !Number.isInteger(accountId)) {
      return sendJson(res, 200, { errors: [{ message: 'Variable "$accountId" of required type "Int!" was not provided.' }] });
    }
    if (typeof nrql !== 'string' || nrql === '') {
      return sendJson(res, 200, { errors: [{ message: 'Variable "$query" of required type "Nrql!" was not provided.' }] });
    }
    if (accountId !== opts.accountId) {
      return sendJson(res, 200, {
        errors: [{ message: `Account ${accountId} is not accessible with this API key`, path: ['actor', 'account'], extensions: { errorClass: 'FORBIDDEN' } }],
        data: { actor: { account: null } },
      });
    }
    const rejected = rejections.get(nrql);
    if (rejected !== undefined) {
      return sendJson(res, 200, {
        errors: [{ message: rejected, path: ['actor', 'account', 'nrql'], extensions: { errorClass: 'INVALID_INPUT' } }],
        data: { actor: { account: { nrql: null } } },
      });
    }
    const results = answers.get(nrql) ?? [];
    sendJson(res, 200, { data: { actor: { account: { nrql: { results, metadata: { eventTypes: [], facets: null, messages: [] } } } } } });
  });
  return {
    url: server.url,
    graphqlUrl: `${server.url}/graphql`,
    requests: server.requests,
    answer: (nrql, results) => answers.set(nrql, results),
    reject: (nrql, message) => rejections.set(nrql, message),
    fail: (status, body) => {
      failure = { status, body };
    },
    recover: () => {
      failure = undefined;
    },
    close: () => server.close(),
  };
}
