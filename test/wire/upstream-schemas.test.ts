// OpenAPI schemas derived from the Go tables (schemasFor) against the hand-written ones loopkube
// publishes today (src/apiserver/schema): for every served kind, property by property — names,
// types, patch strategies and merge keys, list types and map keys, required fields, enums. Where
// they differ the table below says why; most are mistakes of the hand-written schemas (fields of
// Kubernetes 1.33 in a 1.32 API, missing patch markers), the rest are loopkube's choice to accept
// a subtree as written (x-kubernetes-preserve-unknown-fields) where upstream describes it.
import { describe, expect, it } from 'vitest';
import { schemasFor, UPSTREAM } from '../../src/api/upstream/index.js';
import { HAND_WRITTEN_SCHEMAS as SCHEMAS } from '../../src/apiserver/schema/registry.js';
import type { OpenAPISchema } from '../../src/apiserver/schema/openapi-schema.js';
import { diffSchemas } from './schema-diff.js';

const SERVED = [
  'core.v1.Pod', 'core.v1.PodList', 'core.v1.Service', 'core.v1.ServiceList', 'core.v1.Node', 'core.v1.NodeList',
  'core.v1.Namespace', 'core.v1.NamespaceList', 'core.v1.ReplicationController', 'core.v1.ReplicationControllerList',
  'core.v1.Event', 'core.v1.EventList', 'core.v1.Endpoints', 'core.v1.EndpointsList', 'core.v1.Binding',
  'discovery.v1.EndpointSlice', 'discovery.v1.EndpointSliceList', 'coordination.v1.Lease', 'coordination.v1.LeaseList',
  'autoscaling.v1.Scale', 'policy.v1.Eviction', 'meta.v1.Status', 'meta.v1.DeleteOptions', 'meta.v1.WatchEvent',
  'meta.v1.Table', 'meta.v1.APIResourceList', 'meta.v1.APIGroupList', 'meta.v1.APIVersions',
];

/** What differs today, and why. Keys: `<what> <component>.<field>` (component without its io.k8s prefix). */
const KNOWN: Readonly<Record<string, string>> = {
  'missing upstream core.v1.Lifecycle.stopSignal': 'a Kubernetes 1.33 field in the hand-written 1.32 schema',
  'missing upstream core.v1.ContainerStatus.stopSignal': 'a Kubernetes 1.33 field in the hand-written 1.32 schema',
  'missing upstream core.v1.NodeSystemInfo.swap': 'a Kubernetes 1.33 field in the hand-written 1.32 schema',
  'missing upstream discovery.v1.EndpointHints.forNodes': 'a Kubernetes 1.33 field in the hand-written 1.32 schema',
  'markers core.v1.ContainerStatus.allocatedResourcesStatus': 'hand-written misses patchStrategy=merge, patchMergeKey=name',
  'markers meta.v1.APIResource.verbs': 'hand-written says listType=atomic; upstream Verbs carries no list type',
  'markers meta.v1.Status.details': 'upstream marks the details struct +listType=atomic (a quirk its OpenAPI carries); hand-written does not',
  'required core.v1.NodeSystemInfo.': 'upstream requires every nodeInfo string (no omitempty); hand-written requires none',
  'enum discovery.v1.EndpointSlice.addressType': 'hand-written lists FQDN/IPv4/IPv6 as an enum; upstream AddressType is no +enum',
};

const short = (component: string): string => component.replace(/^io\.k8s\.(api|apimachinery\.pkg\.apis)\./, '');

describe('schemas from the Go tables against the hand-written ones', () => {
  const generated = schemasFor(UPSTREAM, SERVED);
  const differences = diffSchemas(SCHEMAS as Record<string, OpenAPISchema>, generated).filter((d) => d.what !== 'not described here');

  it('every served kind and what it references has a generated schema', () => {
    // meta.v1.Patch has no fields; version.Info (the /version answer) is k8s.io/apimachinery/pkg/version's
    const handWritten = Object.keys(SCHEMAS).filter((k) => SCHEMAS[k]?.properties && k !== 'io.k8s.apimachinery.pkg.version.Info');
    expect(handWritten.filter((k) => !generated[k])).toEqual([]);
  });

  it('differ only where the table says why', () => {
    const found = Object.fromEntries(differences.map((d) => [`${d.what} ${short(d.component)}.${d.field}`, `here: ${d.here}; upstream: ${d.upstream}`]));
    expect(Object.keys(found).sort()).toEqual(Object.keys(KNOWN).sort());
  });

  it('agree on every patch strategy and merge key elsewhere (what strategic merge patch reads)', () => {
    const markerDiffs = differences.filter((d) => d.what === 'markers').map((d) => `${short(d.component)}.${d.field}`);
    expect(markerDiffs.sort()).toEqual(['core.v1.ContainerStatus.allocatedResourcesStatus', 'meta.v1.APIResource.verbs', 'meta.v1.Status.details']);
  });

  it('kinds carry their group-version-kind, structs their atomic markers', () => {
    expect(generated['io.k8s.api.core.v1.Pod']?.['x-kubernetes-group-version-kind']).toEqual([{ group: '', version: 'v1', kind: 'Pod' }]);
    expect(generated['io.k8s.api.core.v1.LocalObjectReference']?.['x-kubernetes-map-type']).toBe('atomic');
    expect(generated['io.k8s.api.core.v1.PodSpec']?.properties?.containers).toMatchObject({
      type: 'array',
      items: { allOf: [{ $ref: '#/components/schemas/io.k8s.api.core.v1.Container' }] },
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    });
    expect(generated['io.k8s.api.core.v1.ContainerPort']?.properties?.protocol?.enum).toEqual(['SCTP', 'TCP', 'UDP']);
    expect(generated['io.k8s.api.core.v1.Container']?.required).toEqual(['name']);
  });
});
