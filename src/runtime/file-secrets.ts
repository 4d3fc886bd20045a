/**
 * Secrets for `valueFrom.secretKeyRef` args outside Kubernetes (`assay run`, `assay backtest`):
 * read from files of ordinary Secret manifests (`data` base64 or `stringData`), so a pipeline can
 * mount the same Secret it would have in the cluster. Values never leave this module except as
 * arg values, and the engine redacts them from everything it stores or prints.
 */
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import type { SecretResult, SecretSource } from '../reconcile/ports.js';

interface SecretDoc {
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown };
  data?: Record<string, unknown>;
  stringData?: Record<string, unknown>;
}

const ANY_NAMESPACE = '*';

export class FileSecretSource implements SecretSource {
  private constructor(private readonly secrets: Map<string, Map<string, string>>) {}

  /** Load Secret manifests; errors name the file and document, never a value. */
  static async load(paths: readonly string[]): Promise<FileSecretSource> {
    const secrets = new Map<string, Map<string, string>>();
    for (const path of paths) {
      const docs = parseAllDocuments(await readFile(path, 'utf8'));
      docs.forEach((doc, i) => {
        if (doc.errors.length > 0) throw new Error(`${path}: document ${i + 1}: YAML syntax error: ${doc.errors[0]!.message.split('\n')[0]}`);
        const s = doc.toJS() as SecretDoc | null;
        if (!s) return;
        if (s.kind !== 'Secret' || typeof s.metadata?.name !== 'string') {
          throw new Error(`${path}: document ${i + 1}: expected a Secret with metadata.name`);
        }
        // A manifest without a namespace answers in every namespace: outside a cluster there is no
        // controller namespace to put it in, and Argo's provider secrets live there.
        const ns = typeof s.metadata.namespace === 'string' ? s.metadata.namespace : ANY_NAMESPACE;
        const values = new Map<string, string>();
        for (const [k, v] of Object.entries(s.data ?? {})) values.set(k, Buffer.from(String(v), 'base64').toString('utf8'));
        for (const [k, v] of Object.entries(s.stringData ?? {})) values.set(k, String(v));
        secrets.set(`${ns}/${s.metadata.name}`, values);
      });
    }
    return new FileSecretSource(secrets);
  }

  async get(namespace: string, name: string, key: string): Promise<SecretResult> {
    const secret = this.secrets.get(`${namespace}/${name}`) ?? this.secrets.get(`${ANY_NAMESPACE}/${name}`);
    if (!secret) return { ok: false, error: `secrets "${name}" not found` };
    const value = secret.get(key);
    return value === undefined ? { ok: false, error: `key '${key}' does not exist in secret '${name}'` } : { ok: true, value };
  }
}
