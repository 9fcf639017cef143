// One Service rendered into what it asks of the data plane: the addresses it claims (frontends:
// ClusterIP, NodePort on every Ready node, load-balancer IPs; healthCheckNodePort servers), in
// the order it claims them, and the endpoint keys of each of its ports. Pure, and depends only on
// the Service, its own EndpointSlices and the nodes, which is what lets the snapshot builder
// re-render only the services that changed (as kube-proxy's change trackers let its proxier skip
// unchanged service chains).
import type { EndpointSlice, Service, ServicePort } from '../src/api/types.js';
import { groupEndpointSlices, isIPv4, localReadyEndpointCount, usableEndpoints, usableLocalEndpoints, type EndpointTarget } from './endpoint-slices.js';
import type { NodeInfo } from './nodes.js';
import type { ClusterIPRoute, Frontend, FrontendKind, HealthCheckServer, LoadBalancerRoute, NodeTarget, ServicePortRef } from './snapshot.js';

/** Kubernetes' default sessionAffinityConfig.clientIP.timeoutSeconds (3 hours). */
export const DEFAULT_AFFINITY_SECONDS = 10800;

export type ReadyNode = NodeInfo & { ip: string };

/** One address a service asks for. */
export type Claim = { readonly at: string; readonly frontend: Frontend; readonly healthCheck?: undefined } | { readonly at: string; readonly healthCheck: HealthCheckServer; readonly frontend?: undefined };

export interface ServiceRender {
  /** Where the service stands when two claim one address: older first (creationTimestamp, then namespace/name). */
  readonly order: string;
  readonly claims: readonly Claim[];
  /** Service port key (`namespace/name:port`) -> its endpoint keys (`ip:port`). */
  readonly endpointKeys: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Whether the proxy serves the service at all (a ClusterIP, not headless, not ExternalName, not being deleted). */
export function isProxied(svc: Service): boolean {
  const type = svc.spec?.type ?? 'ClusterIP';
  if (type === 'ExternalName') return false;
  const ip = svc.spec?.clusterIP;
  return !!ip && ip !== 'None' && !svc.metadata.deletionTimestamp;
}

/** `creationTimestamp \0 namespace/name`: string order is age order, then name order. */
export function serviceOrder(svc: Service): string {
  return `${svc.metadata.creationTimestamp ?? ''}\u0000${svc.metadata.namespace ?? 'default'}/${svc.metadata.name ?? ''}`;
}

function tcpPorts(svc: Service): ServicePort[] {
  return (svc.spec.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP' && typeof p.port === 'number');
}

function freezeAll<T extends object>(items: readonly T[]): readonly T[] {
  for (const i of items) Object.freeze(i);
  return Object.freeze(items);
}

/** Renders a proxied service (see isProxied) against its own slices and the Ready nodes (sorted by name). */
export function renderService(svc: Service, slices: readonly EndpointSlice[], readyNodes: readonly ReadyNode[]): ServiceRender {
  const namespace = svc.metadata.namespace ?? 'default';
  const name = svc.metadata.name ?? '';
  const uid = svc.metadata.uid ?? '';
  const spec = svc.spec;
  const type = spec.type ?? 'ClusterIP';
  const externalLocal = spec.externalTrafficPolicy === 'Local' && (type === 'NodePort' || type === 'LoadBalancer');
  const internalLocal = spec.internalTrafficPolicy === 'Local';
  const affinitySeconds = spec.sessionAffinity === 'ClientIP' ? spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS : null;
  const clusterIPs = (spec.clusterIPs?.length ? spec.clusterIPs : [spec.clusterIP!]).filter((ip) => isIPv4(ip));
  const ingressIPs =
    type === 'LoadBalancer' ? (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip && isIPv4(ip)) : [];
  const svcEndpoints = groupEndpointSlices(slices).get(`${namespace}/${name}`);

  const claims: Claim[] = [];
  const endpointKeys = new Map<string, ReadonlySet<string>>();
  const frontend = (fe: Frontend): void => {
    claims.push(Object.freeze({ at: `${fe.address}:${fe.port}`, frontend: Object.freeze(fe) }));
  };

  for (const sp of tcpPorts(svc)) {
    const portName = sp.name ?? '';
    const ref: ServicePortRef = Object.freeze({ namespace, name, port: portName, key: `${namespace}/${name}:${portName}`, uid });
    const all = svcEndpoints?.get(portName) ?? [];
    endpointKeys.set(ref.key, new Set(all.map((e) => e.key)));
    const clusterEndpoints = freezeAll(usableEndpoints(all));
    const key = (kind: FrontendKind, ip: string, port: number): string => `${kind}|${ref.key}|${ip}:${port}`;

    // The rules of one node for this port (what its NodePort does, and what a load balancer
    // sending to this node gets).
    const nodeTarget = (n: ReadyNode): NodeTarget =>
      Object.freeze(
        externalLocal
          ? { node: n.name, ip: n.ip, endpoints: freezeAll(usableLocalEndpoints(all, n.name)), snat: false }
          : { node: n.name, ip: n.ip, endpoints: clusterEndpoints, snat: true },
      );

    // ClusterIP
    const endpointsByNode = new Map<string, readonly EndpointTarget[]>();
    if (internalLocal) {
      for (const nodeName of new Set(all.map((e) => e.nodeName).filter(Boolean))) {
        const local = usableLocalEndpoints(all, nodeName);
        if (local.length > 0) endpointsByNode.set(nodeName, freezeAll(local));
      }
    }
    const clusterRoute: ClusterIPRoute = Object.freeze({ kind: 'clusterIP', endpoints: clusterEndpoints, nodeLocal: internalLocal, endpointsByNode });
    for (const ip of clusterIPs) {
      frontend({ key: key('clusterIP', ip, sp.port), kind: 'clusterIP', address: ip, port: sp.port, service: ref, route: clusterRoute, affinitySeconds });
    }

    // NodePort (NodePort and LoadBalancer services with a node port)
    const targets = readyNodes.map(nodeTarget);
    if ((type === 'NodePort' || type === 'LoadBalancer') && sp.nodePort) {
      for (const t of targets) {
        frontend({
          key: key('nodePort', t.ip, sp.nodePort),
          kind: 'nodePort',
          address: t.ip,
          port: sp.nodePort,
          node: t.node,
          service: ref,
          route: Object.freeze({ kind: 'nodePort', target: t }),
          affinitySeconds,
        });
      }
    }

    // LoadBalancer: spread over the nodes a cloud load balancer would keep in rotation.
    if (ingressIPs.length > 0) {
      const inRotation = externalLocal ? targets.filter((t) => localReadyEndpointCount(svcEndpoints, t.node) > 0) : targets;
      const lbRoute: LoadBalancerRoute = Object.freeze({ kind: 'loadBalancer', nodes: freezeAll(inRotation), local: externalLocal, endpoints: clusterEndpoints });
      for (const ip of ingressIPs) {
        frontend({ key: key('loadBalancer', ip, sp.port), kind: 'loadBalancer', address: ip, port: sp.port, service: ref, route: lbRoute, affinitySeconds });
      }
    }
  }

  // healthCheckNodePort: on every Ready node, for LoadBalancer services with externalTrafficPolicy Local.
  const hcPort = spec.healthCheckNodePort;
  if (type === 'LoadBalancer' && externalLocal && hcPort) {
    for (const n of readyNodes) {
      const at = `${n.ip}:${hcPort}`;
      const healthCheck: HealthCheckServer = Object.freeze({
        key: at,
        address: n.ip,
        port: hcPort,
        node: n.name,
        namespace,
        name,
        uid,
        localEndpoints: localReadyEndpointCount(svcEndpoints, n.name),
      });
      claims.push(Object.freeze({ at, healthCheck }));
    }
  }

  return Object.freeze({ order: serviceOrder(svc), claims: Object.freeze(claims), endpointKeys });
}

/** The service port a health-check server stands for, when it wins or loses an address. */
export function healthCheckOwner(hc: HealthCheckServer): ServicePortRef {
  return { namespace: hc.namespace, name: hc.name, port: '', key: `${hc.namespace}/${hc.name}:`, uid: hc.uid };
}
