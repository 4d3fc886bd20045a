/**
 * What `assay run` and `assay backtest` check and apply before a run starts, so that no flag is
 * silently ignored and no run starts that could never end on its own. Pure: takes the run the
 * files describe and the flags, returns a changed copy or a usage message.
 */
import type { AnalysisRun, Argument, Metric } from '../api/types.js';
import { argsWithoutSecrets, resolveMetricArgs } from '../core/args.js';
import { effectiveCount } from '../core/metric-spec.js';

type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * `-a name=value` against the args the templates (or the AnalysisRun) declare: a name nobody
 * declared is a typo that Argo's MergeArgs would drop silently, so it is refused with the list.
 */
export function unknownArgs(given: readonly Argument[], declared: readonly Argument[]): string | undefined {
  const names = new Set(declared.map((a) => a.name));
  const unknown = given.filter((a) => !names.has(a.name)).map((a) => a.name);
  if (unknown.length === 0) return undefined;
  const list = declared.length > 0 ? `declared: ${declared.map((a) => a.name).join(', ')}` : 'the templates declare no args';
  const what = unknown.length === 1 ? `-a ${unknown[0]}: no such arg` : `-a ${unknown.join(', ')}: no such args`;
  return `${what} (${list})`;
}

/** Argo's `args.X was not resolved`, with the flag that supplies X. */
export function explainUnresolvedArg(error: string): string {
  const m = /^args\.(.+) was not resolved$/.exec(error);
  if (!m) return error;
  return `${error}: the templates declare arg "${m[1]}" without a value; supply it with -a ${m[1]}=VALUE`;
}

/** -a values applied to an AnalysisRun from a file: they replace the values of declared args. */
export function applyArgs(run: AnalysisRun, given: readonly Argument[]): Checked<AnalysisRun> {
  if (given.length === 0) return { ok: true, value: run };
  const declared = run.spec.args ?? [];
  const unknown = unknownArgs(given, declared);
  if (unknown) return { ok: false, error: unknown.replace('the templates declare', 'the AnalysisRun declares') };
  const args = declared.map((a) => {
    const g = given.find((x) => x.name === a.name);
    return g ? { name: a.name, value: g.value } : a;
  });
  return { ok: true, value: { ...run, spec: { ...run.spec, args } } };
}

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/**
 * `--prometheus URL` overrides the address of every prometheus metric, including one the
 * template sets itself (`address: http://prometheus.monitoring.svc:9090` or
 * `address: '{{args.prometheus-address}}'`): on a workstation or CI runner the cluster's address
 * does not resolve, and the flag is how a user points the same template at a port-forward. The
 * Prometheus sources inside assay's plugins (`plugin: {assay/compare: {baseline: {prometheus:
 * ...}}}`) are overridden too. Without the flag, Argo's rule holds: the metric's address, else
 * ARGO_ROLLOUTS_PROMETHEUS_ADDRESS.
 */
export function overridePrometheus(run: AnalysisRun, url: string | undefined): Checked<AnalysisRun> {
  if (url === undefined) return { ok: true, value: run };
  if (!isHttpUrl(url)) return { ok: false, error: `--prometheus "${url}": not an http(s) URL (e.g. http://localhost:9090)` };
  let applied = 0;
  /** Every `prometheus: {...}` block in a provider (or plugin source) tree, with the address set. */
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (typeof node !== 'object' || node === null) return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === 'prometheus' && typeof v === 'object' && v !== null && !Array.isArray(v)) {
        applied++;
        out[k] = { ...v, address: url };
      } else out[k] = rewrite(v);
    }
    return out;
  };
  const metrics = run.spec.metrics.map((m): Metric => {
    const provider = m.provider ?? {};
    const plugin = provider.plugin as Record<string, unknown> | undefined;
    const next: Record<string, unknown> = { ...provider };
    if (provider.prometheus) {
      applied++;
      next.prometheus = { ...provider.prometheus, address: url };
    }
    // Only assay's own plugins are known to hold provider blocks; other plugins' configs are opaque.
    if (plugin) next.plugin = Object.fromEntries(Object.entries(plugin).map(([k, v]) => [k, k.startsWith('assay/') ? rewrite(v) : v]));
    return { ...m, provider: next as Metric['provider'] };
  });
  if (applied === 0) {
    const providers = run.spec.metrics.map((m) => `${m.name} (${Object.keys(m.provider ?? {}).join(', ') || 'no provider'})`);
    return { ok: false, error: `--prometheus: no metric uses the prometheus provider, so the flag would be ignored (metrics: ${providers.join('; ')})` };
  }
  return { ok: true, value: { ...run, spec: { ...run.spec, metrics } } };
}

/**
 * Metrics that never end on their own: an interval and no count (Argo's EffectiveCount is nil).
 * Such a metric stops only when a limit is exceeded, so a healthy service keeps it running for
 * ever. Counts that come from args are read with the run's args substituted.
 */
export function indefiniteMetrics(run: AnalysisRun): { name: string; interval: string }[] {
  const args = argsWithoutSecrets(run.spec.args ?? []);
  const out: { name: string; interval: string }[] = [];
  for (const metric of run.spec.metrics) {
    const resolved = resolveMetricArgs(metric, args);
    // An unresolvable metric is the engine's to report (as Argo does), not this check's.
    const m = resolved.ok ? resolved.value : metric;
    if (effectiveCount(m) === undefined) out.push({ name: m.name, interval: String(m.interval ?? '') });
  }
  return out;
}

export function indefiniteMessage(found: readonly { name: string; interval: string }[]): string {
  const list = found.map((f) => `"${f.name}" (interval ${f.interval}, no count)`).join(', ');
  const one = found.length === 1;
  return (
    `metric${one ? '' : 's'} ${list} run${one ? 's' : ''} indefinitely: without failures ${one ? 'it' : 'they'} would never reach a verdict. ` +
    'Give the metric a count, or bound the run with --timeout DURATION (it then ends with exit status 5, never 0)'
  );
}
