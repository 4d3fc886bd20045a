/**
 * Lint's judgement where it must agree with Argo and not with a stand-in: values that come from
 * args, Rollouts and Experiments that use templates, and what is only a warning.
 */
import { describe, expect, it } from 'vitest';
import { loadManifests } from '../../../src/api/load.js';
import { judgeLoadProblem, lintDocuments, toLintDoc } from '../../../src/lint/lint.js';
import { formatPath } from '../../../src/api/schema/issues.js';

function lint(yaml: string) {
  const loaded = loadManifests(yaml, 'm.yaml');
  const { problems } = lintDocuments(loaded.resources.map(toLintDoc), loaded.errors);
  const all = [
    ...[...loaded.errors, ...loaded.warnings].map((e) => ({ ...judgeLoadProblem(e), where: e.path ?? '' })),
    ...problems.map((p) => ({ severity: p.severity, message: p.message, where: `${p.doc.kind} ${p.doc.name}: ${formatPath(p.path)}` })),
  ];
  return {
    errors: all.filter((p) => p.severity === 'error').map((p) => `${p.where}: ${p.message}`),
    warnings: all.filter((p) => p.severity === 'warning').map((p) => `${p.where}: ${p.message}`),
  };
}

const template = (name: string, metric: string, args = '') => `---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: ${name}}
spec:
${args}
  metrics:
  - name: m
${metric}
    provider: {prometheus: {address: "http://p:9090", query: up}}
`;

const rollout = (strategy: string) => `---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: app, labels: {tier: web}}
spec:
  selector: {matchLabels: {app: app}}
  template: {metadata: {labels: {app: app}}, spec: {containers: [{name: app, image: "app:1"}]}}
  strategy:
${strategy}
`;

const FROM_ARGS = template(
  'from-args',
  '    interval: "{{args.interval}}"\n    count: "{{args.count}}"\n    failureLimit: 2',
  '  args: [{name: interval}, {name: count}]',
);

describe('values that come from args', () => {
  it('skips checks whose value has not arrived, and never shows a placeholder of its own', () => {
    const r = lint(FROM_ARGS);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
  });

  it('checks them with the values a Rollout passes', () => {
    const strategy = (interval: string, count: string) => `    canary:
      steps:
      - analysis:
          templates: [{templateName: from-args}]
          args: [{name: interval, value: "${interval}"}, {name: count, value: "${count}"}]`;
    expect(lint(FROM_ARGS + rollout(strategy('1m', '3'))).errors).toEqual([]);
    const bad = lint(FROM_ARGS + rollout(strategy('1d', '3'))).errors;
    expect(bad).toEqual([expect.stringContaining('Rollout app: spec.strategy.canary.steps[0].analysis: AnalysisTemplate from-args, spec.metrics[0], with the args passed here: metrics[0]: invalid interval string: time: unknown unit "d" in duration "1d"')]);
    expect(lint(FROM_ARGS + rollout(strategy('1m', '1'))).errors).toEqual([
      expect.stringContaining('count (1) must be >= failureLimit + consecutiveSuccessLimit (2 + 0) if both >= 0'),
    ]);
  });

  it('resolves fieldRef metadata args from the Rollout itself', () => {
    const t = template('threshold', '    count: 1\n    successCondition: result[0] > {{args.min}}', '  args: [{name: min}]');
    const tier = (value: string) => rollout(strategy).replace('tier: web', `tier: "${value}"`);
    const strategy = `    canary:
      steps:
      - analysis:
          templates: [{templateName: threshold}]
          args: [{name: min, valueFrom: {fieldRef: {fieldPath: "metadata.labels['tier']"}}}]`;
    expect(lint(t + tier('0.95')).errors).toEqual([]);
    // The label's value makes the condition `result[0] > web`: an unknown name, as Argo's compile says.
    expect(lint(t + tier('web')).errors).toEqual([expect.stringContaining('successCondition, with the args passed here: does not compile: unknown name web')]);
  });
});

describe('metrics that run indefinitely', () => {
  const forever = template('forever', '    interval: 1m');
  const use = (where: string) => {
    const strategies: Record<string, string> = {
      pre: '    blueGreen: {activeService: a, previewService: p, prePromotionAnalysis: {templates: [{templateName: forever}]}}',
      post: '    blueGreen: {activeService: a, previewService: p, postPromotionAnalysis: {templates: [{templateName: forever}]}}',
      inline: '    canary: {steps: [{analysis: {templates: [{templateName: forever}]}}]}',
      background: '    canary: {analysis: {templates: [{templateName: forever}]}, steps: [{setWeight: 50}]}',
      experiment: '    canary: {steps: [{experiment: {templates: [{name: c, specRef: canary}], analyses: [{name: f, templateName: forever}]}}]}',
    };
    return lint(forever + rollout(strategies[where]!));
  };

  it.each(['pre', 'post', 'inline'])('are refused in %s analysis, with Argo\'s message', (where) => {
    expect(use(where).errors).toEqual([
      expect.stringContaining('AnalysisTemplate forever has metric m which runs indefinitely. Invalid value for count: <nil>'),
    ]);
  });

  it.each(['background', 'experiment'])('are allowed in %s analysis and in a plain template, without a warning', (where) => {
    expect(use(where)).toEqual({ errors: [], warnings: [] });
    expect(lint(forever)).toEqual({ errors: [], warnings: [] });
  });

  it('are judged with the count a Rollout passes, and only warned about when it is unknown', () => {
    const t = template('n', '    interval: 1m\n    count: "{{args.n}}"', '  args: [{name: n}]');
    const pre = (arg: string) => `    blueGreen: {activeService: a, previewService: p, prePromotionAnalysis: {templates: [{templateName: n}], args: [${arg}]}}`;
    expect(lint(t + rollout(pre('{name: n, value: "3"}')))).toEqual({ errors: [], warnings: [] });
    expect(lint(t + rollout(pre('{name: n, value: "0"}'))).errors).toEqual([expect.stringContaining('which runs indefinitely. Invalid value for count: 0')]);
    const unknown = lint(t + rollout(pre('{name: n, valueFrom: {podTemplateHashValue: Latest}}')));
    expect(unknown.errors).toEqual([]);
    expect(unknown.warnings).toEqual([expect.stringContaining('takes count from args whose value is not known here')]);
  });
});

describe('references', () => {
  it('finds templates in the Rollout namespace only', () => {
    const t = `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: rate, namespace: team-a}
spec: {metrics: [{name: m, provider: {web: {url: "http://x"}}}]}
`;
    const r = rollout('    canary: {steps: [{analysis: {templates: [{templateName: rate}]}}]}').replace('name: app,', 'name: app, namespace: team-b,');
    expect(lint(t + r).errors).toEqual([expect.stringContaining("AnalysisTemplate 'rate' not found (it is in namespace team-a; templates resolve in the Rollout's namespace team-b)")]);
  });

  it('only warns when no template at all was given to check against', () => {
    const r = lint(rollout('    canary: {steps: [{analysis: {templates: [{templateName: elsewhere}]}}]}'));
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([expect.stringContaining("AnalysisTemplate 'elsewhere' not found among the linted files")]);
  });

  it('requires the args of experiment analyses too', () => {
    const t = template('needs-arg', '    count: 1', '  args: [{name: service}]');
    const exp = `---
apiVersion: argoproj.io/v1alpha1
kind: Experiment
metadata: {name: exp}
spec:
  templates: [{name: c, selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i}]}}}]
  analyses: [{name: a, templateName: needs-arg}]
`;
    expect(lint(t + exp).errors).toEqual([expect.stringContaining('args.service was not resolved')]);
  });

  it('reports templates whose metric names collide when a Rollout combines them', () => {
    const r = rollout('    canary: {steps: [{analysis: {templates: [{templateName: one}, {templateName: two}]}}]}');
    expect(lint(template('one', '    count: 1') + template('two', '    count: 1') + r).errors).toEqual([
      expect.stringContaining(`Invalid value: "templateNames: [one two]": two metrics have the same name 'm'`),
    ]);
  });
});

describe('kinds, fields and YAML', () => {
  it('rejects Argo kinds under a built-in apiVersion, and accepts other argoproj.io kinds', () => {
    expect(lint('apiVersion: apps/v1\nkind: Rollout\nmetadata: {name: r}\n').errors).toEqual([
      expect.stringContaining('no matches for kind "Rollout" in version "apps/v1"'),
    ]);
    expect(lint('apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: w}\n')).toEqual({ errors: [], warnings: [] });
  });

  it('treats a near miss of a real field as an error and other pruned fields as warnings', () => {
    const r = lint(template('t', '    count: 1\n    failurelimit: 2\n    maxFailures: 1'));
    expect(r.errors).toEqual([expect.stringContaining('unknown field (did you mean "failureLimit"?)')]);
    expect(r.warnings).toEqual([expect.stringContaining('Argo renamed it "failureLimit"')]);
  });

  it('does not fail a plugin metric', () => {
    const t = `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: p}
spec: {metrics: [{name: m, count: 1, provider: {plugin: {"acme/metrics": {query: up}}}}]}
`;
    expect(lint(t).errors).toEqual([]);
  });

  it('warns about unquoted YAML 1.1 booleans, which kubectl reads as true/false', async () => {
    const { YamlSource } = await import('../../../src/lint/yaml-source.js');
    const problems = new YamlSource('metadata:\n  labels:\n    enabled: yes\n    quoted: "on"\n').keyProblems().get(0) ?? [];
    expect(problems.map((p) => [p.severity, p.path.join('.')])).toEqual([['warning', 'metadata.labels.enabled']]);
  });
});

describe('templates composed of templates', () => {
  const composed = (refs: string) => `---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: composed}
spec:
  templates: [${refs}]
`;

  it('resolves nested references and reports the ones that do not resolve', () => {
    const r = lint(template('one', '    count: 1') + composed('{templateName: one}, {templateName: onee}'));
    expect(r.errors).toEqual([expect.stringContaining("AnalysisTemplate composed: spec.templates[1].templateName: AnalysisTemplate 'onee' not found (did you mean 'one'?)")]);
    // A name nothing explains may be installed separately (by a platform team): a warning.
    const elsewhere = lint(template('one', '    count: 1') + composed('{templateName: one}, {templateName: platform-slo, clusterScope: true}'));
    expect(elsewhere.errors).toEqual([]);
    expect(elsewhere.warnings).toEqual([expect.stringContaining("ClusterAnalysisTemplate 'platform-slo' not found among the linted files")]);
  });

  it('reports metric names that collide once the templates are flattened', () => {
    const r = lint(template('one', '    count: 1') + template('two', '    count: 1') + composed('{templateName: one}, {templateName: two}'));
    expect(r.errors).toEqual([expect.stringContaining("two metrics have the same name 'm'")]);
  });

  it('leaves required args to whoever uses the composed template', () => {
    const r = lint(template('one', '    count: 1', '  args: [{name: service}]') + composed('{templateName: one}'));
    expect(r).toEqual({ errors: [], warnings: [] });
  });
});

describe('args Argo reads differently than they look', () => {
  it('warns that a non-numeric count is read as 0', () => {
    expect(lint(template('t', '    count: "three"')).warnings).toEqual([expect.stringContaining('"three" is not an integer: Argo reads it as 0 (no count)')]);
  });

  it('refuses a template arg read with fieldRef that the Rollout does not pass', () => {
    const t = template('f', '    count: 1', "  args: [{name: region, valueFrom: {fieldRef: {fieldPath: \"metadata.labels['region']\"}}}]");
    expect(lint(t).warnings).toEqual([expect.stringContaining('Argo never resolves fieldRef on a template arg')]);
    const use = (args: string) => lint(t + rollout(`    canary: {steps: [{analysis: {templates: [{templateName: f}]${args}}}]}`));
    expect(use('').errors).toEqual([expect.stringContaining('Unable to resolve metric arguments: argument "region" was not supplied')]);
    expect(use(', args: [{name: region, value: eu}]').errors).toEqual([]);
  });
});

describe("a Rollout's own dryRun and measurementRetention rules", () => {
  it('must be Go regexps that match a metric of the templates it uses', () => {
    const use = (rules: string) => lint(template('t', '    count: 1') + rollout(`    canary: {steps: [{analysis: {templates: [{templateName: t}], ${rules}}}]}`));
    expect(use('dryRun: [{metricName: ".*"}], measurementRetention: [{metricName: m, limit: 5}]').errors).toEqual([]);
    expect(use('dryRun: [{metricName: "*"}]').errors).toEqual([expect.stringContaining('invalid Go regexp "*"')]);
    expect(use('dryRun: [{metricName: latency}]').errors).toEqual([expect.stringContaining("dryRun[0]: Rule didn't match any metric name(s)")]);
  });
});

describe('Job specs', () => {
  const job = (podSpec: string, args = '') => `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: j}
spec:
${args}
  metrics:
  - name: j
    provider:
      job:
        spec:
          template:
            metadata: {annotations: {sidecar.istio.io/inject: false}}
            spec: ${podSpec}
`;

  it('judges what the Job API refuses, and leaves values from args to the run', () => {
    const ok = lint(job('{containers: [{name: t, image: "{{args.image}}"}], restartPolicy: "{{args.policy}}"}', '  args: [{name: image}, {name: policy}]'));
    expect(ok.errors).toEqual([expect.stringContaining('annotations values must be strings, got boolean false')]);
    const bad = lint(job('{containers: [{name: t, image: i, env: [{name: "1ST", value: 5}], ports: [{containerPort: 70000}]}], restartPolicy: Never}'));
    expect(bad.errors).toEqual(
      expect.arrayContaining([
        expect.stringContaining('env[0].name: Invalid value: "1ST": a valid environment variable name'),
        expect.stringContaining('env[0].value: must be a string, got number 5'),
        expect.stringContaining('ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive'),
      ]),
    );
  });
});

describe('what Argo reads at run time from the manifests beside the template', () => {
  it('checks a secretKeyRef key against a Secret in the linted files (never printing values)', () => {
    const secret = `---
apiVersion: v1
kind: Secret
metadata: {name: creds}
data: {token: c2VjcmV0LXZhbHVl}
`;
    const t = (key: string) => template('s', '    count: 1', `  args: [{name: token, valueFrom: {secretKeyRef: {name: creds, key: ${key}}}}]`);
    expect(lint(secret + t('token')).errors).toEqual([]);
    const r = lint(secret + t('tokn'));
    expect(r.errors).toEqual([expect.stringContaining("key 'tokn' does not exist in secret 'creds' (m.yaml has: token)")]);
    expect(r.errors.join()).not.toContain('c2VjcmV0');
    // A Secret kept elsewhere (not in the files) is not judged.
    expect(lint(t('anything')).errors).toEqual([]);
  });

  it('walks a Rollout fieldRef outside metadata the way Argo does', () => {
    const t = template('img', '    count: 1\n    successCondition: result == "{{args.image}}"', '  args: [{name: image}]');
    const use = (path: string) => lint(t + rollout(`    canary: {steps: [{analysis: {templates: [{templateName: img}], args: [{name: image, valueFrom: {fieldRef: {fieldPath: "${path}"}}}]}}]}`));
    expect(use('spec.template.spec.containers[0].image').errors).toEqual([]);
    expect(use('spec.template.spec.containers[3].image').errors).toEqual([expect.stringContaining('index 3 out of range')]);
    expect(use('spec.template.spec.containers[0]').errors).toEqual([expect.stringContaining('must terminate in a primitive value')]);
    expect(use('spec.nothing.here').errors).toEqual([expect.stringContaining('invalid path spec.nothing.here in rollout')]);
  });

  it('reports templates that reference each other in a cycle', () => {
    const a = `---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: a}
spec: {templates: [{templateName: b}]}
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: b}
spec: {templates: [{templateName: a}], metrics: [{name: m, provider: {web: {url: "http://x"}}}]}
`;
    const r = lint(a + rollout('    canary: {steps: [{analysis: {templates: [{templateName: a}]}}]}'));
    expect(r.errors).toEqual(expect.arrayContaining([expect.stringContaining('templates reference each other in a cycle (a -> b -> a)')]));
  });
});
