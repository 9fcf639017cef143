// The kinds loopkube serves, with what discovery, the router and kubectl need to know of each.

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
  /** Subresources served under `.../{name}/{sub}`; `status` and `scale` use the parent's object. */
  subresources: string[];
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function core(
  resource: string,
  singular: string,
  kind: string,
  namespaced: boolean,
  shortNames: string[],
  categories: string[],
  subresources: string[] = [],
): ResourceInfo {
  return {
    resource,
    singular,
    kind,
    listKind: `${kind}List`,
    group: '',
    version: 'v1',
    namespaced,
    shortNames,
    categories,
    verbs: ALL_VERBS,
    subresources,
  };
}

export const RESOURCES: readonly ResourceInfo[] = [
  core('namespaces', 'namespace', 'Namespace', false, ['ns'], [], ['status', 'finalize']),
  core('nodes', 'node', 'Node', false, ['no'], [], ['status']),
  core('pods', 'pod', 'Pod', true, ['po'], ['all'], ['status', 'binding']),
  core('services', 'service', 'Service', true, ['svc'], ['all'], ['status']),
  core('endpoints', 'endpoints', 'Endpoints', true, ['ep'], [], []),
  core('replicationcontrollers', 'replicationcontroller', 'ReplicationController', true, ['rc'], ['all'], [
    'status',
    'scale',
  ]),
  core('events', 'event', 'Event', true, ['ev'], [], []),
  {
    resource: 'endpointslices',
    singular: 'endpointslice',
    kind: 'EndpointSlice',
    listKind: 'EndpointSliceList',
    group: 'discovery.k8s.io',
    version: 'v1',
    namespaced: true,
    shortNames: [],
    categories: [],
    verbs: ALL_VERBS,
    subresources: [],
  },
  {
    resource: 'leases',
    singular: 'lease',
    kind: 'Lease',
    listKind: 'LeaseList',
    group: 'coordination.k8s.io',
    version: 'v1',
    namespaced: true,
    shortNames: [],
    categories: [],
    verbs: ALL_VERBS,
    subresources: [],
  },
];

export function apiVersionOf(info: ResourceInfo): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

export function findResource(group: string, version: string, resource: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.resource === resource);
}

export function findResourceByKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
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
