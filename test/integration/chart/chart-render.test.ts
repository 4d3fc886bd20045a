/**
 * charts/assay through a real helm (Helm 3 and Helm 4, see test/support/helm.ts): every value set
 * lints clean with --strict and renders objects that pass the shape rules; bad values are refused;
 * NOTES.txt explains the Argo side; --include-crds ships exactly crds/*.yaml.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { helmWithValues, resolveHelms } from '../../support/helm.js';
import { shapeProblems } from './k8s-shape.js';
import { chartDir, container, ofKind, one, render, root } from './render.js';
import { NS, SCENARIOS } from './scenarios.js';

const helms = await resolveHelms();
// The image scripts/build-image.sh builds (repository:package version), without building it.
const builtImage = (await promisify(execFile)(path.join(root, 'scripts', 'build-image.sh'), ['--print-ref'])).stdout.trim();
const packageVersion = (JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;

describe.each(helms.map((h) => [`helm ${h.version} (${h.source})`, h] as const))('%s', (_label, helm) => {
  // helm runs as a child process, so the scenarios overlap well (expect from the test context, as
  // concurrent tests need).
  describe.concurrent.each(Object.entries(SCENARIOS))('values: %s', (_name, scenario) => {
    test('helm lint --strict passes', async ({ expect }) => {
      const r = await helmWithValues(helm.bin, 'lint', chartDir, scenario.values);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
      expect(r.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
    });

    test('rendered objects satisfy the Kubernetes shape rules', async ({ expect }) => {
      const { objects } = await render(helm, scenario.values);
      expect(objects.length).toBeGreaterThan(0);
      expect(shapeProblems(objects, { external: scenario.external })).toEqual([]);
    });
  });

  test.each<[string, object, RegExp]>([
    ['an unknown log level', { logLevel: 'verbose' }, /logLevel/],
    ['a misspelt top-level key', { watchNamespace: ['a'] }, /watchNamespace/],
    ['a misspelt nested key', { controller: { replica: 2 } }, /replica/],
    ['an invalid namespace name', { watchNamespaces: ['Team_A'] }, /watchNamespaces/],
    ['a non-Redis URL', { redis: { url: 'http://redis:6379' } }, /redis/],
    ['an unknown leaderElect mode', { controller: { leaderElect: 'maybe' } }, /leaderElect/],
    ['a digest that is not sha256', { image: { digest: 'latest' } }, /digest/],
    ['both a Redis URL and an existing Secret', { redis: { url: 'redis://r:6379', existingSecret: 's' } }, /either redis.url or redis.existingSecret/],
    ['both secrets.clusterWide and secrets.namespaces', { secrets: { clusterWide: true, namespaces: ['a'] } }, /either secrets.clusterWide or secrets.namespaces/],
    ['several replicas, no Redis, leader election off', { controller: { replicas: 2, leaderElect: false } }, /would run several controllers/],
    ['no ServiceAccount to use', { serviceAccount: { create: false } }, /serviceAccount.name is required/],
  ])('refuses %s', async (_name, values, message) => {
    const r = await helmWithValues(helm.bin, 'template', chartDir, values);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });

  // Helm 3's `install --dry-run=client` still asks a cluster for its version (it fails with
  // "Kubernetes cluster unreachable"), and `helm template` never renders NOTES.txt; Helm 4 renders it offline.
  test.skipIf(helm.version.startsWith('v3.'))('NOTES.txt tells how to run beside Argo Rollouts and how to roll back (Helm 4)', async () => {
    const r = await helmWithValues(helm.bin, 'notes', chartDir, { watchNamespaces: ['team-a'], worker: { enabled: true } });
    expect(r.code, r.stderr).toBe(0);
    const notes = (JSON.parse(r.stdout) as { info: { notes: string } }).info.notes;
    expect(notes).toContain('--analysis-threads=0');
    expect(notes).toContain("controller.extraArgs={--analysis-threads=0}");
    expect(notes).toMatch(/AnalysisRuns in team-a\./);
    expect(notes).toMatch(/outside team-a are evaluated by nobody/);
    expect(notes).toMatch(/ROLL BACK[\s\S]*helm uninstall rel -n assay-system`, then remove --analysis-threads=0/);
    expect(notes).toMatch(/no Redis is configured .*\n?.*so no\s+worker pods/);
  });

  test('the default image is the one scripts/build-image.sh builds (tag = package version)', async () => {
    expect(builtImage).toBe(`ghcr.io/assay-dev/assay:${packageVersion}`);
    const chart = parse(await readFile(path.join(chartDir, 'Chart.yaml'), 'utf8')) as { appVersion: string };
    expect(chart.appVersion).toBe(packageVersion);
    const { objects } = await render(helm, {});
    expect(container(one(objects, 'Deployment', 'rel-assay-controller')).image).toBe(builtImage);
    // A digest pins the same repository.
    const pinned = await render(helm, { image: { digest: `sha256:${'a'.repeat(64)}` } });
    expect(container(one(pinned.objects, 'Deployment', 'rel-assay-controller')).image).toBe(`${builtImage.replace(/:[^:/]+$/, '')}@sha256:${'a'.repeat(64)}`);
  });

  test('--include-crds renders exactly the CRDs in crds/, unchanged', async () => {
    const { objects } = await render(helm, {}, { includeCrds: true });
    const rendered = ofKind(objects, 'CustomResourceDefinition').sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    const files = (await readdir(path.join(root, 'crds'))).filter((f) => f.endsWith('.yaml')).sort();
    const source = (await Promise.all(files.map(async (f) => parse(await readFile(path.join(root, 'crds', f), 'utf8')) as { metadata: { name: string } })))
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    expect(rendered.map((c) => c.metadata.name)).toEqual(['analysisruns.argoproj.io', 'analysistemplates.argoproj.io', 'clusteranalysistemplates.argoproj.io']);
    expect(rendered).toEqual(source);
    // Without --include-crds (what `helm template | kubectl apply` users and --skip-crds get) there are none.
    expect(ofKind((await render(helm, {})).objects, 'CustomResourceDefinition')).toEqual([]);
  });

  test('every namespaced object lands in the release namespace unless it is per-namespace RBAC', async () => {
    const { objects } = await render(helm, SCENARIOS.namespaced!.values);
    const elsewhere = objects.filter((o) => o.metadata.namespace !== undefined && o.metadata.namespace !== NS);
    expect(elsewhere.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual([
      'Role/team-a/rel-assay', 'Role/team-b/rel-assay', 'RoleBinding/team-a/rel-assay', 'RoleBinding/team-b/rel-assay',
    ]);
  });
});
