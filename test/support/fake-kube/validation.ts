// Object-metadata validation with apimachinery's messages, plus CRD-schema `required` checks.
// Only what a client can realistically trip over is checked; full OpenAPI validation is out of scope.
import type { FieldError, KubeObject, ResourceType } from './types.js';
import { isPlainObject } from './util.js';

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const DNS1035_LABEL = '[a-z]([-a-z0-9]*[a-z0-9])?';
const QUALIFIED_NAME = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE = `(${QUALIFIED_NAME})?`;

const full = (re: string): RegExp => new RegExp(`^(?:${re})$`);

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '" +
  DNS1123_SUBDOMAIN +
  "')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '" +
  DNS1123_LABEL +
  "')";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '" +
  DNS1035_LABEL +
  "')";
const QUALIFIED_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '" +
  QUALIFIED_NAME +
  "')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '" +
  LABEL_VALUE +
  "')";

/** Go's %q for the strings we print. */
export const quote = (s: string): string => JSON.stringify(s);

export function nameErrors(name: string, kind: ResourceType['nameValidation']): string[] {
  const errs: string[] = [];
  const [max, re, msg] =
    kind === 'label' ? [63, DNS1123_LABEL, LABEL_MSG] : kind === 'dns1035' ? [63, DNS1035_LABEL, DNS1035_MSG] : [253, DNS1123_SUBDOMAIN, SUBDOMAIN_MSG];
  if (name.length > max) errs.push(`must be no more than ${max} characters`);
  if (!full(re).test(name)) errs.push(msg);
  return errs;
}

/** validation.IsQualifiedName: optional DNS-subdomain prefix, "/", then a 63-char name part. */
export function labelKeyErrors(key: string): string[] {
  const parts = key.split('/');
  let name = key;
  const errs: string[] = [];
  if (parts.length === 2) {
    const prefix = parts[0] as string;
    name = parts[1] as string;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else if (prefix.length > 253 || !full(DNS1123_SUBDOMAIN).test(prefix)) errs.push(`prefix part ${SUBDOMAIN_MSG}`);
  } else if (parts.length > 2) {
    return [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '" +
        QUALIFIED_NAME +
        "') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else {
    if (name.length > 63) errs.push('name part must be no more than 63 characters');
    if (!full(QUALIFIED_NAME).test(name)) errs.push(QUALIFIED_MSG);
  }
  return errs;
}

export function labelValueErrors(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push('must be no more than 63 characters');
  if (!full(LABEL_VALUE).test(v)) errs.push(LABEL_VALUE_MSG);
  return errs;
}

const invalidField = (field: string, value: string, detail: string): FieldError => ({ type: 'FieldValueInvalid', field, value: quote(value), detail });

export function validateObjectMeta(obj: KubeObject, t: ResourceType): FieldError[] {
  const errs: FieldError[] = [];
  const md = obj.metadata;
  const name = md.name ?? '';
  if (name === '') {
    errs.push({ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' });
  } else {
    const ne = nameErrors(name, t.nameValidation);
    if (ne.length > 0) errs.push(invalidField('metadata.name', name, ne.join('; ')));
  }
  if (t.namespaced && !md.namespace) errs.push({ type: 'FieldValueRequired', field: 'metadata.namespace' });
  for (const [k, v] of Object.entries(md.labels ?? {})) {
    const ke = labelKeyErrors(k);
    if (ke.length > 0) errs.push(invalidField('metadata.labels', k, ke.join('; ')));
    if (typeof v !== 'string') errs.push(invalidField('metadata.labels', String(v), 'must be a string'));
    else {
      const ve = labelValueErrors(v);
      if (ve.length > 0) errs.push(invalidField('metadata.labels', v, ve.join('; ')));
    }
  }
  let annotationBytes = 0;
  for (const [k, v] of Object.entries(md.annotations ?? {})) {
    const ke = labelKeyErrors(k.toLowerCase());
    if (ke.length > 0) errs.push(invalidField('metadata.annotations', k, ke.join('; ')));
    annotationBytes += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  }
  if (annotationBytes > 262144) errs.push({ type: 'FieldValueTooLong', field: 'metadata.annotations', detail: 'must have at most 262144 bytes' });
  const finalizers = md.finalizers ?? [];
  for (const f of finalizers) {
    // Finalizer names are qualified names; a bare name without a domain is accepted with a warning.
    if (labelKeyErrors(f).length > 0) errs.push(invalidField('metadata.finalizers', f, labelKeyErrors(f).join('; ')));
  }
  return errs;
}

/**
 * CRD schemas mark fields `required`; the apiserver reports each missing one as
 * "<path>: Required value". Paths use "[]" to step into every array element.
 */
export function requiredFieldErrors(obj: KubeObject, paths: readonly string[]): FieldError[] {
  const errs: FieldError[] = [];
  for (const path of paths) walkRequired(obj, path.split('.'), '', errs);
  return errs;
}

function walkRequired(cur: unknown, parts: string[], prefix: string, errs: FieldError[]): void {
  const [head, ...rest] = parts;
  if (head === undefined || !isPlainObject(cur)) return;
  const isArray = head.endsWith('[]');
  const key = isArray ? head.slice(0, -2) : head;
  const here = prefix ? `${prefix}.${key}` : key;
  const v = cur[key];
  if (rest.length === 0) {
    if (v === undefined || v === null) errs.push({ type: 'FieldValueRequired', field: here });
    return;
  }
  if (isArray) {
    if (Array.isArray(v)) v.forEach((item, i) => walkRequired(item, rest, `${here}[${i}]`, errs));
  } else walkRequired(v, rest, here, errs);
}
