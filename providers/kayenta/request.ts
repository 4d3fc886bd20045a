/**
 * What Argo sends to Kayenta: the canary-config lookup URL, the canary execution URL and the
 * execution request (scopes with their time windows, thresholds), built as Argo builds them
 * (`fmt.Sprintf` URLs without escaping; Go's JSON field order; map keys sorted).
 */
import { parseGoDuration } from '../../src/go/duration.js';
import type { KayentaConfig, ScopeDetail } from './config.js';

export function configLookupUrl(c: KayentaConfig): string {
  // (sic) Argo passes storageAccountName as configurationAccountName here.
  return `${c.address}/canaryConfig?application=${c.application}&configurationAccountName=${c.storageAccountName}`;
}

export function executionUrl(c: KayentaConfig, configId: string): string {
  return (
    `${c.address}/canary/${configId}?application=${c.application}&metricsAccountName=${c.metricsAccountName}` +
    `&configurationAccountName=${c.configurationAccountName}&storageAccountName=${c.storageAccountName}`
  );
}

export function scoreUrl(c: KayentaConfig, executionId: string): string {
  return `${c.address}/canary/${executionId}`;
}

/** Go's `time.Format(time.RFC3339)` of a UTC instant: seconds precision, `Z`. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function detail(d: ScopeDetail): Record<string, unknown> {
  return { scope: d.scope, region: d.region, step: d.step, start: d.start, end: d.end };
}

/**
 * The execution request body. Scopes without `start` begin at the run's start (`lookback`) or
 * at `now - metric.interval`; scopes without `end` end at `now`.
 */
export function executionBody(
  c: KayentaConfig,
  now: number,
  runStartedAt: number | undefined,
  metricInterval: string | undefined,
): { ok: true; body: string } | { ok: false; message: string } {
  const scopes: Record<string, unknown> = {};
  for (const s of [...c.scopes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const control = { ...s.controlScope };
    const experiment = { ...s.experimentScope };
    if ((control.start === '') !== (experiment.start === '')) {
      return { ok: false, message: 'controlScope.start and experimentScope.start must both be set or be empty' };
    }
    if ((control.end === '') !== (experiment.end === '')) {
      return { ok: false, message: 'controlScope.end and experimentScope.end must both be set or be empty' };
    }
    if (control.start === '') {
      let start: string;
      if (c.lookback) start = rfc3339(runStartedAt ?? now);
      else {
        const interval = metricInterval ?? '';
        const d = parseGoDuration(interval);
        if (!d.ok) return { ok: false, message: `Invalid duration "${interval}": ${d.error}` };
        start = rfc3339(now - d.ms);
      }
      control.start = start;
      experiment.start = start;
    }
    if (control.end === '') {
      control.end = rfc3339(now);
      experiment.end = rfc3339(now);
    }
    scopes[s.name] = { controlScope: detail(control), experimentScope: detail(experiment) };
  }
  const body = { scopes, thresholds: { pass: c.threshold.pass, marginal: c.threshold.marginal } };
  return { ok: true, body: JSON.stringify(body) };
}
