/**
 * Loads analysis manifests from YAML: multi-document files, validated with the zod schemas, with
 * errors that name the file, the document, the resource, the field and the YAML line:column.
 *
 *   examples/at.yaml: document 1 (AnalysisTemplate success-rate): spec.metrics[0].count:
 *     expected integer or string, got boolean (line 9, column 12)          <- one line in practice
 *
 * YAML is read with YAML 1.2 core semantics (the `yaml` package default): `value: "0.95"` and
 * unquoted timestamps stay strings, `yes`/`on` are strings, `.nan`/`.inf` are numbers. Merge keys
 * (`<<: *anchor`) are honoured, as kubectl does.
 *
 * A loaded resource's `object` is the document exactly as written (validated, never transformed or
 * defaulted), so it round-trips and keeps its key order.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Document, type Node } from 'yaml';
import type { AnalysisRun, AnalysisTemplate } from './types.js';
import { API_VERSION } from './types.js';
import { RESOURCE_SCHEMAS, type AnalysisKind } from './schema.js';
import { describeValue, formatPath, toProblems } from './schema/issues.js';

interface ResourceBase {
  file: string;
  /** 0-based position of the YAML document in its file (messages print it 1-based). */
  documentIndex: number;
  /** Index in `items` when the document is a List (`kubectl get ... -o yaml`). */
  itemIndex?: number;
  name: string | undefined;
  namespace: string | undefined;
}

export type LoadedResource =
  | (ResourceBase & { kind: 'AnalysisTemplate'; object: AnalysisTemplate })
  | (ResourceBase & { kind: 'ClusterAnalysisTemplate'; object: AnalysisTemplate })
  | (ResourceBase & { kind: 'AnalysisRun'; object: AnalysisRun })
  /** Any other Kubernetes kind (Rollout, Service, ...): returned so callers can decide to ignore it. */
  | (ResourceBase & { kind: 'other'; apiVersion: string | undefined; resourceKind: string; object: Record<string, unknown> });

export interface LoadError {
  file: string;
  /** 0-based document position; absent when the whole file failed (unreadable). */
  documentIndex?: number;
  itemIndex?: number;
  kind?: string;
  name?: string;
  /** Field path such as `spec.metrics[0].count`; absent for syntax and file errors. */
  path?: string;
  /** 1-based position of the offending YAML node, when known. */
  line?: number;
  column?: number;
  /** What is wrong, without location: `expected integer or string, got boolean`. */
  reason: string;
  /** The full, human-readable message (file, document, resource, field, reason, line:column). */
  message: string;
}

interface LoadResult {
  resources: LoadedResource[];
  errors: LoadError[];
  /**
   * Unknown fields in analysis resources. Argo's CRDs prune them silently, so a manifest that has
   * one still loads unchanged (and the field is ignored, as in Argo); `assay lint` reports them as
   * errors because a misspelt field (`sucessCondition`) is a template that never does what it says.
   */
  warnings: LoadError[];
}

type ValidationResult =
  | { ok: true; kind: AnalysisKind }
  | { ok: false; problems: Array<{ path: PropertyKey[]; atKey: boolean; reason: string }> };

/**
 * Validates one parsed object against the schema of its `kind`. Exported for objects that do not come
 * from a file (API server watches); positions are then unknown.
 */
export function validateResource(kind: AnalysisKind, value: unknown): ValidationResult {
  // jitless: each resource is validated once, and zod's generated fast path costs more to build
  // (new Function per object shape) than it saves on one object; it was a tenth of `assay lint`.
  const result = RESOURCE_SCHEMAS[kind].safeParse(value, { reportInput: true, jitless: true });
  return result.success ? { ok: true, kind } : { ok: false, problems: toProblems(result.error.issues) };
}

// ---- locating YAML nodes ---------------------------------------------------------------------------

type Located = { line: number; column: number } | undefined;

/**
 * Follows a field path through the YAML node tree. Stops at the deepest node that exists, so a
 * missing field points at the object that lacks it. `atKey` points at the key of the last segment
 * (for unknown fields) rather than its value.
 */
function locate(doc: Document, lines: LineCounter, path: readonly PropertyKey[], atKey: boolean): Located {
  let node: unknown = doc.contents;
  let target: unknown = node;
  for (let i = 0; i < path.length; i++) {
    if (isAlias(node)) node = node.resolve(doc);
    const seg = path[i];
    let next: unknown;
    let keyNode: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      keyNode = pair?.key;
      next = pair?.value ?? pair?.key;
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg];
    }
    if (next === undefined || next === null) break;
    node = next;
    target = atKey && i === path.length - 1 && keyNode !== undefined ? keyNode : next;
  }
  const range = (target as Node | null | undefined)?.range;
  if (!range) return undefined;
  const pos = lines.linePos(range[0]);
  return { line: pos.line, column: pos.col };
}

// ---- classification ----------------------------------------------------------------------------------

const LIST_KINDS = new Set(['List', 'AnalysisTemplateList', 'ClusterAnalysisTemplateList', 'AnalysisRunList']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isAnalysisKind(kind: string): kind is AnalysisKind {
  return Object.hasOwn(RESOURCE_SCHEMAS, kind);
}

function metaOf(value: Record<string, unknown>): { name?: string; generateName?: string; namespace?: string } {
  const meta = isRecord(value.metadata) ? value.metadata : {};
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { name: str(meta.name), generateName: str(meta.generateName), namespace: str(meta.namespace) };
}

/** Everything needed to report problems about one document (or List item). */
interface Where {
  file: string;
  documentIndex: number;
  itemIndex: number | undefined;
  doc: Document;
  lines: LineCounter;
  /** Path from the document root to the object being checked (`['items', 3]` inside a List). */
  prefix: PropertyKey[];
}

function makeError(
  w: Where,
  reason: string,
  extra: { kind?: string; name?: string; path?: readonly PropertyKey[]; atKey?: boolean } = {},
): LoadError {
  const full = [...w.prefix, ...(extra.path ?? [])];
  const pos = locate(w.doc, w.lines, full, extra.atKey ?? false);
  let where = `${w.file}: document ${w.documentIndex + 1}`;
  if (w.itemIndex !== undefined) where += `, items[${w.itemIndex}]`;
  if (extra.kind !== undefined) where += ` (${extra.kind} ${extra.name ?? 'without a name'})`;
  const path = extra.path && extra.path.length > 0 ? formatPath(extra.path) : undefined;
  const at = pos ? ` (line ${pos.line}, column ${pos.column})` : '';
  const error: LoadError = {
    file: w.file,
    documentIndex: w.documentIndex,
    reason,
    message: `${where}: ${path ? `${path}: ` : ''}${reason}${at}`,
  };
  if (w.itemIndex !== undefined) error.itemIndex = w.itemIndex;
  if (extra.kind !== undefined) error.kind = extra.kind;
  if (extra.name !== undefined) error.name = extra.name;
  if (path !== undefined) error.path = path;
  if (pos) {
    error.line = pos.line;
    error.column = pos.column;
  }
  return error;
}

function classify(value: unknown, w: Where, out: LoadResult, opts: LoadOptions): void {
  if (!isRecord(value)) {
    out.errors.push(makeError(w, `expected a Kubernetes resource (a map with apiVersion and kind), got ${describeValue(value)}`));
    return;
  }
  const { kind, apiVersion } = value;
  const meta = metaOf(value);
  const label = meta.name ?? (meta.generateName !== undefined ? `${meta.generateName}<generated>` : undefined);
  if (typeof kind !== 'string' || kind === '') {
    const reason = kind === undefined ? 'missing required field' : `expected string, got ${describeValue(kind)}`;
    out.errors.push(makeError(w, `not a Kubernetes resource: kind: ${reason}`));
    return;
  }
  const base = { file: w.file, documentIndex: w.documentIndex, name: meta.name, namespace: meta.namespace };
  const withItem = w.itemIndex === undefined ? base : { ...base, itemIndex: w.itemIndex };

  if (isAnalysisKind(kind)) {
    // Another group may define a kind with the same name; only argoproj.io (or a missing or
    // malformed apiVersion, which the schema then reports) is ours to validate.
    const foreign = typeof apiVersion === 'string' && apiVersion.split('/')[0] !== 'argoproj.io';
    if (!foreign) {
      const result = validateResource(kind, value);
      if (!result.ok) {
        const tolerable = (p: { path: PropertyKey[]; atKey: boolean; reason: string }) =>
          (p.atKey && p.reason === 'unknown field') || (opts.lenientProviders === true && p.path.includes('provider'));
        const onlyTolerable = result.problems.every(tolerable);
        for (const p of result.problems) {
          (onlyTolerable ? out.warnings : out.errors).push(makeError(w, p.reason, { kind, name: label, path: p.path, atKey: p.atKey }));
        }
        if (!onlyTolerable) return;
      }
      // Validated and untransformed (no defaults, no stripping): the document itself is the typed
      // resource, which keeps the author's key order for round-trips.
      out.resources.push(
        kind === 'AnalysisRun'
          ? { ...withItem, kind, object: value as unknown as AnalysisRun }
          : { ...withItem, kind, object: value as unknown as AnalysisTemplate },
      );
      return;
    }
  }

  if (LIST_KINDS.has(kind) && Array.isArray(value.items) && (apiVersion === 'v1' || apiVersion === API_VERSION)) {
    value.items.forEach((item, i) => classify(item, { ...w, itemIndex: i, prefix: [...w.prefix, 'items', i] }, out, opts));
    return;
  }
  out.resources.push({
    ...withItem,
    kind: 'other',
    apiVersion: typeof apiVersion === 'string' ? apiVersion : undefined,
    resourceKind: kind,
    object: value,
  });
}

// ---- entry points ------------------------------------------------------------------------------------

/** Reason text of a yaml parse error, without the "at line X, column Y:" tail and code excerpt. */
function syntaxReason(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return first.replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * Parses every YAML document of `text` and validates the analysis resources in it. `file` is only
 * used in messages. Never throws for bad input: every problem is a LoadError.
 */
interface LoadOptions {
  /**
   * Report problems inside `metric.provider` blocks as warnings and load the resource anyway.
   * `assay test` scripts the providers' answers, so a test need not spell out every field Argo's
   * CRD requires of, say, a Kayenta block; `assay lint` and the live engine stay strict.
   */
  lenientProviders?: boolean;
}

export function loadManifests(text: string, file: string, opts: LoadOptions = {}): LoadResult {
  const out: LoadResult = { resources: [], errors: [], warnings: [] };
  const lines = new LineCounter();
  const docs = parseAllDocuments(text.replace(/^\uFEFF/, ''), { lineCounter: lines, merge: true });
  docs.forEach((doc, documentIndex) => {
    const w: Where = { file, documentIndex, itemIndex: undefined, doc, lines, prefix: [] };
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        const pos = err.linePos?.[0];
        const at = pos ? ` (line ${pos.line}, column ${pos.col})` : '';
        const reason = `YAML syntax error: ${syntaxReason(err.message)}`;
        const e: LoadError = { file, documentIndex, reason, message: `${file}: document ${documentIndex + 1}: ${reason}${at}` };
        if (pos) {
          e.line = pos.line;
          e.column = pos.col;
        }
        out.errors.push(e);
      }
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      // e.g. an alias bomb or an alias to an undefined anchor
      out.errors.push(makeError(w, `YAML error: ${(err as Error).message}`));
      return;
    }
    if (value === null || value === undefined) return; // empty document (`---` alone, comments only)
    classify(value, w, out, opts);
  });
  return out;
}

/** An unreadable file or directory; names the entry that failed (which may be below `given`). */
function fileError(given: string, err: unknown): LoadError {
  const { code, path } = err as NodeJS.ErrnoException;
  const file = path ?? given;
  const reason =
    code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
  return { file, reason: `cannot read: ${reason}`, message: `${file}: cannot read: ${reason}` };
}

/** Reads and loads one file; an unreadable file is a LoadError naming the path. */
export async function loadFile(path: string): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return { resources: [], errors: [fileError(path, err)], warnings: [] };
  }
  return loadManifests(text, path);
}

const YAML_FILE = /\.ya?ml$/i;

/** `*.yaml`/`*.yml` below `dir`, sorted by path; hidden entries (`.git`, ...) are skipped. */
async function yamlFilesUnder(dir: string, seen: Set<string>): Promise<string[]> {
  const real = await realpath(dir);
  if (seen.has(real)) return []; // a symlink loop
  seen.add(real);
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    const isDir = entry.isDirectory() || (entry.isSymbolicLink() && (await stat(full).catch(() => undefined))?.isDirectory());
    if (isDir) files.push(...(await yamlFilesUnder(full, seen)));
    else if (YAML_FILE.test(entry.name)) files.push(full);
  }
  return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Loads files and directories in the order given. A directory contributes its `*.yaml`/`*.yml` files
 * recursively, sorted by path (code-point order, independent of locale); a file named explicitly is
 * loaded whatever its extension. A file reached twice is loaded once.
 */
export async function loadPaths(paths: readonly string[]): Promise<LoadResult> {
  const out: LoadResult = { resources: [], errors: [], warnings: [] };
  const loaded = new Set<string>();
  for (const path of paths) {
    let files: string[];
    try {
      files = (await stat(path)).isDirectory() ? await yamlFilesUnder(path, new Set()) : [path];
    } catch (err) {
      out.errors.push(fileError(path, err));
      continue;
    }
    for (const file of files) {
      const key = await realpath(file).catch(() => file);
      if (loaded.has(key)) continue;
      loaded.add(key);
      const result = await loadFile(file);
      out.resources.push(...result.resources);
      out.errors.push(...result.errors);
      out.warnings.push(...result.warnings);
    }
  }
  return out;
}
