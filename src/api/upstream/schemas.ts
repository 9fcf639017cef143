// OpenAPI v3 component schemas from the Go tables, in the shape src/apiserver/schema publishes
// (openapi-schema.ts): a struct is an object whose properties follow the JSON fields (embedded
// structs merged in), nested structs are `allOf: [{$ref}]` beside a description, lists and maps
// carry their x-kubernetes-* markers, kinds their x-kubernetes-group-version-kind. As upstream's
// openapi-gen: a field is required unless it has omitempty or +optional (+required wins), enum
// values come from `+enum` types, `+structType=atomic` is x-kubernetes-map-type: atomic.
import type { GroupVersionKind, OpenAPISchema } from '../../apiserver/schema/openapi-schema.js';
import { SCHEMA_REF_PREFIX } from '../../apiserver/schema/openapi-schema.js';
import type { UpstreamField, UpstreamStruct } from './model.js';
import { parseTypeRef, type SpecialType, type TypeIndex, type TypeRef } from './type-index.js';

/** Component names of the special types (their schemas are apimachinery's own, not their Go fields). */
export const SPECIAL_COMPONENTS: Readonly<Record<SpecialType, string>> = {
  Time: 'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
  MicroTime: 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime',
  Duration: 'io.k8s.apimachinery.pkg.apis.meta.v1.Duration',
  FieldsV1: 'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
  Quantity: 'io.k8s.apimachinery.pkg.api.resource.Quantity',
  IntOrString: 'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  RawExtension: 'io.k8s.apimachinery.pkg.runtime.RawExtension',
};

/** The schemas of the special types, as kube-apiserver publishes them (descriptions shortened). */
export const SPECIAL_SCHEMAS: Readonly<Record<string, OpenAPISchema>> = {
  [SPECIAL_COMPONENTS.Time]: { type: 'string', format: 'date-time', description: 'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.' },
  [SPECIAL_COMPONENTS.MicroTime]: { type: 'string', format: 'date-time', description: 'MicroTime is version of Time with microsecond level precision.' },
  [SPECIAL_COMPONENTS.Duration]: { type: 'string', description: 'Duration is a wrapper around time.Duration which supports correct marshaling to YAML and JSON.' },
  [SPECIAL_COMPONENTS.FieldsV1]: { type: 'object', description: 'FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.' },
  [SPECIAL_COMPONENTS.Quantity]: { oneOf: [{ type: 'string' }, { type: 'number' }], description: 'Quantity is a fixed-point representation of a number.' },
  [SPECIAL_COMPONENTS.IntOrString]: {
    oneOf: [{ type: 'integer' }, { type: 'string' }],
    format: 'int-or-string',
    'x-kubernetes-int-or-string': true,
    description: 'IntOrString is a type that can hold an int32 or a string.',
  },
  [SPECIAL_COMPONENTS.RawExtension]: {
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
    description: 'RawExtension is used to hold extensions in external versions.',
  },
};

export interface SchemaOptions {
  /**
   * The group-version-kinds a kind's schema is tagged with. Default: a struct embedding
   * meta.v1.TypeMeta is the kind of its own package's group and version (the core group is '').
   * meta.v1 kinds (Status, DeleteOptions, WatchEvent) are in every group version: say which.
   */
  gvks?: (qualified: string) => GroupVersionKind[] | undefined;
}

/** The OpenAPI component name of a Go type: `core.v1.PodSpec` -> `io.k8s.api.core.v1.PodSpec`. */
export function componentName(index: TypeIndex, qualified: string): string {
  const ref = parseTypeRef(qualified);
  const special = index.special(ref);
  if (special) return SPECIAL_COMPONENTS[special];
  if (ref.kind !== 'named') throw new Error(`${qualified} is not a named type`);
  const pkg = index.packageOf(ref.pkg);
  if (!pkg) throw new Error(`no table for package ${ref.pkg}`);
  return `${pkg.openapi}.${ref.name}`;
}

/** A struct's JSON fields, embedded structs merged in where they are declared. */
export function jsonFields(index: TypeIndex, struct: UpstreamStruct): UpstreamField[] {
  const out: UpstreamField[] = [];
  for (const f of struct.fields) {
    if (!f.inline) {
      out.push(f);
      continue;
    }
    const ref = parseTypeRef(f.type);
    const target = ref.kind === 'pointer' ? ref.elem : ref;
    const inner = target.kind === 'named' ? index.struct(target.qualified) : undefined;
    if (!inner) throw new Error(`cannot inline ${f.type}`);
    for (const g of jsonFields(index, inner)) if (!out.some((o) => o.json === g.json)) out.push(g);
  }
  return out;
}

/**
 * The component schemas of `roots` (qualified Go names such as `core.v1.Pod`) and of every type
 * they reference, by component name.
 */
export function schemasFor(index: TypeIndex, roots: readonly string[], opts: SchemaOptions = {}): Record<string, OpenAPISchema> {
  const out: Record<string, OpenAPISchema> = {};
  const pending = [...roots];

  const defaultGvks = (qualified: string, struct: UpstreamStruct): GroupVersionKind[] | undefined => {
    if (!struct.fields.some((f) => f.inline && f.type === 'meta.v1.TypeMeta')) return undefined;
    const ref = parseTypeRef(qualified);
    if (ref.kind !== 'named') return undefined;
    const pkg = index.packageOf(ref.pkg);
    if (!pkg || pkg.name === 'meta.v1') return undefined;
    return [{ group: pkg.group, version: pkg.version, kind: ref.name }];
  };

  const refTo = (qualified: string, description: string): OpenAPISchema => {
    pending.push(qualified);
    const s: OpenAPISchema = { allOf: [{ $ref: SCHEMA_REF_PREFIX + componentName(index, qualified) }] };
    if (description) s.description = description;
    return s;
  };

  /** The schema of a value of type `ref` (an element or a field's type without its markers). */
  const valueSchema = (ref: TypeRef, description: string, itemDefault: boolean): OpenAPISchema => {
    const target = ref.kind === 'pointer' ? ref.elem : ref;
    const enumValues = index.enumOf(target);
    const u = index.underlying(target);
    let s: OpenAPISchema;
    switch (u.kind) {
      case 'builtin':
        s = builtinSchema(u.name);
        if (itemDefault && ref.kind !== 'pointer') {
          const d = builtinDefault(u.name);
          if (d !== undefined) s.default = d;
        }
        break;
      case 'slice': {
        const elem = index.underlying(u.elem);
        if (elem.kind === 'builtin' && (elem.name === 'byte' || elem.name === 'uint8')) s = { type: 'string', format: 'byte' };
        else s = { type: 'array', items: valueSchema(u.elem, '', true) };
        break;
      }
      case 'map':
        s = { type: 'object', additionalProperties: valueSchema(u.value, '', true) };
        break;
      case 'named':
        return refTo(u.qualified, description);
      default:
        throw new Error(`unexpected type ${JSON.stringify(u)}`);
    }
    if (description) s = { ...s, description };
    if (enumValues?.length) s.enum = [...enumValues];
    return s;
  };

  const fieldSchema = (f: UpstreamField): OpenAPISchema => {
    const s = valueSchema(parseTypeRef(f.type), f.doc, false);
    if (f.patchStrategy) s['x-kubernetes-patch-strategy'] = f.patchStrategy;
    if (f.patchMergeKey) s['x-kubernetes-patch-merge-key'] = f.patchMergeKey;
    if (f.listType) s['x-kubernetes-list-type'] = f.listType;
    if (f.listMapKeys) s['x-kubernetes-list-map-keys'] = [...f.listMapKeys];
    if (f.mapType) s['x-kubernetes-map-type'] = f.mapType;
    return s;
  };

  while (pending.length) {
    const qualified = pending.pop() as string;
    const name = componentName(index, qualified);
    if (out[name]) continue;
    const special = index.special(parseTypeRef(qualified));
    if (special) {
      out[name] = SPECIAL_SCHEMAS[name] as OpenAPISchema;
      continue;
    }
    const struct = index.struct(qualified);
    if (!struct) throw new Error(`no struct ${qualified} in the tables`);
    const properties: Record<string, OpenAPISchema> = {};
    const required: string[] = [];
    for (const f of jsonFields(index, struct)) {
      properties[f.json] = fieldSchema(f);
      if (f.required || (!f.omitempty && !f.optional)) required.push(f.json);
    }
    const s: OpenAPISchema = { type: 'object', description: struct.doc, properties };
    if (required.length) s.required = required;
    if (struct.structType) s['x-kubernetes-map-type'] = struct.structType;
    const gvks = opts.gvks?.(qualified) ?? defaultGvks(qualified, struct);
    if (gvks) s['x-kubernetes-group-version-kind'] = gvks;
    out[name] = s;
  }
  return out;
}

function builtinSchema(name: string): OpenAPISchema {
  switch (name) {
    case 'string':
      return { type: 'string' };
    case 'bool':
      return { type: 'boolean' };
    case 'int32':
    case 'int16':
    case 'int8':
    case 'uint16':
    case 'uint8':
      return { type: 'integer', format: 'int32' };
    case 'int':
    case 'int64':
    case 'uint32':
    case 'uint64':
    case 'uint':
      return { type: 'integer', format: 'int64' };
    case 'float32':
    case 'float64':
      return { type: 'number', format: 'double' };
    case 'any':
      return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    default:
      throw new Error(`no schema for Go type ${name}`);
  }
}

/** The zero value openapi-gen puts as the default of list items and map values. */
function builtinDefault(name: string): unknown {
  if (name === 'string') return '';
  if (name === 'bool') return false;
  if (name === 'any') return undefined;
  return 0;
}
