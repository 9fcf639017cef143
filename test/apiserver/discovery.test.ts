import { describe, expect, it } from 'vitest';
import {
  aggregatedDiscovery,
  aggregatedDiscoveryContentType,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  storageVersionHash,
  versionInfo,
  wantedAggregatedDiscovery,
} from '../../src/apiserver/discovery.js';
import { RESOURCES } from '../../src/kinds/catalog.js';

/** The named groups of the served kinds (src/kinds/index.ts). */
const NAMED_GROUPS = [...new Set(RESOURCES.map((r) => r.group).filter((g) => g))].sort();

describe('/version', () => {
  it('reports Kubernetes 1.32 as loopkube implements it', () => {
    const v = versionInfo();
    expect(v).toMatchObject({ major: '1', minor: '32', gitVersion: 'v1.32.0-loopkube' });
    expect(v.platform).toMatch(/^[a-z0-9]+\/[a-z0-9]+$/);
    expect(v.platform).not.toContain('x64');
  });
});

describe('/api and /apis', () => {
  it('/api offers v1 at the address clients use', () => {
    expect(apiVersions('127.0.0.1:6443')).toEqual({
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }],
    });
  });

  it('/apis offers every named group of the served kinds, discovery.k8s.io/v1 among them, as preferred versions', () => {
    const list = apiGroupList();
    expect(list).toMatchObject({ kind: 'APIGroupList', apiVersion: 'v1' });
    expect(list.groups.map((g) => g.name).sort()).toEqual(NAMED_GROUPS);
    expect(list.groups.map((g) => g.name)).toEqual(expect.arrayContaining(['coordination.k8s.io', 'discovery.k8s.io', 'policy']));
    expect(list.groups.filter((g) => g.name === 'discovery.k8s.io')).toEqual([
      {
        kind: 'APIGroup',
        apiVersion: 'v1',
        name: 'discovery.k8s.io',
        versions: [{ groupVersion: 'discovery.k8s.io/v1', version: 'v1' }],
        preferredVersion: { groupVersion: 'discovery.k8s.io/v1', version: 'v1' },
      },
    ]);
    expect(apiGroup('discovery.k8s.io')).toEqual(list.groups.find((g) => g.name === 'discovery.k8s.io'));
    expect(apiGroup('example.com')).toBeUndefined();
  });
});

describe('/api/v1 and /apis/discovery.k8s.io/v1', () => {
  const core = apiResourceList('', 'v1');

  it('lists resources with kind, scope, verbs, short names and categories', () => {
    expect(core).toMatchObject({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'v1' });
    expect(core?.resources.find((r) => r.name === 'pods')).toEqual({
      name: 'pods',
      singularName: 'pod',
      namespaced: true,
      kind: 'Pod',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['po'],
      categories: ['all'],
      storageVersionHash: 'xPOwRZ+Yhw8=',
    });
    expect(core?.resources.find((r) => r.name === 'nodes')).toMatchObject({ namespaced: false, shortNames: ['no'] });
    expect(core?.resources.find((r) => r.name === 'endpoints')?.categories).toBeUndefined();
  });

  const subresources: Array<{ name: string; kind: string; verbs: string[]; group?: string; version?: string }> = [
    { name: 'pods/status', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
    { name: 'pods/binding', kind: 'Binding', verbs: ['create'] },
    { name: 'services/status', kind: 'Service', verbs: ['get', 'patch', 'update'] },
    { name: 'nodes/status', kind: 'Node', verbs: ['get', 'patch', 'update'] },
    { name: 'namespaces/status', kind: 'Namespace', verbs: ['get', 'patch', 'update'] },
    { name: 'namespaces/finalize', kind: 'Namespace', verbs: ['update'] },
    { name: 'replicationcontrollers/status', kind: 'ReplicationController', verbs: ['get', 'patch', 'update'] },
    { name: 'replicationcontrollers/scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] },
  ];
  for (const s of subresources) {
    it(`subresource ${s.name}`, () => {
      const entry = core?.resources.find((r) => r.name === s.name);
      expect(entry).toBeDefined();
      expect(entry).toMatchObject({ singularName: '', kind: s.kind, verbs: s.verbs });
      expect(entry?.group).toBe(s.group);
      expect(entry?.version).toBe(s.version);
      expect(entry?.shortNames).toBeUndefined();
    });
  }

  it('sorts resources by name, as kube-apiserver does', () => {
    const names = core?.resources.map((r) => r.name) ?? [];
    expect(names).toEqual([...names].sort());
  });

  it('serves endpointslices in discovery.k8s.io/v1', () => {
    const list = apiResourceList('discovery.k8s.io', 'v1');
    expect(list?.groupVersion).toBe('discovery.k8s.io/v1');
    expect(list?.resources).toEqual([
      {
        name: 'endpointslices',
        singularName: 'endpointslice',
        namespaced: true,
        kind: 'EndpointSlice',
        verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
        storageVersionHash: storageVersionHash('discovery.k8s.io', 'v1', 'EndpointSlice'),
      },
    ]);
  });

  it('is undefined for a group version loopkube does not serve', () => {
    expect(apiResourceList('example.com', 'v1')).toBeUndefined();
    expect(apiResourceList('', 'v2')).toBeUndefined();
  });
});

describe('aggregated discovery (apidiscovery.k8s.io/v2)', () => {
  const kubectlAccept =
    'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
  const cases: Array<{ name: string; accept: string | undefined; want: 'v2' | 'v2beta1' | undefined }> = [
    { name: "kubectl 1.32's Accept picks v2", accept: kubectlAccept, want: 'v2' },
    { name: 'v2beta1 only', accept: 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json', want: 'v2beta1' },
    { name: 'plain JSON', accept: 'application/json, */*', want: undefined },
    { name: 'plain JSON first wins', accept: `application/json,${kubectlAccept}`, want: undefined },
    { name: 'no Accept', accept: undefined, want: undefined },
    { name: 'protobuf only', accept: 'application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList', want: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => expect(wantedAggregatedDiscovery(c.accept)).toBe(c.want));
  }

  it('the content type names the version', () => {
    expect(aggregatedDiscoveryContentType('v2')).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
  });

  it('/api holds the core group with its resources and subresources', () => {
    const doc = aggregatedDiscovery('api');
    expect(doc).toMatchObject({ kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2' });
    expect(doc.items).toHaveLength(1);
    const v1 = doc.items[0]?.versions[0];
    expect(v1).toMatchObject({ version: 'v1', freshness: 'Current' });
    const rcs = v1?.resources.find((r) => r.resource === 'replicationcontrollers');
    expect(rcs).toMatchObject({
      responseKind: { group: '', version: 'v1', kind: 'ReplicationController' },
      scope: 'Namespaced',
      singularResource: 'replicationcontroller',
      shortNames: ['rc'],
      categories: ['all'],
    });
    expect(rcs?.subresources).toEqual([
      { subresource: 'status', responseKind: { group: '', version: 'v1', kind: 'ReplicationController' }, verbs: ['get', 'patch', 'update'] },
      { subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] },
    ]);
    expect(v1?.resources.find((r) => r.resource === 'nodes')?.scope).toBe('Cluster');
  });

  it('/apis holds the named groups', () => {
    const doc = aggregatedDiscovery('apis', 'v2beta1');
    expect(doc.apiVersion).toBe('apidiscovery.k8s.io/v2beta1');
    expect(doc.items.map((g) => g.metadata.name).sort()).toEqual(NAMED_GROUPS);
    expect(doc.items.find((g) => g.metadata.name === 'discovery.k8s.io')?.versions[0]?.resources.map((r) => r.resource)).toEqual(['endpointslices']);
  });
});
