/**
 * loadManifests / loadFile / loadPaths: multi-document YAML, classification, and error messages that
 * name file, document, resource, field and line:column.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { loadFile, loadManifests, loadPaths } from '../../../src/api/load.js';

const fixturePath = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const fixtureText = (name: string) => readFileSync(fixturePath(name), 'utf8');
const messages = (text: string) => loadManifests(text, 'f.yaml').errors.map((e) => e.message);

const TEMPLATE_HEAD = `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: t
spec:
`;

describe('loading valid manifests', () => {
  it('loads docs-style examples unchanged, including other kinds', () => {
    const text = fixtureText('docs-examples.yaml');
    const { resources, errors } = loadManifests(text, 'docs-examples.yaml');
    expect(errors).toEqual([]);
    expect(resources.map((r) => [r.kind, r.name, r.documentIndex])).toEqual([
      ['AnalysisTemplate', 'success-rate', 0],
      ['ClusterAnalysisTemplate', 'error-budget', 1],
      ['AnalysisTemplate', 'web-and-job', 2],
      ['AnalysisTemplate', 'composed', 3],
      ['AnalysisRun', undefined, 4],
      ['other', 'guestbook', 5],
    ]);
    const originals = parseAllDocuments(text).map((d) => d.toJS());
    resources.forEach((r, i) => expect(r.object).toStrictEqual(originals[i]));
    expect(resources[2]?.namespace).toBe('shop');
    const other = resources[5];
    expect(other?.kind === 'other' && [other.apiVersion, other.resourceKind]).toEqual(['argoproj.io/v1alpha1', 'Rollout']);
  });

  it('round-trips: re-serialised objects load to the same objects, in the same key order', () => {
    const first = loadManifests(fixtureText('full-template.yaml'), 'a.yaml').resources[0];
    expect(first).toBeDefined();
    const again = loadManifests(stringify(first?.object), 'b.yaml');
    expect(again.errors).toEqual([]);
    expect(again.resources[0]?.object).toStrictEqual(first?.object);
    const metric = (first?.object.spec as { metrics: object[] }).metrics[0] ?? {};
    expect(Object.keys(metric).slice(0, 4)).toEqual(['name', 'interval', 'initialDelay', 'count']);
  });

  it('loads the full AnalysisRun with status', () => {
    const { resources, errors } = loadManifests(fixtureText('full-run.yaml'), 'run.yaml');
    expect(errors).toEqual([]);
    const run = resources[0];
    expect(run?.kind).toBe('AnalysisRun');
    if (run?.kind !== 'AnalysisRun') return;
    expect(run.object.status?.phase).toBe('Failed');
    expect(run.object.status?.metricResults?.[0]?.measurements?.[0]?.value).toBe('[0.99]');
    expect(run.namespace).toBe('shop');
  });

  it('uses YAML 1.2 core: quoted numbers, yes/no and timestamps stay strings; .nan works', () => {
    const text = `${TEMPLATE_HEAD}  args:
  - {name: a, value: "0.95"}
  - {name: b, value: yes}
  - {name: c, value: 2024-05-01T12:00:00Z}
  metrics:
  - name: m
    provider:
      plugin:
        acme/x: {limit: .nan, max: .inf}
`;
    const { resources, errors } = loadManifests(text, 'f.yaml');
    expect(errors).toEqual([]);
    const spec = resources[0]?.object.spec as { args: Array<{ value: unknown }>; metrics: Array<{ provider: { plugin: Record<string, Record<string, number>> } }> };
    expect(spec.args.map((a) => a.value)).toEqual(['0.95', 'yes', '2024-05-01T12:00:00Z']);
    expect(spec.metrics[0]?.provider.plugin['acme/x']?.limit).toBeNaN();
    expect(spec.metrics[0]?.provider.plugin['acme/x']?.max).toBe(Infinity);
  });

  it('ignores empty documents but keeps counting them', () => {
    const text = `---\n# only a comment\n---\n${TEMPLATE_HEAD}  metrics: 3\n`;
    expect(messages(text)).toEqual([
      'f.yaml: document 2 (AnalysisTemplate t): spec.metrics: expected list, got integer 3 (line 9, column 12)',
    ]);
  });

  it('expands merge keys, as kubectl does', () => {
    const text = `${TEMPLATE_HEAD}  metrics:
  - &base {name: a, interval: 1m, provider: {prometheus: {query: up}}}
  - <<: *base
    name: b
`;
    const { resources, errors } = loadManifests(text, 'f.yaml');
    expect(errors).toEqual([]);
    const metrics = (resources[0]?.object.spec as { metrics: Array<{ name: string; interval: string }> }).metrics;
    expect(metrics.map((m) => [m.name, m.interval])).toEqual([['a', '1m'], ['b', '1m']]);
  });

  it('expands Lists (kubectl get -o yaml) and reports items by index', () => {
    const text = `apiVersion: v1
kind: List
items:
- apiVersion: argoproj.io/v1alpha1
  kind: AnalysisTemplate
  metadata: {name: ok}
  spec: {metrics: []}
- apiVersion: argoproj.io/v1alpha1
  kind: AnalysisTemplate
  metadata: {name: bad}
  spec: {metrics: [{name: m, provider: {}, count: 1.5}]}
`;
    const { resources, errors } = loadManifests(text, 'list.yaml');
    expect(resources.map((r) => [r.name, r.itemIndex])).toEqual([['ok', 0]]);
    expect(errors.map((e) => e.message)).toEqual([
      'list.yaml: document 1, items[1] (AnalysisTemplate bad): spec.metrics[0].count: expected integer or string, got number 1.5 (line 11, column 51)',
    ]);
  });
});

describe('error messages', () => {
  it('wrong type: names file, document, resource, field, reason and line:column', () => {
    const text = `${TEMPLATE_HEAD}  metrics:
  - name: m
    count: true
    provider: {prometheus: {query: up}}
`;
    const [error] = loadManifests(text, 'f.yaml').errors;
    expect(error?.message).toBe(
      'f.yaml: document 1 (AnalysisTemplate t): spec.metrics[0].count: expected integer or string, got boolean (line 8, column 12)',
    );
    expect(error).toMatchObject({ documentIndex: 0, kind: 'AnalysisTemplate', name: 't', path: 'spec.metrics[0].count', line: 8, column: 12 });
  });

  it('missing metric name points at the metric', () => {
    const text = `${TEMPLATE_HEAD}  metrics:\n  - interval: 1m\n    provider: {web: {url: http://x}}\n`;
    expect(messages(text)).toEqual([
      'f.yaml: document 1 (AnalysisTemplate t): spec.metrics[0].name: missing required field (line 7, column 5)',
    ]);
  });

  it('metrics not a list', () => {
    const text = `${TEMPLATE_HEAD}  metrics:\n    name: m\n`;
    expect(messages(text)).toEqual([
      'f.yaml: document 1 (AnalysisTemplate t): spec.metrics: expected list, got map (line 7, column 5)',
    ]);
  });

  it('an unquoted number where a string is expected gets a hint', () => {
    const text = `${TEMPLATE_HEAD}  args:\n  - name: threshold\n    value: 0.95\n`;
    expect(messages(text)).toEqual([
      'f.yaml: document 1 (AnalysisTemplate t): spec.args[0].value: expected string, got number 0.95 (quote the value in YAML to keep it a string) (line 8, column 12)',
    ]);
  });

  it('an empty value (null) gets a hint', () => {
    const text = `${TEMPLATE_HEAD}  metrics:\n  - name: m\n    interval:\n    provider: {}\n`;
    expect(messages(text)).toEqual([
      'f.yaml: document 1 (AnalysisTemplate t): spec.metrics[0].interval: expected string, got null (an empty value is null in YAML: give it a value or remove the field) (line 8, column 14)',
    ]);
  });

  it('a missing apiVersion is reported, not ignored', () => {
    expect(messages('kind: AnalysisRun\nmetadata: {name: r}\nspec: {metrics: []}\n')).toEqual([
      'f.yaml: document 1 (AnalysisRun r): apiVersion: missing required field (line 1, column 1)',
    ]);
  });

  it('unknown fields point at the key, and the manifest still loads as Argo would (pruned field ignored)', () => {
    const text = `${TEMPLATE_HEAD}  metrics:\n  - name: m\n    sucessCondition: result > 1\n    provider: {}\n`;
    const result = loadManifests(text, 'f.yaml');
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((e) => e.message)).toEqual([
      'f.yaml: document 1 (AnalysisTemplate t): spec.metrics[0].sucessCondition: unknown field (line 8, column 5)',
    ]);
    expect(result.resources.map((r) => r.name)).toEqual(['t']);
  });

  it('enum, apiVersion, int32 and status errors', () => {
    const run = `apiVersion: argoproj.io/v1beta1
kind: AnalysisRun
metadata: {generateName: r-}
spec:
  metrics: [{name: m, provider: {datadog: {apiVersion: v3}}}]
  ttlStrategy: {secondsAfterCompletion: 9999999999}
status: {message: hi}
`;
    expect(messages(run)).toEqual([
      'f.yaml: document 1 (AnalysisRun r-<generated>): apiVersion: expected "argoproj.io/v1alpha1", got string "argoproj.io/v1beta1" (line 1, column 13)',
      'f.yaml: document 1 (AnalysisRun r-<generated>): spec.metrics[0].provider.datadog.apiVersion: expected one of "v1", "v2", got string "v3" (line 5, column 56)',
      'f.yaml: document 1 (AnalysisRun r-<generated>): spec.ttlStrategy.secondsAfterCompletion: must be at most 2147483647, got integer 9999999999 (line 6, column 41)',
      'f.yaml: document 1 (AnalysisRun r-<generated>): status.phase: missing required field (line 7, column 9)',
    ]);
  });

  it('YAML syntax errors name file, document and line; other documents still load', () => {
    const text = `${TEMPLATE_HEAD}  metrics: []\n---\nfoo: [unclosed\n---\n${TEMPLATE_HEAD}  metrics: []\n`;
    const { resources, errors } = loadManifests(text, 'f.yaml');
    expect(resources.map((r) => r.documentIndex)).toEqual([0, 2]);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/^f\.yaml: document 2: YAML syntax error: .+ \(line \d+, column \d+\)$/);
    expect(errors[0]?.line).toBeGreaterThanOrEqual(8);
  });

  it('duplicate keys are a syntax error, as for the API server', () => {
    const text = `${TEMPLATE_HEAD}  metrics: []\n  metrics: []\n`;
    expect(messages(text)[0]).toMatch(/^f\.yaml: document 1: YAML syntax error: Map keys must be unique \(line 7, column 3\)$/);
  });

  it('unknown kinds are returned as "other" without errors', () => {
    const { resources, errors } = loadManifests('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: "1"}\n', 'f.yaml');
    expect(errors).toEqual([]);
    expect(resources).toMatchObject([{ kind: 'other', resourceKind: 'ConfigMap', name: 'c', documentIndex: 0 }]);
  });

  it('an AnalysisTemplate kind of another API group is not ours', () => {
    const { resources, errors } = loadManifests('apiVersion: example.com/v1\nkind: AnalysisTemplate\nspec: 1\n', 'f.yaml');
    expect(errors).toEqual([]);
    expect(resources[0]?.kind).toBe('other');
  });

  it('documents that are not resources', () => {
    expect(messages('- a\n- b\n')).toEqual([
      'f.yaml: document 1: expected a Kubernetes resource (a map with apiVersion and kind), got list (line 1, column 1)',
    ]);
    expect(messages('apiVersion: v1\nmetadata: {name: x}\n')).toEqual([
      'f.yaml: document 1: not a Kubernetes resource: kind: missing required field (line 1, column 1)',
    ]);
  });
});

describe('files and directories', () => {
  let dir = '';
  const valid = `${TEMPLATE_HEAD}  metrics: []\n`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'assay-load-'));
    await mkdir(join(dir, 'b', 'nested'), { recursive: true });
    await mkdir(join(dir, '.hidden'));
    await writeFile(join(dir, 'z.yaml'), valid);
    await writeFile(join(dir, 'a.yml'), valid);
    await writeFile(join(dir, 'b', 'nested', 'x.YAML'), valid);
    await writeFile(join(dir, 'b', 'c.yaml'), `${TEMPLATE_HEAD}  metrics: {}\n`);
    await writeFile(join(dir, 'b', 'notes.txt'), 'not yaml: [');
    await writeFile(join(dir, '.hidden', 'h.yaml'), valid);
    await symlink(dir, join(dir, 'b', 'loop'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loadFile names an unreadable path', async () => {
    const missing = join(dir, 'missing.yaml');
    const { resources, errors } = await loadFile(missing);
    expect(resources).toEqual([]);
    expect(errors).toEqual([
      { file: missing, reason: 'cannot read: no such file or directory', message: `${missing}: cannot read: no such file or directory` },
    ]);
  });

  it('loadFile reports fixture errors against the path it was given', async () => {
    const { errors, resources } = await loadFile(fixturePath('full-run.yaml'));
    expect(errors).toEqual([]);
    expect(resources[0]?.file).toBe(fixturePath('full-run.yaml'));
  });

  it('loadPaths expands directories recursively, sorted, skipping hidden entries and loops', async () => {
    const { resources, errors } = await loadPaths([dir]);
    expect(resources.map((r) => r.file)).toEqual([
      join(dir, 'a.yml'),
      join(dir, 'b', 'nested', 'x.YAML'),
      join(dir, 'z.yaml'),
    ]);
    expect(errors.map((e) => e.message)).toEqual([
      `${join(dir, 'b', 'c.yaml')}: document 1 (AnalysisTemplate t): spec.metrics: expected list, got map (line 6, column 12)`,
    ]);
  });

  it('loadPaths keeps argument order, loads explicit files whatever the extension, and dedupes', async () => {
    const { resources, errors } = await loadPaths([join(dir, 'z.yaml'), join(dir, 'b', 'notes.txt'), dir, join(dir, 'nope')]);
    expect(resources.map((r) => r.file)[0]).toBe(join(dir, 'z.yaml'));
    expect(resources).toHaveLength(3);
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/notes\.txt: document 1: YAML syntax error: /),
      expect.stringMatching(/c\.yaml: document 1 \(AnalysisTemplate t\): spec\.metrics: expected list, got map/),
      `${join(dir, 'nope')}: cannot read: no such file or directory`,
    ]);
  });
});
