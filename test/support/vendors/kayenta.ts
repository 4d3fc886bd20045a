/**
 * A loopback Kayenta, as Kayenta's REST API (its Swagger docs) describes the calls a canary
 * judge uses (test infrastructure, faithful to the vendor, never shaped to what assay sends):
 *
 * - `GET /canaryConfig?application=&configurationAccountName=`: the stored canary configs
 *   (`[{id, name, updatedTimestamp, updatedTimestampIso, applications}]`) of that application.
 * - `POST /canary/{canaryConfigId}?application=&metricsAccountName=&configurationAccountName=
 *   &storageAccountName=` with a CanaryAdhocExecutionRequest-like JSON body (`scopes` map of
 *   `{controlScope, experimentScope}` each with `scope`, `start`, `end`, `step`; `thresholds
 *   {pass, marginal}`): `{canaryExecutionId}`. An unknown config id is 404, a body without scopes
 *   or thresholds 400.
 * - `GET /canary/{canaryExecutionId}`: `{complete:false, status:"running"}` until the execution
 *   has been polled `pollsUntilComplete` times, then `{complete:true, status:"succeeded",
 *   result:{judgeResult:{score:{score, classification}}}}`. Unknown id: 404.
 */
import { randomUUID } from 'node:crypto';
import { sendJson, startHttpServer, type RecordedRequest } from '../http-server.js';

export interface FakeKayenta {
  url: string;
  requests: RecordedRequest[];
  addConfig(application: string, name: string): string;
  /** The score the next executions get, after how many incomplete polls. */
  judge(score: number, pollsUntilComplete?: number): void;
  executions(): { id: string; configId: string; request: unknown; polls: number }[];
  fail(status: number, body: unknown): void;
  recover(): void;
  close(): Promise<void>;
}

export async function startFakeKayenta(): Promise<FakeKayenta> {
  const configs: { id: string; name: string; applications: string[] }[] = [];
  const runs = new Map<string, { id: string; configId: string; request: unknown; polls: number; score: number; until: number }>();
  let next = { score: 100, until: 0 };
  let failure: { status: number; body: unknown } | undefined;
  const server = await startHttpServer((req, res) => {
    if (failure) return sendJson(res, failure.status, failure.body);
    if (req.path === '/canaryConfig' && req.method === 'GET') {
      const app = req.query.get('application');
      const now = Date.now();
      return sendJson(
        res,
        200,
        configs
          .filter((c) => app === null || c.applications.includes(app))
          .map((c) => ({ id: c.id, name: c.name, updatedTimestamp: now, updatedTimestampIso: new Date(now).toISOString(), applications: c.applications })),
      );
    }
    const m = /^\/canary\/([^/]+)$/.exec(req.path);
    if (m && req.method === 'POST') {
      const config = configs.find((c) => c.id === m[1]);
      if (!config) return sendJson(res, 404, { error: 'Not Found', message: `No canary config with id ${m[1]}` });
      let body: { scopes?: Record<string, { controlScope?: { start?: string; end?: string } }>; thresholds?: { pass?: number; marginal?: number } };
      try {
        body = JSON.parse(req.body);
      } catch {
        return sendJson(res, 400, { error: 'Bad Request', message: 'JSON parse error' });
      }
      if (!body.scopes || Object.keys(body.scopes).length === 0 || typeof body.thresholds?.pass !== 'number') {
        return sendJson(res, 400, { error: 'Bad Request', message: 'scopes and thresholds are required' });
      }
      const id = randomUUID();
      runs.set(id, { id, configId: config.id, request: body, polls: 0, score: next.score, until: next.until });
      return sendJson(res, 200, { canaryExecutionId: id });
    }
    if (m && req.method === 'GET') {
      const run = runs.get(m[1]!);
      if (!run) return sendJson(res, 404, { error: 'Not Found', message: `No canary execution with id ${m[1]}` });
      run.polls++;
      if (run.polls <= run.until) return sendJson(res, 200, { complete: false, status: 'running', pipelineId: run.id });
      return sendJson(res, 200, {
        complete: true,
        status: 'succeeded',
        pipelineId: run.id,
        result: { judgeResult: { score: { score: run.score, classification: run.score >= 75 ? 'Pass' : 'Fail' } } },
      });
    }
    return sendJson(res, 404, { error: 'Not Found' });
  });
  return {
    url: server.url,
    requests: server.requests,
    addConfig: (application, name) => {
      const id = randomUUID();
      configs.push({ id, name, applications: [application] });
      return id;
    },
    judge: (score, pollsUntilComplete = 0) => {
      next = { score, until: pollsUntilComplete };
    },
    executions: () => [...runs.values()].map(({ id, configId, request, polls }) => ({ id, configId, request, polls })),
    fail: (status, body) => {
      failure = { status, body };
    },
    recover: () => {
      failure = undefined;
    },
    close: () => server.close(),
  };
}
