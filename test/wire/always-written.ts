// The fields Go always writes: for a value of a Go type, the JSON paths of struct fields without
// omitempty that a JSON document leaves out (encoding/json writes them whatever their value, so
// typed clients rely on them: the Python client refuses a Node without nodeInfo.kubeProxyVersion).
import { jsonFields } from '../../src/api/upstream/schemas.js';
import { parseTypeRef, UPSTREAM, type TypeRef } from '../../src/api/upstream/index.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function missingAlwaysWritten(goType: string, value: unknown, path = ''): string[] {
  const out: string[] = [];
  walk(parseTypeRef(goType), value, path, out);
  return out;
}

function walk(ref: TypeRef, value: unknown, path: string, out: string[]): void {
  if (value === null || value === undefined) return;
  if (ref.kind === 'pointer') return walk(ref.elem, value, path, out);
  if (UPSTREAM.special(ref)) return;
  const u = UPSTREAM.underlying(ref);
  if (u.kind === 'slice') {
    if (Array.isArray(value)) value.forEach((v, i) => walk(u.elem, v, `${path}[${i}]`, out));
    return;
  }
  if (u.kind === 'map') {
    if (isObject(value)) for (const [k, v] of Object.entries(value)) walk(u.value, v, `${path}[${JSON.stringify(k)}]`, out);
    return;
  }
  if (u.kind !== 'named' || !isObject(value)) return;
  const struct = UPSTREAM.struct(u.qualified);
  if (!struct) return;
  for (const f of jsonFields(UPSTREAM, struct)) {
    const p = path ? `${path}.${f.json}` : f.json;
    if (!(f.json in value)) {
      if (!f.omitempty) out.push(p);
      continue;
    }
    walk(parseTypeRef(f.type), value[f.json], p, out);
  }
}
