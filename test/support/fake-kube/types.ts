// Shared shapes for the fake API server. Objects are kept as plain JSON (like the
// apiserver's unstructured objects), so nothing here is tied to client-node's models.

export type JsonObject = { [key: string]: unknown };

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | null;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** One field problem, rendered the way apimachinery's field.Error renders it. */
export interface FieldError {
  type: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueNotSupported';
  field: string;
  /** Already formatted value (Go %q for strings), only for Invalid / NotSupported. */
  value?: string;
  detail?: string;
}

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

/** Everything the server needs to know about one resource (one group/version/plural). */
export interface ResourceType {
  group: string;
  version: string;
  apiVersion: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  statusSubresource: boolean;
  shortNames: string[];
  categories: string[];
  /** Built-in (compiled-in) type vs custom resource: changes patch types, kind defaulting, list item shape. */
  builtin: boolean;
  /** Whether metadata.generation is maintained. Always true for custom resources. */
  hasGeneration: boolean;
  allowUnconditionalUpdate: boolean;
  allowCreateOnUpdate: boolean;
  returnDeletedObject: boolean;
  defaultPropagation: PropagationPolicy;
  /** Warning header sent when a DELETE leaves the propagation policy to the default. */
  defaultPropagationWarning?: string;
  nameValidation: 'subdomain' | 'label' | 'dns1035';
  /** Field selector keys besides metadata.name / metadata.namespace. */
  fieldSelectors: string[];
  printerColumns: PrinterColumn[];
  /** Paths such as "spec", "spec.metrics[].name" that must be present (CRD schema `required`). */
  requiredFields: string[];
  /**
   * Served versions of one CRD share storage (a CRD with several `served` versions and conversion
   * strategy None): this names the storage version. Objects read through another version come
   * back with that version's apiVersion.
   */
  storageVersion?: string;
  hooks: TypeHooks;
}

export interface TypeHooks {
  /** Server-side defaulting and status reset on create (may throw a StatusError). */
  prepareForCreate?: (obj: KubeObject) => void;
  /** Runs on every write through the main resource, after server fields are carried over from `old`. */
  prepareForUpdate?: (obj: KubeObject, old: KubeObject) => void;
  validate?: (obj: KubeObject, old: KubeObject | undefined) => FieldError[];
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A committed change. `prev` is the stored object before the change (absent for ADDED). */
export interface StoreEvent {
  type: EventType;
  rv: number;
  object: KubeObject;
  prev?: KubeObject;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  /** Parsed JSON when the body was JSON, else the raw text; undefined without a body. */
  body?: unknown;
  headers: Record<string, string | string[] | undefined>;
  time: number;
  /** HTTP status sent back (for watches: the status of the stream's head). */
  status?: number;
}

export interface FaultSpec {
  method?: string;
  /** A string matches the URL path exactly; a RegExp is tested against path + query string. */
  path?: string | RegExp;
  /** Only match watch requests (true) or only non-watch requests (false). */
  watch?: boolean;
  status: number;
  /** How many requests to fail (default 1; Infinity for all). */
  times?: number;
  /** Response body; defaults to a Status object matching `status`. */
  body?: unknown;
  message?: string;
  headers?: Record<string, string>;
}

export interface FaultHandle {
  readonly hits: number;
  readonly remaining: number;
  cancel(): void;
}
