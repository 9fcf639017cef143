// Structural differences between two sets of OpenAPI component schemas (the hand-written ones in
// src/apiserver/schema and the ones derived from the Go tables): for every component both have,
// property by property, what a client or the strategic merge patch would notice.
import type { OpenAPISchema } from '../../src/apiserver/schema/openapi-schema.js';

const PREFIX = '#/components/schemas/';

function refOf(s: OpenAPISchema): string | undefined {
  const r = s.$ref ?? (s.allOf?.length === 1 ? s.allOf[0]?.$ref : undefined);
  return r?.startsWith(PREFIX) ? r.slice(PREFIX.length) : undefined;
}

/** A one-line description of a schema's shape: `string`, `integer/int32`, `ref(io.k8s...)`, `array<ref(...)>`, `map<string>`. */
export function shapeOf(s: OpenAPISchema | undefined): string {
  if (!s) return 'none';
  const r = refOf(s);
  if (r) return `ref(${r})`;
  if (s.type === 'array') return `array<${shapeOf(s.items)}>`;
  if (s.type === 'object' && s.additionalProperties) return `map<${shapeOf(s.additionalProperties)}>`;
  if (s.type === 'object' && !s.properties && s['x-kubernetes-preserve-unknown-fields']) return 'opaque';
  if (s.type === 'object' && s.properties) return 'object{...}';
  return s.format ? `${s.type}/${s.format}` : String(s.type ?? (s.oneOf ? 'oneOf' : 'any'));
}

function markers(s: OpenAPISchema): string {
  const parts = [
    s['x-kubernetes-patch-strategy'] && `patchStrategy=${s['x-kubernetes-patch-strategy']}`,
    s['x-kubernetes-patch-merge-key'] && `mergeKey=${s['x-kubernetes-patch-merge-key']}`,
    s['x-kubernetes-list-type'] && `listType=${s['x-kubernetes-list-type']}`,
    s['x-kubernetes-list-map-keys'] && `mapKeys=${s['x-kubernetes-list-map-keys'].join('+')}`,
    s['x-kubernetes-map-type'] && `mapType=${s['x-kubernetes-map-type']}`,
  ].filter(Boolean);
  return parts.join(' ');
}

export interface SchemaDifference {
  component: string;
  field: string;
  what: 'missing upstream' | 'not described here' | 'shape' | 'markers' | 'required' | 'enum';
  here: string;
  upstream: string;
}

/** Whether `here` is a choice to accept a subtree as written where upstream describes it. */
function opaqueChoice(here: string, upstream: string): boolean {
  if (here === 'opaque') return upstream.startsWith('ref(') || upstream === 'object{...}';
  const a = /^array<(.*)>$/.exec(here);
  const b = /^array<(.*)>$/.exec(upstream);
  return !!a && !!b && opaqueChoice(a[1] as string, b[1] as string);
}

/**
 * An object described in place here where upstream names a component (`obj(...)` instead of
 * `ref(...)`): the two are compared field by field, under the name `<component>.<field>`.
 */
function inlinePair(p: OpenAPISchema, u: OpenAPISchema): [OpenAPISchema, string] | undefined {
  const inner = p.type === 'array' ? p.items : p;
  const target = u.type === 'array' ? u.items : u;
  const name = target ? refOf(target) : undefined;
  return inner?.properties && name ? [inner, name] : undefined;
}

export function diffSchemas(here: Record<string, OpenAPISchema>, upstream: Record<string, OpenAPISchema>): SchemaDifference[] {
  const out: SchemaDifference[] = [];
  const pairs: Array<[string, OpenAPISchema, OpenAPISchema | undefined]> = Object.entries(here).map(([c, s]) => [c, s, upstream[c]]);
  for (let i = 0; i < pairs.length; i++) {
    const [component, mine, theirs] = pairs[i] as [string, OpenAPISchema, OpenAPISchema | undefined];
    if (!theirs || !mine.properties || !theirs.properties) continue;
    for (const [field, p] of Object.entries(mine.properties)) {
      const u = theirs.properties[field];
      if (!u) {
        out.push({ component, field, what: 'missing upstream', here: shapeOf(p), upstream: '' });
        continue;
      }
      const a = shapeOf(p);
      const b = shapeOf(u);
      const inline = a !== b ? inlinePair(p, u) : undefined;
      if (inline) pairs.push([`${component}.${field}`, inline[0], upstream[inline[1]]]);
      // an opaque subtree here is a choice (accept it as written), not a mistake
      else if (a !== b && !opaqueChoice(a, b)) out.push({ component, field, what: 'shape', here: a, upstream: b });
      const ma = markers(p);
      const mb = markers(u);
      if (ma !== mb) out.push({ component, field, what: 'markers', here: ma, upstream: mb });
      const ea = (p.enum ?? []).join(',');
      const eb = (u.enum ?? []).join(',');
      if (ea && ea !== eb) out.push({ component, field, what: 'enum', here: ea, upstream: eb });
    }
    for (const field of Object.keys(theirs.properties)) {
      if (!mine.properties[field]) out.push({ component, field, what: 'not described here', here: '', upstream: shapeOf(theirs.properties[field]) });
    }
    const ra = [...(mine.required ?? [])].sort().join(',');
    const rb = [...(theirs.required ?? [])].sort().join(',');
    if (ra !== rb) out.push({ component, field: '', what: 'required', here: ra, upstream: rb });
  }
  return out;
}
