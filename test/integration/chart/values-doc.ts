/**
 * Reads the documentation of charts/assay/values.yaml: a `# -- text` comment directly above a key
 * documents that key and everything under it (helm-docs convention); a key without one must be a
 * map whose children are documented. The README's values table is generated from this.
 */
import { isMap, isPair, isScalar, parseDocument, type YAMLMap } from 'yaml';

export interface ValueDoc {
  key: string;
  default: unknown;
  description: string;
}

export interface ValuesDocs {
  entries: ValueDoc[];
  /** Keys with neither a `# --` comment nor documented children. */
  undocumented: string[];
}

function description(comment: string | undefined | null): string | undefined {
  if (!comment) return undefined;
  const lines = comment.split('\n').map((l) => l.trim());
  const start = lines.findIndex((l) => l.startsWith('-- '));
  if (start < 0) return undefined;
  return lines.slice(start).join(' ').replace(/^-- /, '').replace(/\s+/g, ' ').trim();
}

export function documentedValues(text: string): ValuesDocs {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(doc.errors[0]!.message);
  const entries: ValueDoc[] = [];
  const undocumented: string[] = [];
  const walk = (map: YAMLMap, prefix: string): void => {
    map.items.forEach((pair, i) => {
      if (!isPair(pair) || !isScalar(pair.key)) throw new Error(`unexpected YAML at ${prefix}`);
      const key = `${prefix}${String(pair.key.value)}`;
      // yaml attaches the comment above a map's first key to the map itself.
      const text = description(pair.key.commentBefore ?? (i === 0 ? map.commentBefore : undefined));
      if (text) {
        const value = pair.value as { toJSON?: () => unknown } | null;
        entries.push({ key, default: value && typeof value.toJSON === 'function' ? value.toJSON() : value, description: text });
      } else if (isMap(pair.value) && pair.value.items.length > 0) {
        walk(pair.value, `${key}.`);
      } else {
        undocumented.push(key);
      }
    });
  };
  if (!isMap(doc.contents)) throw new Error('values.yaml is not a map');
  walk(doc.contents, '');
  return { entries, undocumented };
}

/** The Markdown table the README carries between its values markers. */
export function valuesTable(entries: ValueDoc[]): string {
  const rows = entries.map((e) => `| \`${e.key}\` | \`${JSON.stringify(e.default)}\` | ${e.description.replace(/\|/g, '\\|')} |`);
  return ['| Key | Default | Description |', '| --- | --- | --- |', ...rows].join('\n');
}

export const TABLE_START = '<!-- values-table:start (generated from values.yaml; test/integration/chart/values-doc.test.ts checks it) -->';
export const TABLE_END = '<!-- values-table:end -->';
