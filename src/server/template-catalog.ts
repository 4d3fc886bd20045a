/**
 * The templates runs are created from: every AnalysisTemplate and ClusterAnalysisTemplate under a
 * directory (typically a GitOps checkout), loaded at start and reloaded on demand (SIGHUP,
 * `POST /api/v1/templates/reload`).
 *
 * A reload is all or nothing. If any file has an error (bad YAML, a schema violation, the same
 * template defined twice), the previous set stays in force and the errors are returned, so that a
 * half-pushed commit never makes templates vanish under runs being created. Documents of other
 * kinds (Rollouts, Services) in the checkout are ignored.
 */
import type { LoadError } from '../api/load.js';
import { loadPaths } from '../api/load.js';
import type { AnalysisTemplate } from '../api/types.js';
import type { TemplateLookup } from '../core/templates.js';
import { templateLookup } from '../runtime/new-run.js';
import { metricType } from '../observability/analysis-metrics.js';

interface TemplateSummary {
  kind: 'AnalysisTemplate' | 'ClusterAnalysisTemplate';
  name: string;
  /** Absent for ClusterAnalysisTemplates and for templates that name no namespace (they match every namespace). */
  namespace?: string;
  file: string;
  metrics: Array<{ name: string; type: string }>;
}

interface ReloadProblem {
  file: string;
  message: string;
}

export interface ReloadResult {
  /** True when the new set replaced the previous one. */
  ok: boolean;
  /** Number of templates in force after the reload. */
  templates: number;
  errors: ReloadProblem[];
  /** Unknown fields: Argo's CRDs prune them, so they do not block a reload, but they are usually typos. */
  warnings: ReloadProblem[];
  at: string;
}

interface Entry {
  object: AnalysisTemplate;
  file: string;
}

const problem = (e: LoadError): ReloadProblem => ({ file: e.file, message: e.message });

export class TemplateCatalog {
  private entries: Entry[] = [];
  private last: ReloadResult | undefined;

  /** `dir` undefined: no templates; runs can still be created from full AnalysisRun manifests. */
  constructor(readonly dir: string | undefined) {}

  async reload(): Promise<ReloadResult> {
    const at = new Date().toISOString();
    if (this.dir === undefined) {
      this.last = { ok: true, templates: 0, errors: [], warnings: [], at };
      return this.last;
    }
    const loaded = await loadPaths([this.dir]);
    const next: Entry[] = [];
    for (const r of loaded.resources) {
      if (r.kind === 'AnalysisTemplate' || r.kind === 'ClusterAnalysisTemplate') next.push({ object: r.object, file: r.file });
    }
    const errors = [...loaded.errors.map(problem), ...duplicates(next)];
    const warnings = loaded.warnings.map(problem);
    if (errors.length === 0) this.entries = next;
    this.last = { ok: errors.length === 0, templates: this.entries.length, errors, warnings, at };
    return this.last;
  }

  /** The outcome of the latest reload (undefined before the first). */
  lastReload(): ReloadResult | undefined {
    return this.last;
  }

  templates(): AnalysisTemplate[] {
    return this.entries.map((e) => e.object);
  }

  list(): TemplateSummary[] {
    return this.entries.map(({ object, file }) => {
      const namespace = object.kind === 'AnalysisTemplate' ? object.metadata.namespace : undefined;
      return {
        kind: object.kind,
        name: object.metadata.name ?? '',
        ...(namespace ? { namespace } : {}),
        file,
        metrics: (object.spec?.metrics ?? []).map((m) => ({ name: m.name, type: metricType(m) })),
      };
    });
  }

  /** Looks templates up as the Argo controller does: namespaced ones in the run's namespace. */
  lookup(): TemplateLookup {
    return templateLookup(this.templates(), { matchNamespace: true });
  }
}

/** The same kind/namespace/name twice would make lookups depend on file order: refuse it. */
function duplicates(entries: readonly Entry[]): ReloadProblem[] {
  const seen = new Map<string, string>();
  const out: ReloadProblem[] = [];
  for (const { object, file } of entries) {
    const ns = object.kind === 'AnalysisTemplate' ? (object.metadata.namespace ?? '') : '';
    const id = `${object.kind}/${ns}/${object.metadata.name ?? ''}`;
    const first = seen.get(id);
    if (first === undefined) seen.set(id, file);
    else {
      const where = ns ? ` in namespace "${ns}"` : '';
      out.push({ file, message: `${file}: ${object.kind} "${object.metadata.name}"${where} is already defined in ${first}` });
    }
  }
  return out;
}
