/**
 * Every value in charts/assay/values.yaml is documented, the README's values table is exactly the
 * one generated from it, and values.schema.json knows every key (so a typo in -f values is refused).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { chartDir } from './render.js';
import { documentedValues, TABLE_END, TABLE_START, valuesTable } from './values-doc.js';

const valuesText = await readFile(path.join(chartDir, 'values.yaml'), 'utf8');
const docs = documentedValues(valuesText);

describe('values documentation', () => {
  test('every value has a `# --` comment (or is a map of documented values)', () => {
    expect(docs.undocumented).toEqual([]);
    expect(docs.entries.length).toBeGreaterThan(40);
    for (const e of docs.entries) expect(e.description.length, e.key).toBeGreaterThan(10);
  });

  test('the README values table is the one generated from values.yaml', async () => {
    const readme = await readFile(path.join(chartDir, 'README.md'), 'utf8');
    const start = readme.indexOf(TABLE_START);
    const end = readme.indexOf(TABLE_END);
    expect(start, 'README.md lacks the values-table markers').toBeGreaterThanOrEqual(0);
    const table = readme.slice(start + TABLE_START.length, end).trim();
    const expected = valuesTable(docs.entries);
    expect(table, `replace the README table with:\n${expected}\n`).toBe(expected);
  });

  test('values.schema.json declares every key of values.yaml, with matching types', async () => {
    const schema = JSON.parse(await readFile(path.join(chartDir, 'values.schema.json'), 'utf8')) as Schema;
    const problems: string[] = [];
    check(parse(valuesText), schema, '', problems);
    expect(problems).toEqual([]);
  });
});

interface Schema {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
}

/** Each default must be allowed by its schema node: type or enum, and nested keys declared. */
function check(value: unknown, schema: Schema | undefined, where: string, problems: string[]): void {
  if (!schema) { problems.push(`${where || '(root)'}: not in the schema`); return; }
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  const types = schema.type === undefined ? undefined : [schema.type].flat();
  if (types && !types.includes(kind) && !(kind === 'integer' && types.includes('number'))) problems.push(`${where}: ${kind} default, schema says ${types.join('|')}`);
  if (schema.enum && !schema.enum.includes(value)) problems.push(`${where}: default ${JSON.stringify(value)} not in the schema enum`);
  if (kind === 'object' && schema.properties) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) check(v, schema.properties[k], where ? `${where}.${k}` : k, problems);
  }
}
