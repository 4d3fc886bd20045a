/**
 * Turning what a wrapped provider observed into numbers: Prometheus vectors and matrices arrive
 * as arrays (a range query's points in time order), scalars as numbers, the web provider's JSON
 * as whatever the endpoint returned. Anything that is not numbers is refused with the role named.
 */
import type { Observation } from '../../src/metric/provider.js';

type Sampled = { ok: true; values: number[] } | { ok: false; observation: Observation };

export function numbersOf(role: string, obs: Observation): Sampled {
  if (obs.kind === 'error') return { ok: false, observation: { ...obs, message: `${role}: ${obs.message}` } };
  if (obs.kind !== 'value') {
    return { ok: false, observation: { kind: 'error', code: 'BadResponse', message: `${role}: the provider did not return a value to compare` } };
  }
  const raw = obs.value;
  const list = raw === null || raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const values: number[] = [];
  for (const v of list) {
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (typeof v !== 'number' && Number.isNaN(n)) {
      return { ok: false, observation: { kind: 'error', code: 'BadResponse', message: `${role}: expected numbers, got ${truncate(obs.display)}` } };
    }
    // NaN points (0/0 rates with no traffic) carry no information: dropped, as gaps are.
    if (!Number.isNaN(n)) values.push(n);
  }
  return { ok: true, values };
}

/** The sum of what a counting query returned (per-pod or per-series counts add up). */
export function total(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function truncate(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
