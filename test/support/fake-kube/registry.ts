// Which resources the fake serves, and the per-type behaviour switches the real registry strategies
// encode (generation tracking, unconditional update, create-on-update, delete response shape...).
import type { FieldError, KubeObject, PrinterColumn, PropagationPolicy, ResourceType, TypeHooks } from './types.js';

export interface CustomResourceOptions {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular?: string;
  /** Default true. */
  namespaced?: boolean;
  /** Default false: like a CRD with `subresources: {}`. */
  statusSubresource?: boolean;
  shortNames?: string[];
  categories?: string[];
  /** additionalPrinterColumns, used for kubectl's table output. Without them kubectl shows NAME and AGE. */
  printerColumns?: PrinterColumn[];
  /** Schema `required` paths, e.g. ["spec", "spec.metrics[].name", "status.phase"]. */
  requiredFields?: string[];
  /** Extra validation standing in for the CRD's OpenAPI schema or CEL rules. */
  validate?: (obj: KubeObject, old: KubeObject | undefined) => FieldError[];
  /** For a CRD served in several versions: the version all of them are stored as (shared storage). */
  storageVersion?: string;
}

/** Custom resources follow apiextensions-apiserver's strategy: every write needs a resourceVersion. */
export function customResourceType(o: CustomResourceOptions): ResourceType {
  const hooks: TypeHooks = o.validate ? { validate: o.validate } : {};
  return {
    group: o.group,
    version: o.version,
    apiVersion: `${o.group}/${o.version}`,
    kind: o.kind,
    listKind: `${o.kind}List`,
    plural: o.plural,
    singular: o.singular ?? o.kind.toLowerCase(),
    namespaced: o.namespaced ?? true,
    statusSubresource: o.statusSubresource ?? false,
    shortNames: o.shortNames ?? [],
    categories: o.categories ?? [],
    builtin: false,
    hasGeneration: true,
    allowUnconditionalUpdate: false,
    allowCreateOnUpdate: false,
    returnDeletedObject: false,
    defaultPropagation: 'Background',
    nameValidation: 'subdomain',
    fieldSelectors: [],
    printerColumns: o.printerColumns ?? [],
    requiredFields: o.requiredFields ?? [],
    ...(o.storageVersion ? { storageVersion: o.storageVersion } : {}),
    hooks,
  };
}

export interface BuiltinOptions {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  statusSubresource?: boolean;
  shortNames?: string[];
  categories?: string[];
  hasGeneration?: boolean;
  allowCreateOnUpdate?: boolean;
  returnDeletedObject?: boolean;
  defaultPropagation?: PropagationPolicy;
  defaultPropagationWarning?: string;
  nameValidation?: ResourceType['nameValidation'];
  fieldSelectors?: string[];
  hooks?: TypeHooks;
}

/** Built-in types: most strategies allow unconditional update (PUT without resourceVersion). */
export function builtinType(o: BuiltinOptions): ResourceType {
  return {
    group: o.group,
    version: o.version,
    apiVersion: o.group ? `${o.group}/${o.version}` : o.version,
    kind: o.kind,
    listKind: `${o.kind}List`,
    plural: o.plural,
    singular: o.kind.toLowerCase(),
    namespaced: o.namespaced,
    statusSubresource: o.statusSubresource ?? false,
    shortNames: o.shortNames ?? [],
    categories: o.categories ?? [],
    builtin: true,
    hasGeneration: o.hasGeneration ?? false,
    allowUnconditionalUpdate: true,
    allowCreateOnUpdate: o.allowCreateOnUpdate ?? false,
    returnDeletedObject: o.returnDeletedObject ?? false,
    defaultPropagation: o.defaultPropagation ?? 'Background',
    defaultPropagationWarning: o.defaultPropagationWarning,
    nameValidation: o.nameValidation ?? 'subdomain',
    fieldSelectors: o.fieldSelectors ?? [],
    printerColumns: [],
    requiredFields: [],
    hooks: o.hooks ?? {},
  };
}

export class Registry {
  private readonly types: ResourceType[] = [];

  add(t: ResourceType): ResourceType {
    const i = this.types.findIndex((x) => x.group === t.group && x.version === t.version && x.plural === t.plural);
    if (i >= 0) this.types[i] = t;
    else this.types.push(t);
    return t;
  }

  all(): readonly ResourceType[] {
    return this.types;
  }

  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.version === version && t.plural === plural);
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.types.find((t) => t.apiVersion === apiVersion && t.kind === kind);
  }

  /** Resolves what tests pass to fake.get/list: apiVersion + kind, or apiVersion + plural. */
  resolve(apiVersion: string, kindOrPlural: string): ResourceType {
    const t = this.byKind(apiVersion, kindOrPlural) ?? this.types.find((x) => x.apiVersion === apiVersion && x.plural === kindOrPlural);
    if (!t) throw new Error(`fake-kube: no resource registered for ${apiVersion} ${kindOrPlural}`);
    return t;
  }

  hasGroupVersion(group: string, version: string): boolean {
    return this.types.some((t) => t.group === group && t.version === version);
  }

  /** Group names in registration order, each with its versions. The core group is "". */
  groups(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const t of this.types) {
      const versions = out.get(t.group) ?? [];
      if (!versions.includes(t.version)) versions.push(t.version);
      out.set(t.group, versions);
    }
    return out;
  }
}
