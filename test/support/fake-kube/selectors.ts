// Label and field selectors with the grammar of k8s.io/apimachinery/pkg/labels and /fields.
import { badRequest } from './errors.js';
import type { KubeObject, ResourceType } from './types.js';
import { getPath } from './util.js';
import { labelKeyErrors, labelValueErrors } from './validation.js';

type Op = '=' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';
interface Requirement {
  key: string;
  op: Op;
  values: string[];
}

export interface LabelSelector {
  readonly requirements: readonly Requirement[];
  matches(labels: Record<string, string> | undefined): boolean;
}

const EVERYTHING: LabelSelector = { requirements: [], matches: () => true };

/** Tokenizer: identifiers may contain anything except whitespace and the selector operators. */
function tokenize(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = s.slice(i, i + 2);
    if (two === '==' || two === '!=') {
      out.push(two);
      i += 2;
    } else if ('=!(),<>'.includes(c)) {
      out.push(c);
      i++;
    } else {
      let j = i;
      while (j < s.length && !/[\s=!(),<>]/.test(s[j] as string)) j++;
      out.push(s.slice(i, j));
      i = j;
    }
  }
  return out;
}

const isIdent = (t: string | undefined): t is string => t !== undefined && !/^[=!(),<>]/.test(t) && t !== '==' && t !== '!=';

export function parseLabelSelector(input: string | undefined): LabelSelector {
  if (input === undefined || input.trim() === '') return EVERYTHING;
  const toks = tokenize(input);
  const reqs: Requirement[] = [];
  let p = 0;
  // Lexical errors read like labels.Parse's ("found 'x', expected: ..."); invalid keys and values
  // come from NewRequirement's validation, which prefixes them.
  const fail = (why: string): never => {
    throw badRequest(why);
  };
  while (p < toks.length) {
    let negate = false;
    if (toks[p] === '!') {
      negate = true;
      p++;
    }
    const key = toks[p++];
    if (!isIdent(key)) fail(`found '${key ?? ''}', expected: identifier`);
    const k = key as string;
    const keyErrs = labelKeyErrors(k);
    if (keyErrs.length > 0) fail(`unable to parse requirement: key: Invalid value: "${k}": ${keyErrs.join('; ')}`);
    const next = toks[p];
    if (negate || next === undefined || next === ',') {
      reqs.push({ key: k, op: negate ? '!' : 'exists', values: [] });
    } else if (next === '=' || next === '==' || next === '!=' || next === '>' || next === '<') {
      p++;
      let value = '';
      if (isIdent(toks[p])) value = toks[p++] as string;
      else if (next === '>' || next === '<') fail(`found '${toks[p] ?? ''}', expected: identifier`);
      const op: Op = next === '!=' ? '!=' : next === '>' ? 'gt' : next === '<' ? 'lt' : '=';
      if ((op === 'gt' || op === 'lt') && !/^-?\d+$/.test(value)) fail(`for 'Gt', 'Lt' operators, the value must be an integer`);
      if (op !== 'gt' && op !== 'lt') checkValue(value, fail);
      reqs.push({ key: k, op, values: [value] });
    } else if (next === 'in' || next === 'notin') {
      p++;
      if (toks[p++] !== '(') fail(`found '${toks[p - 1] ?? ''}', expected: '('`);
      const values: string[] = [];
      for (;;) {
        const t = toks[p];
        if (t === ')') {
          p++;
          break;
        }
        if (t === ',') {
          values.push('');
          p++;
          continue;
        }
        if (!isIdent(t)) fail(`found '${t ?? ''}', expected: ',', ')' or identifier`);
        checkValue(t as string, fail);
        values.push(t as string);
        p++;
        if (toks[p] === ',') p++;
      }
      if (values.length === 0) fail(`for 'in', 'notin' operators, values set can't be empty`);
      reqs.push({ key: k, op: next, values });
    } else {
      fail(`found '${next}', expected: in, notin, =, ==, !=, gt, lt`);
    }
    if (p < toks.length) {
      if (toks[p] !== ',') fail(`found '${toks[p] ?? ''}', expected: ',' or 'end of string'`);
      p++;
    }
  }
  return { requirements: reqs, matches: (labels) => reqs.every((r) => matchReq(r, labels ?? {})) };
}

function checkValue(v: string, fail: (why: string) => never): void {
  const errs = labelValueErrors(v);
  if (errs.length > 0) fail(`unable to parse requirement: values[0]: Invalid value: "${v}": ${errs.join('; ')}`);
}

function matchReq(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = labels[r.key];
  switch (r.op) {
    case '=':
    case 'in':
      return has && r.values.includes(v as string);
    // Like the apiserver, != and notin also match objects that lack the label entirely.
    case '!=':
    case 'notin':
      return !has || !r.values.includes(v as string);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !/^-?\d+$/.test(v as string)) return false;
      const n = Number(v);
      const want = Number(r.values[0]);
      return r.op === 'gt' ? n > want : n < want;
    }
  }
}

interface FieldTerm {
  field: string;
  value: string;
  negate: boolean;
}

export interface FieldSelector {
  readonly terms: readonly FieldTerm[];
  matches(obj: KubeObject): boolean;
}

/** Splits on an unescaped separator; backslash escapes the next character. */
function splitUnescaped(s: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\' && i + 1 < s.length) {
      cur += c + (s[i + 1] as string);
      i++;
    } else if (c === sep) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

const unescape = (s: string): string => s.replace(/\\(.)/g, '$1');

export function parseFieldSelector(input: string | undefined, type: ResourceType): FieldSelector {
  const terms: FieldTerm[] = [];
  if (input !== undefined && input.trim() !== '') {
    for (const raw of splitUnescaped(input, ',')) {
      const m = /^(.*?)(!=|==|=)(.*)$/s.exec(raw);
      if (!m) throw badRequest(`invalid selector: '${input}'; can't understand '${raw}'`);
      const field = (m[1] as string).trim();
      // Unknown keys are rejected by the conversion function registered per type.
      if (field !== 'metadata.name' && field !== 'metadata.namespace' && !type.fieldSelectors.includes(field)) {
        throw badRequest(`field label not supported: ${field}`);
      }
      terms.push({ field, value: unescape(m[3] as string), negate: m[2] === '!=' });
    }
  }
  return {
    terms,
    matches: (obj) =>
      terms.every((t) => {
        const raw = getPath(obj, t.field);
        // Unset fields select as the empty string (e.g. "spec.nodeName=" finds unscheduled pods).
        const v = raw === undefined || raw === null ? '' : String(raw);
        return t.negate ? v !== t.value : v === t.value;
      }),
  };
}

/** The name a field selector pins, if any ("metadata.name=x"), which kubectl uses for `get x -w`. */
export function pinnedName(sel: FieldSelector): string | undefined {
  return sel.terms.find((t) => t.field === 'metadata.name' && !t.negate)?.value;
}
