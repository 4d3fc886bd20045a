/**
 * What a notification says, decided purely from the run's status transition and its decision
 * trace: which routes match, the JSON body (the documented webhook schema, docs/notifications.md)
 * and the Slack message. Nothing here sends or reads a clock; `now` comes in.
 */
import { createHash } from 'node:crypto';
import type { AnalysisRun, AnalysisRunStatus } from '../api/types.js';
import { isCompleted } from '../api/phase.js';
import { decisiveTrace, explainRun, verdictReasons } from '../core/explain.js';
import { measurementWhy, type MeasurementTrace } from '../core/trace.js';
import type { NotifyConfig, NotifyEvent, Route } from './config.js';

const SCHEMA_VERSION = 'assay.notification/v1';

interface MetricSummary {
  name: string;
  phase: string;
  /** The last measured value as status shows it. */
  lastValue?: string;
  /** The counter and limit that decided the phase. */
  decision: string;
  /** The why line of the deciding (or last) measurement. */
  why?: string;
  count: number;
  successful: number;
  failed: number;
  inconclusive: number;
  error: number;
  dryRun: boolean;
}

export interface NotificationBody {
  schema: typeof SCHEMA_VERSION;
  /** Idempotency key: the same for every delivery attempt of this notification. */
  id: string;
  event: 'run.completed' | 'metric.phaseChanged';
  occurredAt: string;
  run: {
    namespace: string;
    name: string;
    uid: string;
    labels: Record<string, string>;
    phase: string;
    /** Argo's message, unchanged. */
    message: string;
    startedAt?: string;
    completedAt?: string;
    /** The run's page on `assay serve`, when pageUrl is configured. */
    url?: string;
  };
  /** For metric.phaseChanged: the metric that changed, and its previous phase. */
  metric?: { name: string; phase: string; previousPhase: string };
  /** Why, in words: the verdict's reasons (or the metric's, for a phase change). */
  reasons: string[];
  metrics: MetricSummary[];
}

/** One notification to deliver: body plus the destinations its routes name (deduplicated). */
interface PlannedNotification {
  body: NotificationBody;
  destinations: string[];
}

function routeMatches(route: Route, run: AnalysisRun, event: NotifyEvent, phase: string): boolean {
  if (!route.on.includes(event)) return false;
  const ns = run.metadata.namespace ?? 'default';
  if (route.namespaces && !route.namespaces.includes(ns)) return false;
  const labels = run.metadata.labels ?? {};
  for (const [k, v] of Object.entries(route.labels ?? {})) if (labels[k] !== v) return false;
  if (route.phases && !route.phases.includes(phase)) return false;
  return true;
}

function destinationsFor(config: NotifyConfig, run: AnalysisRun, event: NotifyEvent, phase: string): string[] {
  const out = new Set<string>();
  for (const r of config.routes) if (routeMatches(r, run, event, phase)) for (const d of r.destinations) out.add(d);
  return [...out];
}

function idOf(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

function runPageUrl(pageUrl: string | undefined, run: AnalysisRun): string | undefined {
  if (!pageUrl) return undefined;
  const ns = encodeURIComponent(run.metadata.namespace ?? 'default');
  return `${pageUrl}/ui/runs/${ns}/${encodeURIComponent(run.metadata.name ?? '')}`;
}

function summaries(run: AnalysisRun, tracesOf: (metric: string) => readonly MeasurementTrace[]): MetricSummary[] {
  const results = run.status?.metricResults ?? [];
  return explainRun(run).map((d) => {
    const r = results.find((x) => x.name === d.metric);
    const ms = r?.measurements ?? [];
    const last = ms[ms.length - 1];
    const t = decisiveTrace(d, tracesOf(d.metric));
    const s: MetricSummary = {
      name: d.metric,
      phase: d.phase,
      decision: d.reason,
      count: r?.count ?? 0,
      successful: r?.successful ?? 0,
      failed: r?.failed ?? 0,
      inconclusive: r?.inconclusive ?? 0,
      error: r?.error ?? 0,
      dryRun: r?.dryRun === true,
    };
    if (last?.value !== undefined) s.lastValue = last.value;
    if (t) s.why = measurementWhy(t);
    return s;
  });
}

function runPart(run: AnalysisRun, pageUrl: string | undefined): NotificationBody['run'] {
  const status = run.status;
  const part: NotificationBody['run'] = {
    namespace: run.metadata.namespace ?? 'default',
    name: run.metadata.name ?? '',
    uid: run.metadata.uid ?? '',
    labels: { ...(run.metadata.labels ?? {}) },
    phase: status?.phase ?? '',
    message: status?.message ?? '',
  };
  if (status?.startedAt) part.startedAt = status.startedAt;
  if (status?.completedAt) part.completedAt = status.completedAt;
  const url = runPageUrl(pageUrl, run);
  if (url) part.url = url;
  return part;
}

/**
 * The notifications due for the transition `previous` -> `run.status`: the verdict when the run
 * just completed, and each metric phase change for routes that ask for them.
 */
export function plannedNotifications(
  config: NotifyConfig,
  run: AnalysisRun,
  previous: AnalysisRunStatus | undefined,
  tracesOf: (metric: string) => readonly MeasurementTrace[],
  now: number,
): PlannedNotification[] {
  const out: PlannedNotification[] = [];
  const uid = run.metadata.uid ?? `${run.metadata.namespace}/${run.metadata.name}`;
  const occurredAt = new Date(now).toISOString();
  const phase = run.status?.phase ?? '';
  for (const result of run.status?.metricResults ?? []) {
    const was = previous?.metricResults?.find((r) => r.name === result.name)?.phase ?? '';
    if (was === result.phase || result.phase === '' || result.phase === 'Pending') continue;
    const destinations = destinationsFor(config, run, 'metricPhase', result.phase);
    if (destinations.length === 0) continue;
    const metrics = summaries(run, tracesOf);
    const mine = metrics.find((m) => m.name === result.name);
    const reasons = mine ? [mine.why ? `${mine.why}; ${mine.decision}` : `${mine.name}: ${mine.decision}`] : [];
    out.push({
      destinations,
      body: {
        schema: SCHEMA_VERSION,
        id: idOf('metric.phaseChanged', uid, result.name, result.phase, String((result.count ?? 0) + (result.error ?? 0))),
        event: 'metric.phaseChanged',
        occurredAt,
        run: runPart(run, config.pageUrl),
        metric: { name: result.name, phase: result.phase, previousPhase: was },
        reasons,
        metrics,
      },
    });
  }
  if (isCompleted(phase) && !isCompleted(previous?.phase)) {
    const destinations = destinationsFor(config, run, 'completed', phase);
    if (destinations.length > 0) {
      out.push({
        destinations,
        body: {
          schema: SCHEMA_VERSION,
          id: idOf('run.completed', uid, phase),
          event: 'run.completed',
          occurredAt,
          run: runPart(run, config.pageUrl),
          reasons: verdictReasons(run, tracesOf),
          metrics: summaries(run, tracesOf),
        },
      });
    }
  }
  return out;
}

const EMOJI: Record<string, string> = { Successful: ':white_check_mark:', Failed: ':x:', Error: ':warning:', Inconclusive: ':grey_question:' };

/** Slack's incoming-webhook message (text fallback plus blocks). Slack mrkdwn escapes &, <, >. */
export function slackMessage(body: NotificationBody): Record<string, unknown> {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const runName = `${body.run.namespace}/${body.run.name}`;
  const title =
    body.event === 'run.completed'
      ? `${EMOJI[body.run.phase] ?? ''} Analysis *${esc(runName)}*: *${body.run.phase}*`
      : `Metric *${esc(body.metric!.name)}* of *${esc(runName)}* is now *${body.metric!.phase}* (was ${body.metric!.previousPhase || 'Pending'})`;
  const lines = body.metrics.map(
    (m) => `• *${esc(m.name)}* ${m.phase}${m.dryRun ? ' (dry-run)' : ''}, last value \`${esc(m.lastValue ?? '-')}\`: ${esc(m.why ? `${m.why}; ${m.decision}` : m.decision)}`,
  );
  const blocks: Array<Record<string, unknown>> = [{ type: 'section', text: { type: 'mrkdwn', text: title.trim() } }];
  if (body.run.message) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `>${esc(body.run.message)}` } });
  if (lines.length > 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } });
  if (body.run.url) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `<${body.run.url}|Open the run page>` }] });
  const text = `${body.event === 'run.completed' ? `Analysis ${runName}: ${body.run.phase}` : `Metric ${body.metric!.name} of ${runName}: ${body.metric!.phase}`}${body.reasons[0] ? ` — ${body.reasons[0]}` : ''}`;
  return { text, blocks };
}
