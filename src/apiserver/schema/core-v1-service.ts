// core/v1 Service and Endpoints (k8s.io/api/core/v1).
import {
  arr,
  bool,
  gvk,
  int32,
  intOrString,
  listOf,
  obj,
  ref,
  str,
  stringMap,
  strings,
  typeMetaFields,
  type OpenAPISchema,
} from './openapi-schema.js';

const CORE = 'io.k8s.api.core.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const c = (name: string): string => `${CORE}.${name}`;

export const CORE_V1_SERVICE_SCHEMAS: Record<string, OpenAPISchema> = {
  [c('Service')]: obj(
    'Service is a named abstraction of software service: a stable virtual IP and port that a proxy spreads over the pods its selector matches.',
    {
      ...typeMetaFields(),
      spec: ref(c('ServiceSpec'), 'Spec defines the behavior of the service.'),
      status: ref(c('ServiceStatus'), 'Most recently observed status of the service (the load balancer). Read-only for users.'),
    },
    { gvk: [gvk('', 'v1', 'Service')] },
  ),
  [c('ServiceList')]: listOf(c('Service'), 'List of services.', gvk('', 'v1', 'ServiceList')),
  [c('ServiceSpec')]: obj('ServiceSpec describes the attributes a user creates on a service.', {
    allocateLoadBalancerNodePorts: bool('Whether NodePorts are allocated for a LoadBalancer service. Default: true.'),
    clusterIP: str('The IP address of the service, allocated from the service CIDR unless given. "None" makes a headless service.'),
    clusterIPs: strings('IP addresses of the service; clusterIPs[0] is clusterIP.'),
    externalIPs: strings('IP addresses for which nodes also accept traffic for this service.'),
    externalName: str('The DNS name an ExternalName service is an alias of.'),
    externalTrafficPolicy: str(
      'How traffic from outside the cluster is routed: Cluster (any ready endpoint) or Local (only endpoints on the receiving node, keeping the client source IP). Only for NodePort and LoadBalancer.',
      ['Cluster', 'Local'],
    ),
    healthCheckNodePort: int32('Health check node port of a LoadBalancer service with externalTrafficPolicy Local.'),
    internalTrafficPolicy: str('How traffic from inside the cluster is routed: Cluster or Local.', ['Cluster', 'Local']),
    ipFamilies: strings('IP families of the service: IPv4, IPv6.'),
    ipFamilyPolicy: str('SingleStack, PreferDualStack or RequireDualStack.'),
    loadBalancerClass: str('The class of the load balancer implementation.'),
    loadBalancerIP: str('Deprecated: the load balancer IP to ask for.'),
    loadBalancerSourceRanges: strings('Client CIDRs allowed through a cloud load balancer.'),
    ports: arr(ref(c('ServicePort')), 'The ports the service exposes.', {
      patchStrategy: 'merge',
      mergeKey: 'port',
      listType: 'map',
      mapKeys: ['port', 'protocol'],
    }),
    publishNotReadyAddresses: bool('Publish addresses of pods that are not ready in the endpoints.'),
    selector: stringMap('Traffic is routed to pods whose labels match this selector. Endpoints are managed by hand when empty.', true),
    sessionAffinity: str('ClientIP keeps a client on one endpoint; None balances every connection. Default: None.', ['ClientIP', 'None']),
    sessionAffinityConfig: ref(c('SessionAffinityConfig'), 'Configuration of session affinity.'),
    trafficDistribution: str('A preference for how traffic is distributed to endpoints.'),
    type: str('How the service is exposed: ClusterIP (default), NodePort, LoadBalancer or ExternalName.', [
      'ClusterIP',
      'ExternalName',
      'LoadBalancer',
      'NodePort',
    ]),
  }),
  [c('ServicePort')]: obj(
    'ServicePort is a port of a service.',
    {
      appProtocol: str('Application protocol of the port.'),
      name: str('Name of the port, a DNS label; required when the service has several ports.'),
      nodePort: int32('The port on every node for NodePort and LoadBalancer services, allocated from 30000-32767 unless given.'),
      port: int32('The port the service exposes.'),
      protocol: str('Protocol of the port: TCP, UDP or SCTP. Default: TCP.', ['SCTP', 'TCP', 'UDP']),
      targetPort: intOrString('Number or name of the port on the pods. Default: the value of port.'),
    },
    { required: ['port'] },
  ),
  [c('SessionAffinityConfig')]: obj('SessionAffinityConfig configures session affinity.', {
    clientIP: ref(c('ClientIPConfig'), 'Configuration of ClientIP session affinity.'),
  }),
  [c('ClientIPConfig')]: obj('ClientIPConfig configures ClientIP session affinity.', {
    timeoutSeconds: int32('Seconds a ClientIP affinity lasts, 0 < x <= 86400. Default: 10800 (3 hours).'),
  }),
  [c('ServiceStatus')]: obj('ServiceStatus is the current status of a service.', {
    conditions: arr(ref(`${META}.Condition`), 'Current conditions of the service.', {
      patchStrategy: 'merge',
      mergeKey: 'type',
      listType: 'map',
      mapKeys: ['type'],
    }),
    loadBalancer: ref(c('LoadBalancerStatus'), 'The load balancer, if one is present.'),
  }),
  [c('LoadBalancerStatus')]: obj('LoadBalancerStatus is the status of a load balancer.', {
    ingress: arr(ref(c('LoadBalancerIngress')), 'Ingress points of the load balancer; empty until a controller assigns an address.', {
      listType: 'atomic',
    }),
  }),
  [c('LoadBalancerIngress')]: obj('An ingress point of a load balancer.', {
    hostname: str('DNS name of the ingress point.'),
    ip: str('IP address of the ingress point.'),
    ipMode: str('How the load balancer IP behaves: VIP or Proxy.'),
    ports: arr(ref(c('PortStatus')), 'Status of each service port.', { listType: 'atomic' }),
  }),
  [c('PortStatus')]: obj(
    'Status of a service port.',
    {
      error: str('The error of the port, in CamelCase.'),
      port: int32('Port number.'),
      protocol: str('Protocol of the port.'),
    },
    { required: ['port', 'protocol'] },
  ),
  [c('Endpoints')]: obj(
    'Endpoints is the set of addresses and ports that implement a service.',
    {
      ...typeMetaFields(),
      subsets: arr(ref(c('EndpointSubset')), 'Sets of addresses sharing the same ports.', { listType: 'atomic' }),
    },
    { gvk: [gvk('', 'v1', 'Endpoints')] },
  ),
  [c('EndpointsList')]: listOf(c('Endpoints'), 'List of endpoints.', gvk('', 'v1', 'EndpointsList')),
  [c('EndpointSubset')]: obj('A group of addresses with a common set of ports.', {
    addresses: arr(ref(c('EndpointAddress')), 'Addresses of ready endpoints.', { listType: 'atomic' }),
    notReadyAddresses: arr(ref(c('EndpointAddress')), 'Addresses of endpoints that are not ready.', { listType: 'atomic' }),
    ports: arr(ref(c('EndpointPort')), 'Port numbers available on the addresses.', { listType: 'atomic' }),
  }),
  [c('EndpointAddress')]: obj(
    'A single IP address of an endpoint.',
    {
      hostname: str('Hostname of the endpoint.'),
      ip: str('IP address of the endpoint.'),
      nodeName: str('Node hosting the endpoint.'),
      targetRef: ref(c('ObjectReference'), 'The object providing the endpoint (a Pod).'),
    },
    { required: ['ip'] },
  ),
  [c('EndpointPort')]: obj(
    'A port of an endpoint.',
    {
      appProtocol: str('Application protocol of the port.'),
      name: str('Name of the port; must match the service port\'s name.'),
      port: int32('Port number.'),
      protocol: str('Protocol of the port: TCP, UDP or SCTP. Default: TCP.'),
    },
    { required: ['port'] },
  ),
};
