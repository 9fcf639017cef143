// Lookups over the served kinds (src/kinds/index.ts): by URL resource, by apiVersion/kind, by
// resource description. Checked once at load: every subresource a resource lists is served.
import { apiVersionOf, type ResourceInfo } from '../api/resources.js';
import { KINDS } from './index.js';
import type { KindDefinition, SubresourceDefinition } from './kind.js';

/** Subresources every kind with a status serves the same way: the parent object's status. */
const STATUS: SubresourceDefinition = { verbs: ['get', 'patch', 'update'] };

const byResource = new Map<string, KindDefinition>();
const byGvk = new Map<string, KindDefinition>();
for (const k of KINDS) {
  const r = k.resource;
  byResource.set(`${r.group}/${r.version}/${r.resource}`, k);
  byGvk.set(`${apiVersionOf(r)}/${r.kind}`, k);
  const served = new Set(Object.keys(k.subresources ?? {}));
  for (const sub of r.subresources) {
    if (sub !== 'status' && !served.has(sub)) throw new Error(`${r.resource}/${sub} is listed but no kind serves it`);
    served.delete(sub);
  }
  if (served.size) throw new Error(`${r.resource} serves ${[...served].join(', ')} without listing it in its resource`);
}

/** Every served resource, in the list's order. */
export const RESOURCES: readonly ResourceInfo[] = KINDS.map((k) => k.resource);

export function findKind(group: string, version: string, resource: string): KindDefinition | undefined {
  return byResource.get(`${group}/${version}/${resource}`);
}

export function findKindByGvk(apiVersion: string, kind: string): KindDefinition | undefined {
  return byGvk.get(`${apiVersion}/${kind}`);
}

/** The definition of a served resource (throws for one that is not: a programming error). */
export function kindOf(info: Pick<ResourceInfo, 'group' | 'version' | 'resource'>): KindDefinition {
  const k = byResource.get(`${info.group}/${info.version}/${info.resource}`);
  if (!k) throw new Error(`${info.resource} is not a served resource`);
  return k;
}

export function findResource(group: string, version: string, resource: string): ResourceInfo | undefined {
  return findKind(group, version, resource)?.resource;
}

export function findResourceByKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return findKindByGvk(apiVersion, kind)?.resource;
}

/** A subresource's definition ('status' included), or undefined when the resource does not serve it. */
export function subresourceOf(info: ResourceInfo, name: string): SubresourceDefinition | undefined {
  if (!info.subresources.includes(name)) return undefined;
  return name === 'status' ? STATUS : kindOf(info).subresources?.[name];
}
