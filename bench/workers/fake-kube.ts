/**
 * The fake Kubernetes API server (test/support/fake-kube) in its own process, as a real API
 * server would be: the controller under test does not share its event loop. Seeds AnalysisRuns
 * straight into storage and keeps the arrival time of every status PATCH (the request log is
 * compacted every second so that a long run does not hold every request body).
 */
import { startFakeKube, type FakeKube } from '../../test/support/fake-kube/index.js';
import type { AnalysisRun, AnalysisRunStatus } from '../../src/api/types.js';
import { serviceMain } from '../support/child.js';
import { benchRun, instantMetric, statusWithHistory } from '../support/fixtures.js';

interface State {
  fake: FakeKube;
  patchTimes: number[];
  patchStatus: number[];
  timer: NodeJS.Timeout;
}

function compact(s: State): void {
  for (const r of s.fake.requests) {
    if (r.method === 'PATCH' && r.path.includes('/analysisruns/')) {
      s.patchTimes.push(r.time);
      s.patchStatus.push(r.status ?? 0);
    }
  }
  s.fake.clearRequests();
}

export interface SeedArgs {
  namespace: string;
  from: number;
  to: number;
  /** Measurements each run needs (metric count). */
  count: number;
  /** Runs start with `i % count` measurements taken (spreads their verdicts evenly). */
  history: boolean;
  /** Create the runs evenly over this many ms (default: all at once). */
  spreadMs?: number;
}

serviceMain<{ namespaces: string[] }, State>(
  async (input) => {
    const fake = await startFakeKube({ namespaces: input.namespaces, watchCacheSize: 100_000 });
    const s: State = { fake, patchTimes: [], patchStatus: [], timer: setInterval(() => compact(s), 1000) };
    return s;
  },
  {
    url: (s) => s.fake.url,
    seed: async (s, a: SeedArgs) => {
      const metric = instantMetric({ count: a.count });
      const now = Date.now();
      for (let i = a.from; i < a.to; i++) {
        if (a.spreadMs) {
          const at = now + ((i - a.from) * a.spreadMs) / (a.to - a.from);
          if (at > Date.now()) await new Promise((r) => setTimeout(r, at - Date.now()));
        }
        const run: AnalysisRun = benchRun(a.namespace, `run-${i}`, [metric]);
        const taken = a.history ? i % a.count : 0;
        if (taken > 0) {
          // The last measurement finished within the last second: due spread over the next one.
          const status: AnalysisRunStatus = statusWithHistory(metric, taken, now - ((i * 7919) % 1000), 1000);
          run.status = status;
        }
        s.fake.put(run as never);
      }
      return a.to - a.from;
    },
    /** Arrival times (and statuses) of status PATCHes since the last call. */
    patches: (s) => {
      compact(s);
      const out = { times: s.patchTimes, statuses: s.patchStatus };
      s.patchTimes = [];
      s.patchStatus = [];
      return out;
    },
    phases: (s, a: { namespace: string }) => {
      const counts: Record<string, number> = {};
      for (const o of s.fake.list({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', namespace: a.namespace })) {
        const p = (o as unknown as AnalysisRun).status?.phase ?? '';
        counts[p] = (counts[p] ?? 0) + 1;
      }
      return counts;
    },
  },
  async (s) => {
    clearInterval(s.timer);
    await s.fake.close();
  },
);
