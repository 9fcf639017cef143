// The shapes of the discovery endpoints (/version, /api, /apis, /api/v1, ...) as the OpenAPI
// documents describe them (k8s.io/apimachinery/pkg/apis/meta/v1 and pkg/version).
import { arr, bool, gvk, obj, ref, str, strings, type OpenAPISchema } from './openapi-schema.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

export const API_DISCOVERY_SCHEMAS: Record<string, OpenAPISchema> = {
  'io.k8s.apimachinery.pkg.version.Info': obj(
    'Info holds the version of the server.',
    {
      buildDate: str('When the server was built.'),
      compiler: str('The compiler the server was built with.'),
      gitCommit: str('The commit the server was built from.'),
      gitTreeState: str('State of the tree the server was built from.'),
      gitVersion: str('Version of the Kubernetes API the server implements, e.g. v1.32.0-loopkube.'),
      goVersion: str('Runtime the server runs on.'),
      major: str('Major version.'),
      minor: str('Minor version.'),
      platform: str('Operating system and architecture, e.g. linux/amd64.'),
    },
    { required: ['major', 'minor', 'gitVersion', 'gitCommit', 'gitTreeState', 'buildDate', 'goVersion', 'compiler', 'platform'] },
  ),
  [`${META}.ServerAddressByClientCIDR`]: obj(
    'Which server address a client should use, by client CIDR.',
    { clientCIDR: str('The CIDR clients must match.'), serverAddress: str('Address of the server for those clients.') },
    { required: ['clientCIDR', 'serverAddress'] },
  ),
  [`${META}.APIVersions`]: obj(
    'APIVersions lists the versions available under /api.',
    {
      apiVersion: str('APIVersion: v1.'),
      kind: str('Kind: APIVersions.'),
      serverAddressByClientCIDRs: arr(ref(`${META}.ServerAddressByClientCIDR`), 'Server addresses by client CIDR.', { listType: 'atomic' }),
      versions: strings('The versions available.'),
    },
    { required: ['versions', 'serverAddressByClientCIDRs'], gvk: [gvk('', 'v1', 'APIVersions')] },
  ),
  [`${META}.GroupVersionForDiscovery`]: obj(
    'A group version.',
    { groupVersion: str('Group and version, `group/version`.'), version: str('The version.') },
    { required: ['groupVersion', 'version'] },
  ),
  [`${META}.APIGroup`]: obj(
    'APIGroup describes an API group and its versions.',
    {
      apiVersion: str('APIVersion: v1.'),
      kind: str('Kind: APIGroup.'),
      name: str('Name of the group.'),
      preferredVersion: ref(`${META}.GroupVersionForDiscovery`, 'The version clients should prefer.'),
      serverAddressByClientCIDRs: arr(ref(`${META}.ServerAddressByClientCIDR`), 'Server addresses by client CIDR.', { listType: 'atomic' }),
      versions: arr(ref(`${META}.GroupVersionForDiscovery`), 'Versions of the group.', { listType: 'atomic' }),
    },
    { required: ['name', 'versions'], gvk: [gvk('', 'v1', 'APIGroup')] },
  ),
  [`${META}.APIGroupList`]: obj(
    'APIGroupList lists the groups available under /apis.',
    {
      apiVersion: str('APIVersion: v1.'),
      groups: arr(ref(`${META}.APIGroup`), 'The groups.', { listType: 'atomic' }),
      kind: str('Kind: APIGroupList.'),
    },
    { required: ['groups'], gvk: [gvk('', 'v1', 'APIGroupList')] },
  ),
  [`${META}.APIResource`]: obj(
    'APIResource describes a resource served in a group version.',
    {
      categories: strings('Groups of resources this one belongs to, e.g. `all`.'),
      group: str('Group of the resource, when it differs from the containing group version (subresources).'),
      kind: str('Kind of the resource.'),
      name: str('Plural name of the resource, or `resource/subresource`.'),
      namespaced: bool('Whether the resource is namespaced.'),
      shortNames: strings('Short names of the resource, e.g. `po`.'),
      singularName: str('Singular name of the resource.'),
      storageVersionHash: str('Hash of the version the resource is stored in.'),
      verbs: strings('Verbs the resource supports: get, list, watch, create, update, patch, delete, deletecollection.'),
      version: str('Version of the resource, when it differs from the containing group version.'),
    },
    { required: ['name', 'singularName', 'namespaced', 'kind', 'verbs'] },
  ),
  [`${META}.APIResourceList`]: obj(
    'APIResourceList lists the resources of a group version.',
    {
      apiVersion: str('APIVersion: v1.'),
      groupVersion: str('The group version of the resources.'),
      kind: str('Kind: APIResourceList.'),
      resources: arr(ref(`${META}.APIResource`), 'The resources.', { listType: 'atomic' }),
    },
    { required: ['groupVersion', 'resources'], gvk: [gvk('', 'v1', 'APIResourceList')] },
  ),
};
