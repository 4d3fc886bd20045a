/**
 * How a promotion ended, decided from what happened: the analyses' verdicts, whether traffic was
 * switched and restored, whether the run was interrupted. Pure: the CLI maps the ending to an exit
 * status and prints the report; the events written on the object come from here too.
 */
import { describeTraffic, type Destination, type Selector, type TargetKind, type Traffic } from './traffic.js';

export interface Verdict {
  phase: string;
  message: string;
}

/** The JSON `assay promote --output json` ends with. */
export interface PromotionReport {
  kind: TargetKind;
  namespace: string;
  name: string;
  promoted: boolean;
  rolledBack: boolean;
  interrupted: boolean;
  pre: Verdict | null;
  post: Verdict | null;
  /** Selector (Service) or destination (VirtualService) before the promotion. */
  previous: Selector | Destination | null;
  /** Where traffic is now. */
  current: Selector | Destination | null;
  /** The same two values under names that say what they are (previousSelector or previousDestination, ...). */
  [named: string]: unknown;
  message: string;
}

/** Successful → exit 0; an analysis phase → its exit code; interrupted / error as named. */
type Ending = { kind: 'phase'; phase: string } | { kind: 'interrupted' } | { kind: 'error' };

export interface Progress {
  pre: Verdict | null;
  post: Verdict | null;
  /** The switch was written. */
  switched: boolean;
  /** The switch was undone. */
  rolledBack: boolean;
  /** A signal or --timeout stopped it. */
  interrupted: boolean;
  /** A write failed (other than a missing object); the message says which. */
  failure?: string;
}

const isSuccessful = (v: Verdict | null): boolean => v === null || v.phase === 'Successful';

export function ending(p: Progress): Ending {
  if (p.failure !== undefined) return { kind: 'error' };
  if (p.interrupted) return { kind: 'interrupted' };
  if (!isSuccessful(p.pre)) return { kind: 'phase', phase: p.pre!.phase };
  if (!isSuccessful(p.post)) return { kind: 'phase', phase: p.post!.phase };
  if (!p.switched || p.rolledBack) return { kind: 'error' };
  return { kind: 'phase', phase: 'Successful' };
}

const verdictText = (what: string, v: Verdict): string => `${what} ${v.phase}${v.message ? `: ${v.message}` : ''}`;

/** One sentence: what happened and why, for the log, the event and the JSON `message`. */
export function summary(p: Progress, previous: Traffic | null, next: Traffic | null): string {
  const to = next ? describeTraffic(next) : 'the new version';
  const from = previous ? describeTraffic(previous) : 'the previous version';
  if (p.failure !== undefined) return p.failure;
  if (p.interrupted) {
    return p.rolledBack ? `interrupted after the switch: rolled back to ${from}` : `interrupted before the switch: traffic stays on ${from}`;
  }
  if (!isSuccessful(p.pre)) return `not promoted: ${verdictText('pre-promotion analysis', p.pre!)}; traffic stays on ${from}`;
  if (!isSuccessful(p.post)) return `rolled back to ${from}: ${verdictText('post-promotion analysis', p.post!)}`;
  const checks = [p.pre && 'pre-promotion analysis Successful', p.post && 'post-promotion analysis Successful'].filter(Boolean);
  return `promoted to ${to}${checks.length > 0 ? ` (${checks.join(', ')})` : ''}`;
}

export interface EventSpec {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** The event for where the promotion ended (the switch itself has its own, see switchEvent). */
export function endingEvent(p: Progress, message: string): EventSpec | undefined {
  if (p.failure !== undefined) return { type: 'Warning', reason: 'PromotionError', message };
  if (p.rolledBack) return { type: 'Warning', reason: 'RolledBack', message };
  if (!p.switched) return { type: 'Warning', reason: 'PromotionBlocked', message };
  if (p.post) return { type: 'Normal', reason: 'PromotionSucceeded', message };
  return undefined; // switched without post analysis: the Promoted event says everything
}

export function switchEvent(p: Progress, previous: Traffic, next: Traffic): EventSpec {
  const pre = p.pre ? `; ${verdictText('pre-promotion analysis', p.pre)}` : '';
  return { type: 'Normal', reason: 'Promoted', message: `traffic switched from ${describeTraffic(previous)} to ${describeTraffic(next)}${pre}` };
}

const trafficValue = (t: Traffic | null): Selector | Destination | null => (t === null ? null : 'selector' in t ? t.selector : t.destination);

/** `previous`/`current`, and the same as previousSelector/currentSelector or previousDestination/currentDestination. */
export function trafficFields(
  previous: Traffic,
  current: Traffic | null,
): { previous: Selector | Destination | null; current: Selector | Destination | null } & Record<string, Selector | Destination | null> {
  const noun = 'selector' in previous ? 'Selector' : 'Destination';
  const [p, c] = [trafficValue(previous), trafficValue(current)];
  return { previous: p, current: c, [`previous${noun}`]: p, [`current${noun}`]: c };
}
