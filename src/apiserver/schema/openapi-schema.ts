// The OpenAPI v3 schema shape loopkube describes its kinds with, and small builders that
// read like the upstream Go types: `ref(...)` for a nested type, `arr(...)` for a list with
// its strategic-merge-patch and list-type markers, `map(...)` for a map, `obj(...)` for a struct.
// Nested types are referenced as upstream's v3 documents do: `allOf: [{$ref}]` beside a
// description, which kubectl's explain and strategic-merge code both follow.

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface OpenAPISchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  description?: string;
  properties?: Record<string, OpenAPISchema>;
  additionalProperties?: OpenAPISchema;
  items?: OpenAPISchema;
  required?: string[];
  enum?: string[];
  default?: unknown;
  allOf?: OpenAPISchema[];
  oneOf?: OpenAPISchema[];
  $ref?: string;
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
}

export const SCHEMA_REF_PREFIX = '#/components/schemas/';

/** A nested type by its component name, e.g. `ref('io.k8s.api.core.v1.PodSpec', 'Specification of the pod.')`. */
export function ref(name: string, description?: string): OpenAPISchema {
  const s: OpenAPISchema = { allOf: [{ $ref: SCHEMA_REF_PREFIX + name }] };
  if (description) s.description = description;
  return s;
}

export function str(description: string, values?: string[]): OpenAPISchema {
  const s: OpenAPISchema = { type: 'string', description };
  if (values) s.enum = values;
  return s;
}

export function int32(description: string): OpenAPISchema {
  return { type: 'integer', format: 'int32', description };
}

export function int64(description: string): OpenAPISchema {
  return { type: 'integer', format: 'int64', description };
}

export function bool(description: string): OpenAPISchema {
  return { type: 'boolean', description };
}

export function time(description: string): OpenAPISchema {
  return ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time', description);
}

export function microTime(description: string): OpenAPISchema {
  return ref('io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime', description);
}

export function intOrString(description: string): OpenAPISchema {
  return ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString', description);
}

export function quantityMap(description: string): OpenAPISchema {
  return { type: 'object', description, additionalProperties: ref('io.k8s.apimachinery.pkg.api.resource.Quantity') };
}

export interface ListMarkers {
  /** `merge`, `retainKeys`, or `merge,retainKeys` (x-kubernetes-patch-strategy). */
  patchStrategy?: string;
  /** The field identifying an element for a strategic merge (x-kubernetes-patch-merge-key). */
  mergeKey?: string;
  listType?: 'atomic' | 'set' | 'map';
  mapKeys?: string[];
}

export function arr(items: OpenAPISchema, description: string, markers: ListMarkers = {}): OpenAPISchema {
  const s: OpenAPISchema = { type: 'array', description, items };
  if (markers.patchStrategy) s['x-kubernetes-patch-strategy'] = markers.patchStrategy;
  if (markers.mergeKey) s['x-kubernetes-patch-merge-key'] = markers.mergeKey;
  if (markers.listType) s['x-kubernetes-list-type'] = markers.listType;
  if (markers.mapKeys) s['x-kubernetes-list-map-keys'] = markers.mapKeys;
  return s;
}

/** A list of strings (upstream's default list type for them is atomic). */
export function strings(description: string, markers: ListMarkers = { listType: 'atomic' }): OpenAPISchema {
  return arr({ type: 'string', default: '' }, description, markers);
}

export function map(values: OpenAPISchema, description: string, atomic = false): OpenAPISchema {
  const s: OpenAPISchema = { type: 'object', description, additionalProperties: values };
  if (atomic) s['x-kubernetes-map-type'] = 'atomic';
  return s;
}

export function stringMap(description: string, atomic = false): OpenAPISchema {
  return map({ type: 'string', default: '' }, description, atomic);
}

export interface ObjectOptions {
  required?: string[];
  gvk?: GroupVersionKind[];
  /** Accept fields loopkube does not model (the subtree is valid upstream, only not described here). */
  preserveUnknownFields?: boolean;
}

export function obj(description: string, properties: Record<string, OpenAPISchema>, opts: ObjectOptions = {}): OpenAPISchema {
  const s: OpenAPISchema = { type: 'object', description, properties };
  if (opts.required?.length) s.required = opts.required;
  if (opts.preserveUnknownFields) s['x-kubernetes-preserve-unknown-fields'] = true;
  if (opts.gvk) s['x-kubernetes-group-version-kind'] = opts.gvk;
  return s;
}

/** A subtree loopkube accepts as is: valid upstream, not described field by field here. */
export function opaque(description: string): OpenAPISchema {
  return { type: 'object', description, 'x-kubernetes-preserve-unknown-fields': true };
}

export function gvk(group: string, version: string, kind: string): GroupVersionKind {
  return { group, version, kind };
}

/** The standard `apiVersion`, `kind`, `metadata` trio of a top-level object. */
export function typeMetaFields(metadataDescription = 'Standard object metadata.'): Record<string, OpenAPISchema> {
  return {
    apiVersion: str(
      'APIVersion is the versioned schema of this representation of the object, e.g. `v1` or `discovery.k8s.io/v1`.',
    ),
    kind: str('Kind is the REST resource this object represents, in CamelCase, e.g. `Pod`.'),
    metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', metadataDescription),
  };
}

/** `PodList`-like list types: apiVersion, kind, metadata (ListMeta) and items. */
export function listOf(itemSchema: string, itemsDescription: string, kind: GroupVersionKind): OpenAPISchema {
  return obj(
    `${kind.kind} is a list of ${kind.kind.replace(/List$/, '')} objects.`,
    {
      apiVersion: str('APIVersion is the versioned schema of this representation of the list.'),
      items: arr(ref(itemSchema), itemsDescription),
      kind: str('Kind is the REST resource this list represents, in CamelCase.'),
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', 'Standard list metadata.'),
    },
    { required: ['items'], gvk: [kind] },
  );
}
