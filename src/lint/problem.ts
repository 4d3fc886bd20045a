/**
 * What lint reports: one problem, located by file, document, resource and field path. The checks
 * are pure and produce paths; the command resolves them to YAML line:column and prints them.
 */

export type Severity = 'error' | 'warning';
export type FieldPath = (string | number)[];

export interface LintProblem {
  severity: Severity;
  /** Where in the resource, e.g. `['spec', 'metrics', 0, 'successCondition']`. */
  path: FieldPath;
  message: string;
}

/** A loaded document as lint sees it: any Kubernetes kind, untyped. */
export interface LintDoc {
  file: string;
  documentIndex: number;
  itemIndex?: number;
  apiVersion: string | undefined;
  kind: string;
  name: string | undefined;
  namespace: string | undefined;
  object: Record<string, unknown>;
}

export interface LocatedProblem extends LintProblem {
  doc: LintDoc;
}

/** Collects problems for one document. */
export class Problems {
  readonly list: LintProblem[] = [];
  error(path: FieldPath, message: string): void {
    this.list.push({ severity: 'error', path, message });
  }
  warn(path: FieldPath, message: string): void {
    this.list.push({ severity: 'warning', path, message });
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** `{{ args.x }}` placeholders: the trimmed tag of each. */
export const TAG = /\{\{(.*?)\}\}/g;

export function hasTag(v: unknown): boolean {
  return typeof v === 'string' && v.includes('{{');
}

/** Levenshtein distance, for "did you mean" on misspelt fields and template names. */
function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The closest of `names` to `word` when it is close enough to be a slip of the keyboard. */
export function closest(word: string, names: Iterable<string>): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  let best: string | undefined;
  let bestD = Infinity;
  for (const n of names) {
    if (n === word) continue;
    const d = norm(n) === norm(word) ? 0 : editDistance(word.toLowerCase(), n.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = n;
    }
  }
  const limit = word.length <= 4 ? 1 : word.length <= 8 ? 2 : 3;
  return bestD <= limit ? best : undefined;
}
