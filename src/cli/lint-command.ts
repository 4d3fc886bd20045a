/**
 * `assay lint FILES|DIRS...`: schema errors from the loader, then Argo's rules and assay's
 * checks from src/lint on every analysis resource. Exit 0 clean, 1 problems, 2 unreadable input.
 */
import { loadPaths } from '../api/load.js';
import type { AnalysisTemplateSpec } from '../api/types.js';
import { lintSpec, type LintTarget } from '../lint/lint.js';
import type { Output } from './test-command.js';

export async function lintCommand(paths: string[], io: Output): Promise<number> {
  if (paths.length === 0) {
    io.err('assay lint: name at least one manifest file or directory (see `assay lint --help`)');
    return 2;
  }
  const loaded = await loadPaths(paths);
  let errors = 0;
  let warnings = 0;
  let unreadable = false;
  for (const e of [...loaded.errors, ...loaded.warnings]) {
    io.out(`error: ${e.message}`);
    errors++;
    if (e.documentIndex === undefined) unreadable = true;
  }
  const templates = new Set<string>();
  const clusterTemplates = new Set<string>();
  for (const r of loaded.resources) {
    if (r.kind === 'AnalysisTemplate' && r.name) templates.add(r.name);
    if (r.kind === 'ClusterAnalysisTemplate' && r.name) clusterTemplates.add(r.name);
  }
  let checked = 0;
  for (const r of loaded.resources) {
    if (r.kind === 'other') continue;
    checked++;
    const target: LintTarget = {
      kind: r.kind,
      name: r.name ?? '(unnamed)',
      spec: r.object.spec as AnalysisTemplateSpec,
      known: { templates, clusterTemplates },
    };
    for (const p of lintSpec(target)) {
      if (p.severity === 'error') errors++;
      else warnings++;
      io.out(`${p.severity}: ${r.file}: document ${r.documentIndex + 1} (${r.kind} ${target.name}): ${p.field}: ${p.message}`);
    }
  }
  io.out(`${checked} resource${checked === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
  if (unreadable) return 2;
  return errors > 0 ? 1 : 0;
}
