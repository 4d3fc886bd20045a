/**
 * Turns zod issues into messages a person can act on: the field path in the manifest's own terms
 * (`spec.metrics[0].count`) and "expected X, got Y" in YAML vocabulary (list, map, string, ...),
 * with a hint for the most common YAML mistake (an unquoted number where a string is expected).
 *
 * Issues must come from a parse with `{ reportInput: true }`, so that each carries the offending value.
 */
import type { z } from 'zod';

type IssuePath = readonly PropertyKey[];

export interface SchemaProblem {
  /** Path of the offending value (for an unknown field: the field itself). */
  path: PropertyKey[];
  /** True when the location to show is the key of the last path segment, not its value. */
  atKey: boolean;
  /** What is wrong, without the path: `expected integer or string, got boolean`. */
  reason: string;
}

/** `spec.metrics[0].provider.plugin["acme/sample"]`: keys that are not identifiers are quoted. */
export function formatPath(path: IssuePath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

/** How a YAML author would name the value they wrote. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  switch (typeof value) {
    case 'string':
      return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`;
    case 'number':
      if (Number.isNaN(value)) return 'number .nan';
      if (!Number.isFinite(value)) return value > 0 ? 'number .inf' : 'number -.inf';
      return Number.isInteger(value) ? `integer ${value}` : `number ${value}`;
    case 'boolean':
      return 'boolean';
    case 'object':
      return 'map';
    default:
      return typeof value;
  }
}

const TYPE_NAMES: Record<string, string> = {
  array: 'list',
  object: 'map',
  record: 'map',
  int: 'integer',
  number: 'number',
  string: 'string',
  boolean: 'boolean',
};

function expectedName(expected: string): string {
  return TYPE_NAMES[expected] ?? expected;
}

/**
 * Hints for the two most common YAML slips: `value: 0.95` / `value: true` become a number/boolean
 * where Argo wants a string, and `interval:` with nothing after it is null.
 */
function hint(expected: string, input: unknown): string {
  if (input === null) return ' (an empty value is null in YAML: give it a value or remove the field)';
  return expected === 'string' && (typeof input === 'number' || typeof input === 'boolean')
    ? ' (quote the value in YAML to keep it a string)'
    : '';
}

function reasonFor(issue: z.core.$ZodIssue): string {
  const input = (issue as { input?: unknown }).input;
  // YAML never produces `undefined`, so an undefined input is always an absent field.
  if (input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'invalid_union')) {
    return 'missing required field';
  }
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${expectedName(issue.expected)}, got ${describeValue(input)}${hint(issue.expected, input)}`;
    case 'invalid_value': {
      const options = issue.values.map((v) => JSON.stringify(v));
      const wanted = options.length === 1 ? options[0] : `one of ${options.join(', ')}`;
      return `expected ${wanted}, got ${describeValue(input)}`;
    }
    case 'invalid_format':
      if (issue.format === 'datetime') {
        return `expected an RFC 3339 date-time such as 2024-05-01T12:00:00Z, got ${describeValue(input)}`;
      }
      return `expected ${issue.format} format, got ${describeValue(input)}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}, got ${describeValue(input)}`;
    case 'too_small':
      return `must be at least ${String(issue.minimum)}, got ${describeValue(input)}`;
    default:
      // Custom messages (the int-or-string union) are phrased "expected ..."; say what was found.
      return issue.message.startsWith('expected ') ? `${issue.message}, got ${describeValue(input)}` : issue.message;
  }
}

/** One problem per issue, except unknown fields: one per field, each pointing at its key. */
export function toProblems(issues: readonly z.core.$ZodIssue[]): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({ path: [...issue.path, key], atKey: true, reason: 'unknown field' });
      }
      continue;
    }
    problems.push({ path: [...issue.path], atKey: false, reason: reasonFor(issue) });
  }
  return problems;
}
