// What a strategic merge patch needs to know of a kind: for each field, whether it is an
// object, a map, a list or a scalar, and for lists the patch strategy and merge key
// (x-kubernetes-patch-strategy / x-kubernetes-patch-merge-key), read from the same schemas
// the OpenAPI documents publish.
import type { OpenAPISchema } from './openapi-schema.js';
import { resolveSchema, schemaByName, schemaNameFor } from './registry.js';

export interface PatchSchema { kind: 'object' | 'map' | 'array' | 'primitive' | 'unknown'; field(name: string): PatchSchema | undefined; values(): PatchSchema | undefined; patchStrategy?: string; patchMergeKey?: string; }

/**
 * A subtree loopkube does not describe (an opaque object, or a kind without a schema). Its
 * fields and values are unknown too, so a patch can walk into it and merge maps as JSON merge
 * patch does, replacing lists.
 */
export const UNKNOWN_PATCH_SCHEMA: PatchSchema = {
  kind: 'unknown',
  field: () => UNKNOWN_PATCH_SCHEMA,
  values: () => UNKNOWN_PATCH_SCHEMA,
};

/**
 * The patch schema of a kind, e.g. `patchSchemaFor('v1', 'Pod').field('spec')?.field('containers')`
 * is `{kind: 'array', patchStrategy: 'merge', patchMergeKey: 'name'}`.
 *
 * - object: `field(name)` is the field's schema, or undefined for a field the kind does not
 *   have (UNKNOWN_PATCH_SCHEMA when the object keeps unknown fields); `values()` is undefined.
 * - map: `values()` and `field(anyKey)` are the schema of the values.
 * - array: `values()` is the schema of the elements; patchStrategy/patchMergeKey say how to merge.
 * - primitive: no fields, no values.
 * - unknown: see UNKNOWN_PATCH_SCHEMA.
 */
export function patchSchemaFor(apiVersion: string, kind: string): PatchSchema {
  const name = schemaNameFor(apiVersion, kind);
  const schema = name ? schemaByName(name) : undefined;
  return schema ? fromSchema(schema) : UNKNOWN_PATCH_SCHEMA;
}

const cache = new WeakMap<OpenAPISchema, PatchSchema>();

/** `schema` is the schema where the field is declared: its patch markers live there, not on the referenced type. */
function fromSchema(schema: OpenAPISchema): PatchSchema {
  const cached = cache.get(schema);
  if (cached) return cached;
  const built = build(schema);
  cache.set(schema, built);
  return built;
}

function build(schema: OpenAPISchema): PatchSchema {
  const s = resolveSchema(schema);
  if (!s) return UNKNOWN_PATCH_SCHEMA;
  const markers: Pick<PatchSchema, 'patchStrategy' | 'patchMergeKey'> = {};
  const strategy = schema['x-kubernetes-patch-strategy'] ?? s['x-kubernetes-patch-strategy'];
  const mergeKey = schema['x-kubernetes-patch-merge-key'] ?? s['x-kubernetes-patch-merge-key'];
  if (strategy) markers.patchStrategy = strategy;
  if (mergeKey) markers.patchMergeKey = mergeKey;
  const none = (): undefined => undefined;

  if (s.type === 'array') {
    const items = s.items;
    return { kind: 'array', field: none, values: () => (items ? fromSchema(items) : UNKNOWN_PATCH_SCHEMA), ...markers };
  }
  if (s.properties) {
    const properties = s.properties;
    const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
    return {
      kind: 'object',
      field: (name) => {
        const property = Object.hasOwn(properties, name) ? properties[name] : undefined;
        if (property) return fromSchema(property);
        return preserve ? UNKNOWN_PATCH_SCHEMA : undefined;
      },
      values: none,
      ...markers,
    };
  }
  if (s.additionalProperties) {
    const values = s.additionalProperties;
    return { kind: 'map', field: () => fromSchema(values), values: () => fromSchema(values), ...markers };
  }
  if (s.type === 'object' || s['x-kubernetes-preserve-unknown-fields']) return UNKNOWN_PATCH_SCHEMA;
  return { kind: 'primitive', field: none, values: none, ...markers };
}
