/**
 * The Blue/Green examples stay usable: their templates lint clean, the bash script parses, the
 * GitLab pipeline is valid YAML, every flag they pass to `assay promote`/`assay rollback` exists,
 * and the RBAC they document is the least privilege assay needs (named object, events).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { ensureBuilt, ROOT, runCli } from '../run-cli/cli.js';

// Each test starts CLI processes (about a second each, several on a loaded machine).
vi.setConfig({ testTimeout: 180_000 });

const SERVICE = join(ROOT, 'examples/blue-green-service');
const ISTIO = join(ROOT, 'examples/istio-gitlab');

beforeAll(() => ensureBuilt(), 120_000);

/** The long flags given to `assay COMMAND` in a text. */
function flagsOf(text: string, command: string): string[] {
  const calls = text.replace(/\\\n/g, ' ').replace(/\n\s+--/g, ' --').split(`assay ${command} `).slice(1);
  return [...new Set(calls.flatMap((c) => [...c.split('\n')[0]!.matchAll(/(?<=\s|^)--[a-z-]+/g)].map((m) => m[0])))];
}

type Rule = { apiGroups: string[]; resources: string[]; resourceNames?: string[]; verbs: string[] };
/** The rules of every Role in a file; a write to a Service/VirtualService without names is a finding. */
const rules = (file: string): Rule[] =>
  parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as { kind: string; metadata: { name: string }; rules?: Rule[] })
    .filter((d) => d.kind === 'Role')
    .flatMap((d) => d.rules ?? []);

describe('examples for assay promote', () => {
  it('lint clean', async () => {
    const r = await runCli(['lint', join(SERVICE, 'analysis'), join(ISTIO, 'analysis')]);
    expect(r.stdout).toContain('0 errors, 0 warnings');
    expect(r.code).toBe(0);
  });

  it('pass only flags that assay promote and assay rollback accept', async () => {
    const script = readFileSync(join(SERVICE, 'promote.sh'), 'utf8');
    await promisify(execFile)('bash', ['-n', join(SERVICE, 'promote.sh')]);
    const pipeline = readFileSync(join(ISTIO, '.gitlab-ci.yml'), 'utf8');
    const jobs = parse(pipeline) as Record<string, { stage?: string; script?: string[] }>;
    expect(Object.values(jobs).filter((j) => j?.script).map((j) => j.stage)).toEqual(['build', 'deploy', 'promote', 'cleanup', 'cleanup', 'cleanup']);
    const promoteText = script + jobs.promote!.script!.join('\n');
    const [promoteHelp, rollbackHelp] = await Promise.all([runCli(['promote', '--help']), runCli(['rollback', '--help'])]);
    const used = flagsOf(promoteText, 'promote');
    expect(used).toEqual(expect.arrayContaining(['--service', '--selector', '--virtual-service', '--host', '--pre', '--post', '--timeout']));
    for (const flag of used) expect(promoteHelp.stdout, flag).toContain(flag);
    for (const flag of flagsOf(jobs.rollback!.script!.join('\n'), 'rollback')) expect(rollbackHelp.stdout, flag).toContain(flag);
  });

  it('document least-privilege RBAC: the one object by name, and events', () => {
    const svc = rules(join(SERVICE, 'rbac.yaml'));
    expect(svc).toContainEqual({ apiGroups: [''], resources: ['services'], resourceNames: ['web'], verbs: ['get', 'patch', 'update'] });
    expect(svc).toContainEqual({ apiGroups: [''], resources: ['events'], verbs: ['create'] });
    const istio = rules(join(ISTIO, 'k8s/rbac.yaml'));
    expect(istio).toContainEqual({ apiGroups: ['networking.istio.io'], resources: ['virtualservices'], resourceNames: ['reviews'], verbs: ['get', 'patch', 'update'] });
    for (const r of [...svc, ...istio].filter((x) => x.resources.includes('services') || x.resources.includes('virtualservices'))) {
      if (r.verbs.some((v) => v === 'patch' || v === 'update')) expect(r.resourceNames, JSON.stringify(r)).toBeDefined();
    }
  });
});
