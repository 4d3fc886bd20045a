/**
 * The pure part of a backtest: reading `--from/--to/--every/--for`, deciding when each replay
 * starts and when its clock stops, and refusing metrics that cannot be replayed. Nothing here
 * reads a clock: `now` (the present) is an argument.
 */
import type { AnalysisRun } from '../api/types.js';
import { providerKeysOf } from '../core/metric-spec.js';
import { formatTime, type Instant } from '../core/time.js';
import { formatGoDuration, parseGoDuration } from '../go/duration.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** RFC 3339 with a mandatory offset: a time without one would silently mean the local zone. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * `--from`/`--to`: RFC 3339, `now`, or a Go duration before now (`-6h` and `6h` both mean six
 * hours ago: a backtest can only look back). Relative times are cut to whole seconds, so that
 * the replayed instants read like the ones Kubernetes writes in status.
 */
function parseInstant(flag: string, text: string, now: Instant): Parsed<Instant> {
  const t = text.trim();
  if (t === 'now') return { ok: true, value: wholeSeconds(now) };
  if (RFC3339.test(t)) {
    const ms = Date.parse(t.replace(' ', 'T'));
    if (!Number.isNaN(ms)) return { ok: true, value: ms };
  }
  if (t.startsWith('+')) return { ok: false, error: `${flag} "${text}": a backtest replays the past; use "-${t.slice(1)}" (before now)` };
  const d = parseGoDuration(t.startsWith('-') ? t.slice(1) : t);
  if (d.ok) return { ok: true, value: wholeSeconds(now - d.ms) };
  return {
    ok: false,
    error: `${flag} "${text}": expected an RFC 3339 time (2026-11-20T14:00:00Z), "now", or a duration before now (-6h, 90m)`,
  };
}

function wholeSeconds(ms: Instant): Instant {
  return Math.floor(ms / 1000) * 1000;
}

interface PlanFlags {
  from: string;
  to: string;
  every?: string;
  /** How long each replay of `--every` may run; default: until the present. */
  for?: string;
}

export interface Replay {
  /** Virtual time 0. */
  start: Instant;
  /** The instant the replay's clock stops (runVirtual's `until`, as an absolute time). */
  stop: Instant;
}

export interface Plan {
  from: Instant;
  to: Instant;
  every?: number;
  replays: Replay[];
}

/** More starts than this is almost certainly a mistyped `--every` (1s over a week). */
const MAX_REPLAYS = 500;

/**
 * One replay from `from` stopped at `to`; or, with `--every D`, a replay at from, from+D, ...
 * up to and including `to`, each stopped `--for` after its start or at the present (there is no
 * history past it), whichever comes first.
 */
export function planReplays(flags: PlanFlags, now: Instant): Parsed<Plan> {
  const from = parseInstant('--from', flags.from, now);
  if (!from.ok) return from;
  const to = parseInstant('--to', flags.to, now);
  if (!to.ok) return to;
  const present = wholeSeconds(now);
  if (from.value >= to.value) return { ok: false, error: `--from (${formatTime(from.value)}) must be before --to (${formatTime(to.value)})` };
  if (to.value > present) return { ok: false, error: `--to (${formatTime(to.value)}) is in the future: no backend can answer for it` };
  if (flags.every === undefined) {
    if (flags.for !== undefined) return { ok: false, error: '--for only applies with --every (without it, the replay stops at --to)' };
    return { ok: true, value: { from: from.value, to: to.value, replays: [{ start: from.value, stop: to.value }] } };
  }
  const every = positiveDuration('--every', flags.every);
  if (!every.ok) return every;
  let span: number | undefined;
  if (flags.for !== undefined) {
    const f = positiveDuration('--for', flags.for);
    if (!f.ok) return f;
    span = f.value;
  }
  const count = Math.floor((to.value - from.value) / every.value) + 1;
  if (count > MAX_REPLAYS) {
    return { ok: false, error: `--every ${flags.every} gives ${count} replays between --from and --to (at most ${MAX_REPLAYS})` };
  }
  const replays: Replay[] = [];
  for (let i = 0; i < count; i++) {
    const start = from.value + i * every.value;
    replays.push({ start, stop: span === undefined ? present : Math.min(start + span, present) });
  }
  return { ok: true, value: { from: from.value, to: to.value, every: every.value, replays } };
}

function positiveDuration(flag: string, text: string): Parsed<number> {
  const d = parseGoDuration(text);
  if (!d.ok) return { ok: false, error: `${flag} "${text}": ${d.error}` };
  if (d.ms <= 0) return { ok: false, error: `${flag} "${text}": must be positive` };
  return { ok: true, value: d.ms };
}

/** What the plan needs to know of a provider: its key and whether it can be asked about the past. */
interface ProviderHistory {
  key: string;
  historical?: boolean;
}

/**
 * A metric can be replayed only if its provider anchors every query at the instant it is asked
 * for (`historical` on the provider: Prometheus' instant query at a given time, Graphite's
 * from/until, CloudWatch's StartTime/EndTime, ...). Any other provider would measure the present
 * and pass it off as history, so such metrics are refused, each named with its provider and the
 * reason. assay's own plugin sources (assay/compare, assay/guard) replay when every provider they
 * sample does.
 */
export function unreplayableMetrics(run: AnalysisRun, providers: readonly ProviderHistory[]): string[] {
  const historical: ReadonlySet<string> = new Set(providers.filter((p) => p.historical === true).map((p) => p.key));
  const names = [...historical].sort();
  const problems: string[] = [];
  for (const metric of run.spec.metrics) {
    const keys = providerKeysOf(metric);
    if (keys.length === 1 && replayable(metric.provider, historical)) continue;
    const provider = keys.length === 0 ? 'no provider' : `the ${keys.join(' + ')} provider`;
    const why = keys.length > 1 ? 'which cannot be replayed' : 'which cannot be asked about the past';
    problems.push(
      `metric "${metric.name}" uses ${provider}, ${why}; only metrics of ${names.join(', ')} (and assay/compare or assay/guard over them) can be replayed against history`,
    );
  }
  return problems;
}

/** Where assay's plugin sources keep the provider blocks they sample. */
const NESTED_SOURCES: Record<string, (config: Record<string, unknown>) => unknown[]> = {
  'assay/compare': (c) => [c['baseline'], c['canary']].flatMap((side) => (isCounts(side) ? [side.events, side.total] : [side])),
  'assay/guard': (c) => [c['provider'], c['traffic']].filter((b) => b !== undefined),
};

function replayable(block: unknown, historical: ReadonlySet<string>, depth = 0): boolean {
  if (typeof block !== 'object' || block === null || depth > 3) return false;
  const entries = Object.entries(block as Record<string, unknown>).filter(([, v]) => v != null);
  if (entries.length !== 1) return false;
  const [key, value] = entries[0]!;
  if (historical.has(key)) return true;
  if (key !== 'plugin' || typeof value !== 'object' || value === null) return false;
  const plugins = Object.entries(value as Record<string, unknown>);
  if (plugins.length !== 1) return false;
  const [name, config] = plugins[0]!;
  const nested = NESTED_SOURCES[name];
  if (!nested || typeof config !== 'object' || config === null) return false;
  return nested(config as Record<string, unknown>).every((b) => replayable(b, historical, depth + 1));
}

function isCounts(side: unknown): side is { events: unknown; total: unknown } {
  return typeof side === 'object' && side !== null && 'events' in side && 'total' in side;
}

/** `+20m0s` for a virtual offset. */
export function formatOffset(ms: number): string {
  return `+${formatGoDuration(ms)}`;
}
