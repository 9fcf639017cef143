// Kubernetes objects for the proxy's unit tests, built the way the API server would store them.
import type { Endpoint, EndpointSlice, Node, Service, ServiceSpec } from '../../src/api/types.js';

export const NODES = [
  { name: 'node-1', ip: '127.10.0.1', podCIDR: '127.244.1.0/24' },
  { name: 'node-2', ip: '127.10.0.2', podCIDR: '127.244.2.0/24' },
  { name: 'node-3', ip: '127.10.0.3', podCIDR: '127.244.3.0/24' },
];

export function node(name: string, ip: string | undefined, ready = true, podCIDR?: string): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
    status: {
      addresses: ip ? [{ type: 'InternalIP', address: ip }] : [],
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'Unknown' }],
    },
  };
}

export const readyNodes = (): Node[] => NODES.map((n) => node(n.name, n.ip, true, n.podCIDR));

let created = 0;

export function service(name: string, spec: Partial<ServiceSpec> & { clusterIP?: string }, extra: Partial<Service> = {}): Service {
  created++;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: `2026-01-01T00:00:${String(created % 60).padStart(2, '0')}Z` },
    spec: { type: 'ClusterIP', clusterIP: '127.96.0.10', ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }], ...spec },
    ...extra,
  };
}

export function withIngress(svc: Service, ip: string): Service {
  return { ...svc, status: { loadBalancer: { ingress: [{ ip, ipMode: 'VIP' }] } } };
}

/** A pod endpoint: `127.244.<node>.<host>` on node-<node>. */
export function ep(nodeN: number, host: number, conditions: Endpoint['conditions'] = { ready: true, serving: true, terminating: false }): Endpoint {
  return { addresses: [`127.244.${nodeN}.${host}`], nodeName: `node-${nodeN}`, conditions };
}

export function slice(serviceName: string, endpoints: Endpoint[], ports: Array<{ name?: string; port: number; protocol?: string }> = [{ name: 'http', port: 8080 }], namespace = 'default'): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${serviceName}-${Math.random().toString(36).slice(2, 7)}`, namespace, labels: { 'kubernetes.io/service-name': serviceName } },
    addressType: 'IPv4',
    ports: ports.map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' })),
    endpoints,
  };
}
