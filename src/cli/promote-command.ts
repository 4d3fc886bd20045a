/**
 * `assay promote`: Blue/Green without a rollout controller. Runs the --pre analysis live; only if
 * it is Successful, switches the Service selector / VirtualService default route in one
 * conditional write that also records the previous state on the object; then runs the --post
 * analysis and, unless it is Successful (or if interrupted), restores the previous state.
 * Exit status: 0 only when traffic is on the new version and every analysis passed; otherwise the
 * failing analysis' code (1 Failed, 2 Error, 3 Inconclusive), 2 for an API failure, 4 for usage
 * or a missing object, EXIT_INTERRUPTED for a signal or --timeout.
 */
import type { AnalysisRun } from '../api/types.js';
import { parseGoDuration } from '../go/duration.js';
import { ObjectMissing, TrafficObjectClient, apiMessage, type TrafficRef } from '../kube/traffic-object.js';
import { ending, endingEvent, summary, switchEvent, trafficFields, type EventSpec, type Progress, type PromotionReport, type Verdict } from '../promote/outcome.js';
import { describeTraffic, planPromotion, planRollback, type Desired, type Plan, type Traffic } from '../promote/traffic.js';
import type { AssayConfig } from '../runtime/config.js';
import { EXIT_INTERRUPTED } from './promote-interface.js';
import { runAnalysisLive, verdictText } from './live-analysis.js';
import { EXIT_BY_PHASE, EXIT_USAGE, runFromFiles, UsageError } from './run-command.js';
import type { Output } from './test-command.js';
import { desiredTraffic, loadKubeConfig, stamp, trafficRef, type SwitchFlags } from './traffic-flags.js';

export interface PromoteFlags extends SwitchFlags {
  pre?: string[];
  post?: string[];
  arg?: string[];
  timeout?: string;
}

interface Setup {
  ref: TrafficRef;
  desired: Desired;
  pre?: AnalysisRun;
  post?: AnalysisRun;
  timeoutMs?: number;
}

async function setup(flags: PromoteFlags): Promise<Setup> {
  const ref = trafficRef(flags, 'promote');
  const desired = desiredTraffic(ref, flags);
  let timeoutMs: number | undefined;
  if (flags.timeout !== undefined) {
    const d = parseGoDuration(flags.timeout);
    if (!d.ok || d.ms <= 0) throw new UsageError(`--timeout "${flags.timeout}": expected a positive duration such as 10m or 90s`);
    timeoutMs = d.ms;
  }
  // Both analyses are built before anything happens: a broken --post template must not be found
  // only after traffic has moved.
  const stampName = Date.now().toString(36);
  const build = async (files: string[] | undefined, phase: string) =>
    files?.length ? runFromFiles({ file: files, arg: flags.arg ?? [], namespace: ref.namespace, name: `assay-${phase}-${ref.name}-${stampName}` }) : undefined;
  const [pre, post] = [await build(flags.pre, 'pre'), await build(flags.post, 'post')];
  return { ref, desired, ...(pre ? { pre } : {}), ...(post ? { post } : {}), ...(timeoutMs ? { timeoutMs } : {}) };
}

const verdictOf = (r: AnalysisRun): Verdict => ({ phase: r.status?.phase || 'Error', message: r.status?.message ?? '' });

export async function promoteCommand(flags: PromoteFlags, config: AssayConfig, io: Output, stdout: NodeJS.WriteStream): Promise<number> {
  const json = flags.output === 'json';
  const say = json ? io.err : io.out; // with --output json, stdout is the final JSON only
  let s: Setup;
  let client: TrafficObjectClient;
  let previous: Traffic;
  try {
    s = await setup(flags);
    client = await TrafficObjectClient.connect(loadKubeConfig(flags.kubeconfig ?? config.kubeconfig), s.ref);
    const obj = await client.read();
    const feasible = planPromotion(obj, s.desired, stamp('promote', new Date()));
    if (!feasible.ok) throw new UsageError(`${client.label}: ${feasible.error}`);
    previous = feasible.previous;
    say(`assay promote: ${client.label}: traffic on ${describeTraffic(previous)}`);
  } catch (err) {
    if (err instanceof UsageError || err instanceof ObjectMissing) {
      io.err(`assay promote: ${err.message}`);
      return EXIT_USAGE;
    }
    io.err(`assay promote: ${apiMessage(err)}`);
    return EXIT_BY_PHASE.Error!;
  }

  const p: Progress = { pre: null, post: null, switched: false, rolledBack: false, interrupted: false };
  let next: Traffic | null = null;
  const stop = new AbortController();
  const interrupt = (why: string) => {
    if (stop.signal.aborted) {
      if (!p.switched) process.exit(EXIT_INTERRUPTED); // nothing to undo
      io.err('assay promote: already rolling back; wait for it (or SIGKILL, then `assay rollback`)');
      return;
    }
    io.err(`assay promote: ${why}: ${p.switched ? 'stopping the analysis and rolling back' : 'stopping; traffic will not be switched'}`);
    p.interrupted = true;
    stop.abort();
  };
  const onSignal = (signal: NodeJS.Signals) => interrupt(`received ${signal}`);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const timer = s.timeoutMs ? setTimeout(() => interrupt(`--timeout ${flags.timeout} reached`), s.timeoutMs) : undefined;
  const event = async (e: EventSpec | undefined) => {
    if (!e) return;
    try {
      await client.event(await client.read().catch(() => ({ metadata: {} })), e.type, e.reason, e.message, new Date());
    } catch (err) {
      io.err(`assay promote: could not record the ${e.reason} event: ${apiMessage(err)}`);
    }
  };
  const analyse = async (run: AnalysisRun, what: string): Promise<Verdict> => {
    say(`${what} analysis ${run.metadata.name}:`);
    const final = await runAnalysisLive(run, { config, io, stdout, json, stop: stop.signal });
    say(`${what} verdict: ${verdictText(final)}`);
    return verdictOf(final);
  };
  const write = async (plan: (obj: Parameters<typeof planRollback>[1]) => Plan): Promise<Plan & { ok: true }> => {
    const { decision } = await client.update((obj) => {
      const d = plan(obj);
      if (!d.ok) throw new UsageError(`${client.label}: ${d.error}`);
      return d;
    });
    return decision as Plan & { ok: true };
  };

  try {
    if (s.pre) p.pre = await analyse(s.pre, 'Pre-promotion');
    if (!p.interrupted && p.pre?.phase !== undefined && p.pre.phase !== 'Successful') {
      // not promoted: the object is left untouched
    } else if (!p.interrupted) {
      const done = await write((obj) => planPromotion(obj, s.desired, stamp('promote', new Date())));
      p.switched = true;
      previous = done.previous;
      next = done.next;
      say(`assay promote: switched ${client.label} from ${describeTraffic(previous)} to ${describeTraffic(next)}`);
      await event(switchEvent(p, previous, next));
      if (s.post && !p.interrupted) p.post = await analyse(s.post, 'Post-promotion');
      if (p.interrupted || (p.post && p.post.phase !== 'Successful')) {
        const undone = await write((obj) => planRollback(s.ref.kind, obj, stamp('promote', new Date())));
        p.rolledBack = true;
        next = undone.next;
        say(`assay promote: rolled back ${client.label} to ${describeTraffic(next)}`);
      }
    }
  } catch (err) {
    const cause = err instanceof UsageError || err instanceof ObjectMissing ? err.message : apiMessage(err);
    p.failure = p.switched && !p.rolledBack
      ? `${cause}. Traffic may still be on ${next ? describeTraffic(next) : 'the new version'}: run \`assay rollback\` (the previous state is recorded on the object)`
      : cause;
  } finally {
    if (timer) clearTimeout(timer);
    // From here on the outcome is decided: a late signal must not change what is reported.
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const message = summary(p, previous, next ?? previous);
  await event(endingEvent(p, message));

  const end = ending(p);
  const report: PromotionReport = {
    kind: s.ref.kind,
    namespace: s.ref.namespace,
    name: s.ref.name,
    promoted: p.switched && !p.rolledBack,
    rolledBack: p.rolledBack,
    interrupted: p.interrupted,
    pre: p.pre,
    post: p.post,
    ...trafficFields(previous, p.switched ? next : previous),
    message,
  };
  (end.kind === 'phase' && end.phase === 'Successful' ? say : io.err)(`assay promote: ${message}`);
  if (json) io.out(JSON.stringify(report, null, 2));
  if (end.kind === 'interrupted') return EXIT_INTERRUPTED;
  if (end.kind === 'error') return EXIT_BY_PHASE.Error!;
  return EXIT_BY_PHASE[end.phase] ?? EXIT_BY_PHASE.Error!;
}
