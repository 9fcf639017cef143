// Strict field validation: the fields of an object its schema does not know, with the paths
// kube-apiserver reports them by (`unknown field "spec.ports[0].foo"`). Values of the wrong
// type are not this check's business; subtrees marked x-kubernetes-preserve-unknown-fields
// accept anything.
import { isPlainObject } from '../../api/json.js';
import type { OpenAPISchema } from './openapi-schema.js';
import { resolveSchema, schemaByName, schemaNameFor } from './registry.js';


/**
 * The unknown fields of `obj` read as `apiVersion`/`kind`, in document order, e.g.
 * `['spec.foo', 'spec.containers[0].bar']`. Empty when all fields are known, and for a kind
 * loopkube has no schema for (nothing can be judged then).
 */
export function findUnknownFields(apiVersion: string, kind: string, obj: unknown): string[] {
  const name = schemaNameFor(apiVersion, kind);
  const schema = name ? schemaByName(name) : undefined;
  if (!schema) return [];
  const found: string[] = [];
  walk(schema, obj, '', found);
  return found;
}

function walk(schema: OpenAPISchema, value: unknown, path: string, found: string[]): void {
  const s = resolveSchema(schema);
  if (!s || value === null || value === undefined) return;
  if (s.type === 'array') {
    if (!Array.isArray(value) || !s.items) return;
    const items = s.items;
    value.forEach((item, i) => walk(items, item, `${path}[${i}]`, found));
    return;
  }
  if (!isPlainObject(value)) return;
  const join = (key: string): string => (path ? `${path}.${key}` : key);
  if (s.properties) {
    const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
    for (const [key, v] of Object.entries(value)) {
      const property = s.properties[key];
      if (property) walk(property, v, join(key), found);
      else if (!preserve) found.push(join(key));
    }
    return;
  }
  if (s.additionalProperties) {
    const values = s.additionalProperties;
    for (const [key, v] of Object.entries(value)) walk(values, v, join(key), found);
  }
  // An object with neither properties nor additionalProperties is opaque: anything goes.
}
