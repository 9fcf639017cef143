// A served resource as discovery, the router and kubectl know it, and where its objects live in
// the store. Each kind declares its own in src/kinds/<kind>/resource.ts (a light module any
// process may import); the list of served kinds is src/kinds/index.ts.

export interface ResourceInfo {
  /** Plural resource name in the URL: `pods`. */
  resource: string;
  singular: string;
  kind: string;
  listKind: string;
  /** '' for the core group. */
  group: string;
  version: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** Subresources served under `.../{name}/{sub}`; `status` uses the parent's object. */
  subresources: string[];
}

/** Every verb of a regular resource. */
export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** A resource description with the usual defaults: all verbs, `<Kind>List`, no short names. */
export function describeResource(r: Pick<ResourceInfo, 'resource' | 'singular' | 'kind' | 'group' | 'version' | 'namespaced'> & Partial<ResourceInfo>): ResourceInfo {
  return {
    listKind: `${r.kind}List`,
    shortNames: [],
    categories: [],
    verbs: ALL_VERBS,
    subresources: [],
    ...r,
  };
}

export function apiVersionOf(info: Pick<ResourceInfo, 'group' | 'version'>): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

/** Store key of an object: `/registry/pods/default/web-1`, `/registry/nodes/node-1`. */
export function storeKey(info: ResourceInfo, namespace: string | undefined, name: string): string {
  const res = info.group ? `${info.group}/${info.resource}` : info.resource;
  return info.namespaced ? `/registry/${res}/${namespace}/${name}` : `/registry/${res}/${name}`;
}

/** Store prefix for a list: all namespaces when `namespace` is undefined. */
export function storePrefix(info: ResourceInfo, namespace?: string): string {
  const res = info.group ? `${info.group}/${info.resource}` : info.resource;
  return info.namespaced && namespace ? `/registry/${res}/${namespace}/` : `/registry/${res}/`;
}
