/**
 * The YAML text of a linted file, parsed again for what the loaded objects no longer show: the
 * line:column of a field path, and map keys that kubectl cannot turn into JSON (null, list or map
 * keys, which JavaScript silently stringifies) or that YAML 1.1 — the dialect kubectl reads —
 * turns into booleans (`yes`, `on`, `y`, ... unquoted).
 */
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Document, type Node } from 'yaml';
import type { FieldPath, LintProblem } from './problem.js';

/** Plain scalars that YAML 1.1 (go-yaml v2 behind kubectl) reads as booleans but YAML 1.2 as strings. */
const YAML11_BOOLS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF']);

export class YamlSource {
  private readonly lines = new LineCounter();
  private readonly docs: Document[];

  constructor(text: string) {
    this.docs = parseAllDocuments(text.replace(/^\uFEFF/, ''), { lineCounter: this.lines, merge: true }) as Document[];
  }

  /** 1-based position of the deepest node on `path` that exists (the parent of a missing field). */
  locate(documentIndex: number, path: readonly (string | number)[]): { line: number; column: number } | undefined {
    const doc = this.docs[documentIndex];
    if (!doc) return undefined;
    let node: unknown = doc.contents;
    let target: unknown = node;
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(doc);
      let next: unknown;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        next = pair?.value ?? pair?.key;
      } else if (isSeq(node) && typeof seg === 'number') next = node.items[seg];
      if (next === undefined || next === null) break;
      node = next;
      target = next;
    }
    const range = (target as Node | null | undefined)?.range;
    if (!range) return undefined;
    const pos = this.lines.linePos(range[0]);
    return { line: pos.line, column: pos.col };
  }

  /** Problems in the YAML itself, by document index (documents with syntax errors are skipped). */
  keyProblems(): Map<number, LintProblem[]> {
    const out = new Map<number, LintProblem[]>();
    this.docs.forEach((doc, i) => {
      if (doc.errors.length > 0) return;
      const list: LintProblem[] = [];
      walk(doc.contents, [], list);
      if (list.length > 0) out.set(i, list);
    });
    return out;
  }
}

function walk(node: unknown, path: FieldPath, out: LintProblem[]): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = pair.key;
      if (!isScalar(key) || key.value === null || key.value === undefined) {
        const what = key === null || (isScalar(key) && (key.value === null || key.value === undefined)) ? 'null' : isSeq(key) ? 'a list' : 'a map';
        out.push({
          severity: 'error',
          path,
          message: `a map key is ${what}: kubectl cannot convert this YAML to JSON (unsupported map key); keys must be strings`,
        });
        continue;
      }
      const seg = String(key.value);
      if (key.type === 'PLAIN' && typeof key.value === 'string' && YAML11_BOOLS.has(key.value)) {
        out.push({ severity: 'warning', path: [...path, seg], message: `the key ${key.value} is a boolean in YAML 1.1, which kubectl reads: it becomes "${/^[yYoO]/.test(key.value) && key.value.toLowerCase() !== 'off' ? 'true' : 'false'}"; quote it` });
      }
      walk(pair.value, [...path, seg], out);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => walk(item, [...path, i], out));
  } else if (isScalar(node) && node.type === 'PLAIN' && typeof node.value === 'string' && YAML11_BOOLS.has(node.value)) {
    out.push({
      severity: 'warning',
      path,
      message: `${node.value} is a boolean in YAML 1.1, which kubectl reads (a string in YAML 1.2): quote it ("${node.value}") if a string is meant`,
    });
  }
}
