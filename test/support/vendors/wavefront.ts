/**
 * A loopback Wavefront (VMware Aria Operations for Applications) chart API, as its public REST
 * API documentation describes `GET /api/v2/chart/api` (test infrastructure, faithful to the
 * vendor, never shaped to what assay sends):
 *
 * - `Authorization: Bearer <token>`; a missing or wrong token is `401`.
 * - `q` (query) and `s` (start, epoch ms) are required (`400` otherwise); `e` (end, epoch ms,
 *   default now), `g` (granularity d|h|m|s), `p` (max points), `i` (include series whose points
 *   all lie outside the window) are optional.
 * - Answers a QueryResult: `{name, query, granularity, timeseries:[{label, host, tags,
 *   data:[[epoch seconds, value]...]}], warnings?, stats}`. Points are those inside [s, e]; with
 *   `i=true` a series without points in the window is still returned with its nearest point.
 *
 * Serves over TLS when given a certificate (Argo's client always speaks https to `address`).
 */
import { sendJson, startHttpServer, type RecordedRequest } from '../http-server.js';

export interface WavefrontSeries {
  label: string;
  host?: string;
  tags?: Record<string, string>;
  /** [epoch seconds, value] */
  data: [number, number][];
}

export interface FakeWavefront {
  url: string;
  /** `127.0.0.1:<port>`: the address as Argo's users write it (https implied). */
  hostPort: string;
  requests: RecordedRequest[];
  store(query: string, series: WavefrontSeries[], warnings?: string): void;
  fail(status: number, body: unknown): void;
  recover(): void;
  close(): Promise<void>;
}

export async function startFakeWavefront(opts: { token: string; tls?: { key: string; cert: string } }): Promise<FakeWavefront> {
  const data = new Map<string, { series: WavefrontSeries[]; warnings?: string }>();
  let failure: { status: number; body: unknown } | undefined;
  const server = await startHttpServer(
    (req, res) => {
      if (failure) return sendJson(res, failure.status, failure.body);
      if (req.headers['authorization'] !== `Bearer ${opts.token}`) return sendJson(res, 401, { status: { result: 'ERROR', message: 'HTTP 401 Unauthorized', code: 401 } });
      if (req.path !== '/api/v2/chart/api') return sendJson(res, 404, { status: { result: 'ERROR', message: 'Not Found', code: 404 } });
      if (req.method !== 'GET') return sendJson(res, 405, { status: { result: 'ERROR', message: 'Method Not Allowed', code: 405 } });
      const q = req.query.get('q');
      const s = Number(req.query.get('s'));
      if (!q || !req.query.get('s') || !Number.isInteger(s)) {
        return sendJson(res, 400, { status: { result: 'ERROR', message: 'q and s are required', code: 400 } });
      }
      const e = req.query.get('e') ? Number(req.query.get('e')) : Date.now();
      const g = req.query.get('g');
      if (g !== null && !['d', 'h', 'm', 's'].includes(g)) return sendJson(res, 400, { status: { result: 'ERROR', message: `invalid granularity ${g}`, code: 400 } });
      const includeOutside = req.query.get('i') === 'true';
      const stored = data.get(q);
      const timeseries = (stored?.series ?? []).flatMap((series) => {
        const inside = series.data.filter(([t]) => t * 1000 >= s && t * 1000 <= e);
        if (inside.length > 0) return [{ ...series, data: inside }];
        if (!includeOutside || series.data.length === 0) return [];
        const nearest = [...series.data].sort((a, b) => Math.abs(a[0] * 1000 - s) - Math.abs(b[0] * 1000 - s))[0]!;
        return [{ ...series, data: [nearest] }];
      });
      sendJson(res, 200, {
        name: q,
        query: q,
        granularity: g === 's' ? 1 : 60,
        timeseries: timeseries.map((t) => ({ label: t.label, host: t.host ?? 'host', tags: t.tags ?? {}, data: t.data })),
        ...(stored?.warnings ? { warnings: stored.warnings } : {}),
        stats: { keys: 1, points: timeseries.length, summaries: timeseries.length },
      });
    },
    opts.tls ? { tls: opts.tls } : {},
  );
  return {
    url: server.url,
    hostPort: `127.0.0.1:${server.port}`,
    requests: server.requests,
    store: (query, series, warnings) => data.set(query, { series, ...(warnings ? { warnings } : {}) }),
    fail: (status, body) => {
      failure = { status, body };
    },
    recover: () => {
      failure = undefined;
    },
    close: () => server.close(),
  };
}
