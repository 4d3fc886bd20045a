// JSON merge patch (RFC 7386) and JSON patch (RFC 6902). Failures map to the status codes the
// apiserver uses: an undecodable patch is 400 BadRequest, a patch that does not apply is 422.
import { badRequest, StatusError } from './errors.js';
import { clone, deepEqual, isPlainObject } from './util.js';

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return clone(patch);
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

// Strategic-merge directives have no meaning in a plain merge; see applyStrategicAsMerge.
function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) out[k] = stripDirectives(x);
  return out;
}

/**
 * Strategic merge patch, approximated: maps merge exactly like a merge patch (which is what labels,
 * annotations, selectors and most scalar edits need), but lists are replaced rather than merged by
 * their patchMergeKey. Good enough for `kubectl label/annotate` and Service selector flips.
 */
export function applyStrategicAsMerge(target: unknown, patch: unknown): unknown {
  return mergePatch(target, stripDirectives(patch));
}

/** 422 with the generic message, the apply error as a cause: what the patch handler sends. */
function patchDoesNotApply(detail: string): StatusError {
  return new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {
    causes: [{ reason: 'UnexpectedServerResponse', message: detail }],
  });
}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function parsePointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw patchDoesNotApply(`invalid JSON pointer: "${p}"`);
  return p
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = Record<string, unknown> | unknown[];

/** Resolves the parent container of a pointer, or throws the "doc is missing path" error. */
function parentOf(doc: unknown, tokens: string[], op: string, path: string): { parent: Container; key: string } {
  let cur: unknown = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = /^\d+$/.test(t) ? cur[Number(t)] : undefined;
    else if (isPlainObject(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined || cur === null) throw patchDoesNotApply(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  }
  if (!Array.isArray(cur) && !isPlainObject(cur)) throw patchDoesNotApply(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  return { parent: cur, key: tokens[tokens.length - 1] as string };
}

function arrayIndex(arr: unknown[], key: string, allowEnd: boolean, op: string, path: string): number {
  if (allowEnd && key === '-') return arr.length;
  if (!/^(0|[1-9]\d*)$/.test(key)) throw patchDoesNotApply(`${op} operation does not apply: invalid array index "${key}" at "${path}"`);
  const i = Number(key);
  if (i > arr.length || (!allowEnd && i === arr.length)) throw patchDoesNotApply(`${op} operation does not apply: index out of bounds: ${path}`);
  return i;
}

function getAt(doc: unknown, path: string, op: string): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return doc;
  const { parent, key } = parentOf(doc, tokens, op, path);
  const v = Array.isArray(parent) ? (/^\d+$/.test(key) ? parent[Number(key)] : undefined) : parent[key];
  if (v === undefined) throw patchDoesNotApply(`${op} operation does not apply: doc is missing key: ${path}: missing value`);
  return v;
}

function addAt(doc: unknown, path: string, value: unknown, op: string): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return clone(value);
  const { parent, key } = parentOf(doc, tokens, op, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, true, op, path), 0, clone(value));
  else parent[key] = clone(value);
  return doc;
}

function removeAt(doc: unknown, path: string, op: string): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return null;
  const { parent, key } = parentOf(doc, tokens, op, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, false, op, path), 1);
  else {
    if (!(key in parent)) throw patchDoesNotApply(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
    delete parent[key];
  }
  return doc;
}

export function jsonPatch(target: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  const ops = patch.map((raw): Operation => {
    if (!isPlainObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw badRequest('json: cannot unmarshal into Go value of type jsonpatch.Operation');
    }
    return { op: raw.op, path: raw.path, from: typeof raw.from === 'string' ? raw.from : undefined, value: raw.value };
  });
  let doc = clone(target);
  for (const o of ops) {
    switch (o.op) {
      case 'add':
        doc = addAt(doc, o.path, o.value, 'add');
        break;
      case 'remove':
        doc = removeAt(doc, o.path, 'remove');
        break;
      case 'replace':
        getAt(doc, o.path, 'replace');
        doc = removeAt(doc, o.path, 'replace');
        doc = addAt(doc, o.path, o.value, 'replace');
        break;
      case 'move': {
        const v = getAt(doc, o.from ?? '', 'move');
        doc = removeAt(doc, o.from ?? '', 'move');
        doc = addAt(doc, o.path, v, 'move');
        break;
      }
      case 'copy':
        doc = addAt(doc, o.path, getAt(doc, o.from ?? '', 'copy'), 'copy');
        break;
      case 'test': {
        let actual: unknown;
        try {
          actual = getAt(doc, o.path, 'test');
        } catch {
          actual = undefined;
        }
        const want = o.value === undefined ? null : o.value;
        if (!(actual === undefined ? want === null : deepEqual(actual, want))) {
          throw patchDoesNotApply(`testing value ${o.path} failed: test failed`);
        }
        break;
      }
      default:
        throw patchDoesNotApply(`Unexpected kind: ${o.op}`);
    }
  }
  return doc;
}
