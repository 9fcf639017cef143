// Discovery documents: /version, /api, /apis, /apis/<group>, /api/v1 and /apis/<group>/<version>
// (k8s.io/apimachinery/pkg/apis/meta/v1 discovery types), and the aggregated form
// (apidiscovery.k8s.io/v2) that kubectl 1.26+ asks for first to learn everything in two requests.
import { createHash } from 'node:crypto';
import type { ResourceInfo } from '../api/resources.js';
import { RESOURCES, subresourceOf } from '../kinds/catalog.js';

export const KUBE_MAJOR = '1';
export const KUBE_MINOR = '32';
export const KUBE_GIT_VERSION = `v${KUBE_MAJOR}.${KUBE_MINOR}.0-loopkube`;

export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

const GO_ARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };

/** `/version`. gitVersion is the Kubernetes API level loopkube speaks; kubectl's version-skew check reads it. */
export function versionInfo(): VersionInfo {
  return {
    major: KUBE_MAJOR,
    minor: KUBE_MINOR,
    gitVersion: KUBE_GIT_VERSION,
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate: '1970-01-01T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${process.platform}/${GO_ARCH[process.arch] ?? process.arch}`,
  };
}

export interface ServerAddressByClientCIDR {
  clientCIDR: string;
  serverAddress: string;
}

export interface APIVersions {
  kind: 'APIVersions';
  versions: string[];
  serverAddressByClientCIDRs: ServerAddressByClientCIDR[];
}

/** `/api`. `serverAddress` is `host:port` as clients reach the API server, e.g. `127.0.0.1:6443`. */
export function apiVersions(serverAddress: string): APIVersions {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

export interface GroupVersionForDiscovery {
  groupVersion: string;
  version: string;
}

export interface APIGroup {
  kind: 'APIGroup';
  apiVersion: 'v1';
  name: string;
  versions: GroupVersionForDiscovery[];
  preferredVersion: GroupVersionForDiscovery;
}

export interface APIGroupList {
  kind: 'APIGroupList';
  apiVersion: 'v1';
  groups: APIGroup[];
}

/** Named groups (not the core group) and their versions, preferred first, from RESOURCES. */
function namedGroups(): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const r of RESOURCES) {
    if (!r.group) continue;
    const versions = groups.get(r.group) ?? [];
    if (!versions.includes(r.version)) versions.push(r.version);
    groups.set(r.group, versions);
  }
  return groups;
}

function groupOf(name: string, versions: string[]): APIGroup {
  const list = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { kind: 'APIGroup', apiVersion: 'v1', name, versions: list, preferredVersion: list[0] as GroupVersionForDiscovery };
}

/** `/apis`. */
export function apiGroupList(): APIGroupList {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...namedGroups()].map(([name, versions]) => groupOf(name, versions)),
  };
}

/** `/apis/<name>`, e.g. `/apis/discovery.k8s.io`; undefined for a group loopkube does not serve. */
export function apiGroup(name: string): APIGroup | undefined {
  const versions = namedGroups().get(name);
  return versions ? groupOf(name, versions) : undefined;
}

export interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  storageVersionHash?: string;
}

export interface APIResourceList {
  kind: 'APIResourceList';
  apiVersion: 'v1';
  groupVersion: string;
  resources: APIResource[];
}

/** What a subresource answers with and the verbs it takes, as its kind declares them. */
function subresourceShape(info: ResourceInfo, sub: string): { group?: string; version?: string; kind: string; verbs: string[] } {
  const def = subresourceOf(info, sub);
  const verbs = def?.verbs ?? ['get'];
  if (!def?.kind) return { kind: info.kind, verbs };
  // discovery names the group version only where it differs from the parent's (scale, eviction)
  if (def.kind.group === info.group && def.kind.version === info.version) return { kind: def.kind.kind, verbs };
  return { group: def.kind.group, version: def.kind.version, kind: def.kind.kind, verbs };
}

/** kube-apiserver's storage version hash: the first 8 bytes of sha256("group/version/kind"), base64. */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256').update(`${group}/${version}/${kind}`).digest().subarray(0, 8).toString('base64');
}

function resourcesOf(group: string, version: string): ResourceInfo[] {
  return RESOURCES.filter((r) => r.group === group && r.version === version);
}

/** `/api/v1`, `/apis/discovery.k8s.io/v1`; undefined for a group version loopkube does not serve. */
export function apiResourceList(group: string, version: string): APIResourceList | undefined {
  const infos = resourcesOf(group, version);
  if (infos.length === 0) return undefined;
  const resources: APIResource[] = [];
  for (const info of infos) {
    const main: APIResource = {
      name: info.resource,
      singularName: info.singular,
      namespaced: info.namespaced,
      kind: info.kind,
      verbs: [...info.verbs],
    };
    if (info.shortNames.length) main.shortNames = [...info.shortNames];
    if (info.categories.length) main.categories = [...info.categories];
    main.storageVersionHash = storageVersionHash(info.group, info.version, info.kind);
    resources.push(main);
    for (const sub of info.subresources) {
      const shape = subresourceShape(info, sub);
      const entry: APIResource = {
        name: `${info.resource}/${sub}`,
        singularName: '',
        namespaced: info.namespaced,
        kind: shape.kind,
        verbs: [...shape.verbs],
      };
      if (shape.group !== undefined) entry.group = shape.group;
      if (shape.version !== undefined) entry.version = shape.version;
      resources.push(entry);
    }
  }
  resources.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

// ---- aggregated discovery (apidiscovery.k8s.io/v2) -------------------------------------------

export type AggregatedDiscoveryVersion = 'v2' | 'v2beta1';

/** The media type of an aggregated discovery response; the Content-Type must be exactly this. */
export function aggregatedDiscoveryContentType(v: AggregatedDiscoveryVersion): string {
  return `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`;
}

/**
 * Which aggregated discovery version an Accept header asks for, if any. kubectl 1.32 sends
 * `application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json`
 * to /api and /apis; the first acceptable entry wins.
 */
export function wantedAggregatedDiscovery(accept: string | undefined): AggregatedDiscoveryVersion | undefined {
  if (!accept) return undefined;
  for (const entry of accept.split(',')) {
    const [type, ...params] = entry.split(';').map((p) => p.trim());
    if (type !== 'application/json' && type !== '*/*' && type !== 'application/*') continue;
    const p = new Map(params.map((kv) => kv.split('=').map((x) => x.trim()) as [string, string]));
    if (p.size === 0 || (p.size === 1 && p.has('q'))) return undefined; // plain JSON comes first: legacy discovery
    if (p.get('g') === 'apidiscovery.k8s.io' && p.get('as') === 'APIGroupDiscoveryList') {
      const v = p.get('v');
      if (v === 'v2' || v === 'v2beta1') return v;
    }
  }
  return undefined;
}

export interface GroupVersionKindRef {
  group: string;
  version: string;
  kind: string;
}

export interface APISubresourceDiscovery {
  subresource: string;
  responseKind: GroupVersionKindRef;
  verbs: string[];
}

export interface APIResourceDiscovery {
  resource: string;
  responseKind: GroupVersionKindRef;
  scope: 'Namespaced' | 'Cluster';
  singularResource: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: APISubresourceDiscovery[];
}

export interface APIVersionDiscovery {
  version: string;
  resources: APIResourceDiscovery[];
  freshness: 'Current';
}

export interface APIGroupDiscovery {
  metadata: { name?: string; creationTimestamp: null };
  versions: APIVersionDiscovery[];
}

export interface APIGroupDiscoveryList {
  kind: 'APIGroupDiscoveryList';
  apiVersion: string;
  metadata: Record<string, never>;
  items: APIGroupDiscovery[];
}

function versionDiscovery(group: string, version: string): APIVersionDiscovery {
  const resources = resourcesOf(group, version)
    .map((info): APIResourceDiscovery => {
      const r: APIResourceDiscovery = {
        resource: info.resource,
        responseKind: { group: info.group, version: info.version, kind: info.kind },
        scope: info.namespaced ? 'Namespaced' : 'Cluster',
        singularResource: info.singular,
        verbs: [...info.verbs],
      };
      if (info.shortNames.length) r.shortNames = [...info.shortNames];
      if (info.categories.length) r.categories = [...info.categories];
      if (info.subresources.length) {
        r.subresources = info.subresources.map((sub) => {
          const shape = subresourceShape(info, sub);
          return {
            subresource: sub,
            responseKind: { group: shape.group ?? info.group, version: shape.version ?? info.version, kind: shape.kind },
            verbs: [...shape.verbs],
          };
        });
      }
      return r;
    })
    .sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
  return { version, resources, freshness: 'Current' };
}

/**
 * The aggregated discovery document of `/api` (scope 'api': the core group) or `/apis`
 * (scope 'apis': every named group), served when the Accept header asks for it (see
 * wantedAggregatedDiscovery) with Content-Type aggregatedDiscoveryContentType(version).
 */
export function aggregatedDiscovery(scope: 'api' | 'apis', version: AggregatedDiscoveryVersion = 'v2'): APIGroupDiscoveryList {
  const items: APIGroupDiscovery[] =
    scope === 'api'
      ? [{ metadata: { creationTimestamp: null }, versions: [versionDiscovery('', 'v1')] }]
      : [...namedGroups()].map(([name, versions]) => ({
          metadata: { name, creationTimestamp: null },
          versions: versions.map((v) => versionDiscovery(name, v)),
        }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}
