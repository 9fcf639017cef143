// discovery.k8s.io/v1 EndpointSlice (k8s.io/api/discovery/v1).
import {
  arr,
  bool,
  gvk,
  int32,
  listOf,
  obj,
  ref,
  str,
  stringMap,
  strings,
  typeMetaFields,
  type OpenAPISchema,
} from './openapi-schema.js';

const DISCOVERY = 'io.k8s.api.discovery.v1';
const d = (name: string): string => `${DISCOVERY}.${name}`;

export const DISCOVERY_V1_SCHEMAS: Record<string, OpenAPISchema> = {
  [d('EndpointSlice')]: obj(
    'EndpointSlice is a subset of the endpoints of a service.',
    {
      ...typeMetaFields(),
      addressType: str('Type of the addresses of this slice: IPv4, IPv6 or FQDN. Cannot be updated.', ['FQDN', 'IPv4', 'IPv6']),
      endpoints: arr(ref(d('Endpoint')), 'Unique endpoints of this slice; at most 1000.', { listType: 'atomic' }),
      ports: arr(ref(d('EndpointPort')), 'Network ports exposed by every endpoint of this slice.', { listType: 'atomic' }),
    },
    { required: ['addressType', 'endpoints'], gvk: [gvk('discovery.k8s.io', 'v1', 'EndpointSlice')] },
  ),
  [d('EndpointSliceList')]: listOf(d('EndpointSlice'), 'List of endpoint slices.', gvk('discovery.k8s.io', 'v1', 'EndpointSliceList')),
  [d('Endpoint')]: obj(
    'Endpoint is a single logical backend of a service.',
    {
      addresses: strings('Addresses of the endpoint, of the slice\'s address type.', { listType: 'set' }),
      conditions: ref(d('EndpointConditions'), 'Current conditions of the endpoint.'),
      deprecatedTopology: stringMap('Deprecated topology information.'),
      hints: ref(d('EndpointHints'), 'Information on how the endpoint should be consumed.'),
      hostname: str('Hostname of the endpoint.'),
      nodeName: str('Node hosting the endpoint.'),
      targetRef: ref('io.k8s.api.core.v1.ObjectReference', 'The object providing the endpoint (a Pod).'),
      zone: str('Zone of the endpoint.'),
    },
    { required: ['addresses'] },
  ),
  [d('EndpointConditions')]: obj('Current conditions of an endpoint.', {
    ready: bool('Whether the endpoint is ready to receive new connections.'),
    serving: bool('Whether the endpoint can serve, even while terminating.'),
    terminating: bool('Whether the endpoint is terminating.'),
  }),
  [d('EndpointHints')]: obj('Hints on how an endpoint should be consumed.', {
    forNodes: arr(obj('A node hint.', { name: str('Name of the node.') }, { required: ['name'] }), 'Nodes that should consume this endpoint.', {
      listType: 'atomic',
    }),
    forZones: arr(obj('A zone hint.', { name: str('Name of the zone.') }, { required: ['name'] }), 'Zones that should consume this endpoint.', {
      listType: 'atomic',
    }),
  }),
  [d('EndpointPort')]: obj('A port of the endpoints of a slice.', {
    appProtocol: str('Application protocol of the port.'),
    name: str('Name of the port; must match the service port\'s name.'),
    port: int32('Port number; all ports when not given.'),
    protocol: str('Protocol of the port: TCP, UDP or SCTP. Default: TCP.'),
  }),
};
