/**
 * `assay lint` against two collections: real-world-shaped manifests that Argo accepts
 * (test/lint/accepted/, each modeled on a public repository, provenance in its header) must lint
 * with no error, file by file and as one directory; every deliberately broken manifest in
 * examples/broken/ must be rejected with a message that names the fault.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintCommand } from '../../../src/cli/lint-command.js';

const root = resolve(import.meta.dirname, '..', '..', '..');
const accepted = join(root, 'test/lint/accepted');
const broken = join(root, 'examples/broken');

async function lint(...paths: string[]) {
  const lines: string[] = [];
  const code = await lintCommand(paths, { out: (l) => lines.push(l), err: (l) => lines.push(l) });
  return { code, lines, errors: lines.filter((l) => l.startsWith('error: ')), text: lines.join('\n') };
}

describe('lint: public templates Argo accepts', () => {
  const files = readdirSync(accepted).filter((f) => f.endsWith('.yaml'));

  it('has a collection to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  it.each(files)('%s lints with no error and exit 0', async (file) => {
    const r = await lint(join(accepted, file));
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    // Never a placeholder of lint's own in a message.
    expect(r.text).not.toMatch(/ASSAY_ARG|dummy-value/);
  });

  it('lints the whole directory (cross-file references) with no error', async () => {
    const r = await lint(accepted);
    expect(r.errors).toEqual([]);
    expect(r.lines.at(-1)).toMatch(/^\d+ resources checked: 0 errors, \d+ warnings?$/);
    expect(r.code).toBe(0);
  });

  it('reports what the CRD prunes as warnings, which do not fail the lint', async () => {
    const r = await lint(join(accepted, 'job-kubectl-dry-run.yaml'), join(accepted, 'prometheus-cacert.yaml'));
    expect(r.text).toContain('warning: ');
    expect(r.text).toMatch(/template\.metadata\.creationTimestamp: creationTimestamp: null .* dropped/);
    expect(r.text).toMatch(/prometheus\.caCert: unknown field: Argo's CRD prunes it silently/);
    expect(r.code).toBe(0);
  });

  it('never warns that a background or plain template metric runs indefinitely', async () => {
    const r = await lint(join(accepted, 'canary-background-indefinite.yaml'), join(accepted, 'web.yaml'));
    expect(r.text).not.toMatch(/indefinitely/);
    expect(r.lines.at(-1)).toMatch(/0 errors, 0 warnings/);
  });
});

/** Each broken file and the messages (fragments) that must name its faults. */
const EXPECTED: Record<string, string[]> = {
  'typos.yaml': ['spec.metrics[0].sucessCondition: unknown field (did you mean "successCondition"?)'],
  'rules.yaml': [
    'count (2) must be >= failureLimit + consecutiveSuccessLimit (1 + 2) if both >= 0',
    'spec.metrics[1].successCondition: does not compile',
    'failed to resolve {{args.service}}: no arg "service" is declared',
    "metrics[3]: duplicate name 'limits'",
    'invalid interval string: time: unknown unit "d" in duration "1d"',
    'invalid Go regexp "*"',
  ],
  'kind-typo.yaml': ['no matches for kind "AnalysisTemplates" in version "argoproj.io/v1alpha1"', 'did you mean kind: AnalysisTemplate?'],
  'api-version.yaml': ['apiVersion: expected "argoproj.io/v1alpha1", got string "argoproj.io/v1"'],
  'metadata.yaml': [
    'metadata.name: Required value: name or generateName is required',
    'metadata.name: Invalid value: "Error_Rate": a lowercase RFC 1123 subdomain',
    'metadata.labels.owner: Invalid value: "platform team": a valid label must be an empty string',
    'metadata.annotations["argocd.argoproj.io/sync-wave"]: expected string, got integer -1',
  ],
  'yaml-keys.yaml': ['YAML syntax error: Map keys must be unique (line 11', 'a map key is null: kubectl cannot convert this YAML to JSON'],
  'job.yaml': [
    'containers[0].name: Invalid value: "Smoke_Test": a lowercase RFC 1123 label',
    'containers[0].image: Required value',
    'requests.cpu: "1 core": quantities must match the regular expression',
    'requests.memory: Invalid value: "256Mi": must be less than or equal to memory limit of 128Mi',
    'restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
    'spec.metrics[3].provider.job.spec.template.spec.containers: Required value',
  ],
  'limits.yaml': [
    'metrics[0]: consecutiveSuccessLimit must be >= 0',
    'metrics[1]: failureLimit must be >= 0, or -1 to be disabled',
    'metrics[2]: failureLimit and consecutiveSuccessLimit cannot both be disabled',
    'metrics[3]: inconclusiveLimit must be >= 0',
    'metrics[4]: consecutiveErrorLimit must be >= 0',
    'metrics[5]: count must be >= inconclusiveLimit',
    'metrics[6]: interval must be specified when count > 1',
    'metrics[7]: invalid startDelay string: time: missing unit in duration "30"',
    'metrics[8]: invalid startDelay string: time: unknown unit " minutes"',
    'metrics[9]: no provider specified',
    'metrics[10]: multiple providers specified',
    '(AnalysisTemplate no-metrics): spec.metrics: no metrics specified',
  ],
  'providers.yaml': [
    'Body/JSONBody can only be used with POST or PUT WebMetric Method types',
    'prometheus address is not is url format',
    'prometheus timeout should not be negative',
    'Cannot have both a query and queries',
    'provider.datadog.interval: every measurement would fail: time: unknown unit "d" in duration "1d"',
    'provider.prometheus.query: Required value: Prometheus answers every measurement with an error',
    'provider.graphite.address: Required value: the Graphite provider has no default address',
  ],
  'rollouts.yaml': [
    "AnalysisTemplate 'shop-sucess-rate' not found (did you mean 'shop-success-rate'?)",
    'args.service-name was not resolved',
    'AnalysisTemplate shop-error-watch has metric errors which runs indefinitely. Invalid value for count: <nil>',
    'with the args passed here: metrics[0]: count (2) must be >= failureLimit + consecutiveSuccessLimit (3 + 0) if both >= 0',
    "AnalysisTemplate 'shop-cluster-latency' not found (there is a ClusterAnalysisTemplate of that name: set clusterScope: true)",
    "(Experiment missing-experiment-template): spec.analyses[0].templateName: AnalysisTemplate 'shop-latency' not found",
  ],
  'runs.yaml': [
    'Unable to resolve metric arguments: argument "service-name" was not supplied',
    "Argument `threshold` specified multiple times with different values: '0.9', '0.95'",
    "two Measurement Retention metric rules have the same name 'rate'",
    "dryRun[0]: Rule didn't match any metric name(s)",
    'spec.metrics[0].interval: expected string, got integer 5',
  ],
};

describe('lint: deliberately broken manifests', () => {
  it('covers every file in examples/broken', () => {
    expect(readdirSync(broken).filter((f) => f.endsWith('.yaml')).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s is rejected with messages naming each fault', async (file, fragments) => {
    const r = await lint(join(broken, file));
    expect(r.code).toBe(1);
    for (const fragment of fragments) {
      const line = r.errors.find((l) => l.includes(fragment));
      expect(line, `no error containing ${JSON.stringify(fragment)} in:\n${r.text}`).toBeDefined();
      // Every message names the file and the document.
      expect(line).toMatch(new RegExp(`^error: ${join(broken, file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: document \\d+`));
    }
  });
});
