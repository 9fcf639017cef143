// The one source of truth: every schema loopkube publishes, by its upstream component name,
// and the lookups the validator, the patcher, the OpenAPI documents and the printers share.
// The hand-written schemas of the first kinds win; every other kind of the upstream API tables
// (src/api/upstream, generated from the Go types) is described by the schemas derived from them.
import { schemasFor, UPSTREAM } from '../../api/upstream/index.js';
import { API_DISCOVERY_SCHEMAS } from './api-discovery.js';
import { CORE_V1_AFFINITY_SCHEMAS } from './core-v1-affinity.js';
import { CORE_V1_CLUSTER_SCHEMAS } from './core-v1-cluster.js';
import { CORE_V1_POD_SCHEMAS } from './core-v1-pod.js';
import { CORE_V1_SECURITY_CONTEXT_SCHEMAS } from './core-v1-security-context.js';
import { CORE_V1_SERVICE_SCHEMAS } from './core-v1-service.js';
import { COORDINATION_V1_SCHEMAS } from './coordination-v1.js';
import { DISCOVERY_V1_SCHEMAS } from './discovery-v1.js';
import { META_V1_SCHEMAS } from './meta-v1.js';
import { SCHEMA_REF_PREFIX, type OpenAPISchema } from './openapi-schema.js';

/** Every kind in the upstream tables (a struct with TypeMeta inline), outside meta/v1. */
function upstreamKinds(): string[] {
  const kinds: string[] = [];
  for (const pkg of UPSTREAM.packages) {
    if (pkg.name === 'meta.v1') continue;
    for (const [name, t] of Object.entries(pkg.types)) {
      if (t.kind === 'struct' && t.fields.some((f) => f.inline && f.type === 'meta.v1.TypeMeta')) kinds.push(`${pkg.name}.${name}`);
    }
  }
  return kinds;
}

/** The schemas written by hand (the first kinds'), which win over the derived ones. */
export const HAND_WRITTEN_SCHEMAS: Readonly<Record<string, OpenAPISchema>> = Object.freeze({
  ...META_V1_SCHEMAS,
  ...API_DISCOVERY_SCHEMAS,
  ...CORE_V1_POD_SCHEMAS,
  ...CORE_V1_AFFINITY_SCHEMAS,
  ...CORE_V1_SECURITY_CONTEXT_SCHEMAS,
  ...CORE_V1_SERVICE_SCHEMAS,
  ...CORE_V1_CLUSTER_SCHEMAS,
  ...DISCOVERY_V1_SCHEMAS,
  ...COORDINATION_V1_SCHEMAS,
});

export const SCHEMAS: Readonly<Record<string, OpenAPISchema>> = Object.freeze({
  ...schemasFor(UPSTREAM, upstreamKinds()),
  ...HAND_WRITTEN_SCHEMAS,
});

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

const byGvk = new Map<string, string>();
for (const [name, schema] of Object.entries(SCHEMAS)) {
  for (const k of schema['x-kubernetes-group-version-kind'] ?? []) {
    const key = `${k.group}/${k.version}/${k.kind}`;
    // Kinds listed under several group versions (DeleteOptions, WatchEvent) resolve to one schema.
    if (!byGvk.has(key)) byGvk.set(key, name);
  }
}

/** The component name describing `apiVersion`/`kind`, e.g. `('v1', 'Pod')` -> `io.k8s.api.core.v1.Pod`. */
export function schemaNameFor(apiVersion: string, kind: string): string | undefined {
  const { group, version } = splitApiVersion(apiVersion);
  return byGvk.get(`${group}/${version}/${kind}`);
}

export function schemaByName(name: string): OpenAPISchema | undefined {
  return SCHEMAS[name];
}

/** The component name a `$ref` points to, if the schema is a reference (directly or as `allOf: [{$ref}]`). */
export function refName(schema: OpenAPISchema): string | undefined {
  const target = schema.$ref ?? (schema.allOf?.length === 1 ? schema.allOf[0]?.$ref : undefined);
  return target?.startsWith(SCHEMA_REF_PREFIX) ? target.slice(SCHEMA_REF_PREFIX.length) : undefined;
}

/** Follows references until a schema with its own type; undefined for a dangling reference. */
export function resolveSchema(schema: OpenAPISchema): OpenAPISchema | undefined {
  let current: OpenAPISchema | undefined = schema;
  for (let hops = 0; current && hops < 16; hops++) {
    const name = refName(current);
    if (!name) return current;
    current = SCHEMAS[name];
  }
  return current;
}

/** The description of one field of a component, for printer column descriptions. */
export function fieldDescription(component: string, field: string): string {
  return SCHEMAS[component]?.properties?.[field]?.description ?? '';
}

/** Every component name reachable from `roots` through references (roots included). */
export function reachableSchemas(roots: Iterable<string>): string[] {
  const seen = new Set<string>();
  const pending = [...roots];
  while (pending.length) {
    const name = pending.pop() as string;
    if (seen.has(name) || !SCHEMAS[name]) continue;
    seen.add(name);
    collectRefs(SCHEMAS[name] as OpenAPISchema, pending);
  }
  return [...seen].sort();
}

function collectRefs(schema: OpenAPISchema, out: string[]): void {
  const name = refName(schema);
  if (name) out.push(name);
  for (const sub of schema.allOf ?? []) collectRefs(sub, out);
  for (const sub of Object.values(schema.properties ?? {})) collectRefs(sub, out);
  if (schema.items) collectRefs(schema.items, out);
  if (schema.additionalProperties) collectRefs(schema.additionalProperties, out);
}
