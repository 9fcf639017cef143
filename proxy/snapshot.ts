// The routing snapshot: everything the data plane needs, rendered from scratch from Services,
// EndpointSlices and Nodes by one pure function, as kube-proxy's syncProxyRules renders the whole
// rule set. The proxier swaps a new snapshot in whole; listeners are reconciled against it.
//
// Vocabulary (Envoy's): a listener (ip:port) serves one frontend; the frontend's route says where
// its connections may go; a route's endpoints are the cluster members (pod ip:port).
//
//   clusterIP     every ClusterIP:port, reachable from inside the cluster only
//   nodePort      <node InternalIP>:<nodePort> on every Ready node (NodePort and LoadBalancer)
//   loadBalancer  every status.loadBalancer.ingress[].ip:port, spread over the nodes
import type { EndpointSlice, Node, Service, ServicePort } from '../src/api/types.js';
import {
  groupEndpointSlices,
  isIPv4,
  localReadyEndpointCount,
  usableEndpoints,
  usableLocalEndpoints,
  type EndpointTarget,
} from './endpoint-slices.js';
import { nodeInfo, type NodeInfo, type PlannedNode } from './nodes.js';
import { clusterSources, type ClusterSources } from './source-ip.js';

export type { EndpointTarget } from './endpoint-slices.js';

export type FrontendKind = 'clusterIP' | 'nodePort' | 'loadBalancer';

/** A service port (kube-proxy's ServicePortName). */
export interface ServicePortRef {
  readonly namespace: string;
  readonly name: string;
  /** The port's name, '' when unnamed. */
  readonly port: string;
  /** `namespace/name:port`. */
  readonly key: string;
  /** The Service's uid (events are recorded against it). */
  readonly uid: string;
}

/** One node's rules for one service port: where a connection that entered at this node goes. */
export interface NodeTarget {
  readonly node: string;
  readonly ip: string;
  readonly endpoints: readonly EndpointTarget[];
  /** true: dial the pod from the node's IP (externalTrafficPolicy Cluster); false: from the client's IP (Local). */
  readonly snat: boolean;
}

export interface ClusterIPRoute {
  readonly kind: 'clusterIP';
  readonly endpoints: readonly EndpointTarget[];
  /** internalTrafficPolicy Local: only endpoints on the client's own node. */
  readonly nodeLocal: boolean;
  /** With nodeLocal: the usable endpoints of each node that has any. */
  readonly endpointsByNode: ReadonlyMap<string, readonly EndpointTarget[]>;
}

export interface NodePortRoute {
  readonly kind: 'nodePort';
  readonly target: NodeTarget;
}

export interface LoadBalancerRoute {
  readonly kind: 'loadBalancer';
  /** The nodes a connection may be sent to, in order: Ready, and for Local, with a ready local endpoint. */
  readonly nodes: readonly NodeTarget[];
  /** externalTrafficPolicy Local. */
  readonly local: boolean;
  /** With Cluster: every usable endpoint (one round-robin over them whichever node takes the connection). */
  readonly endpoints: readonly EndpointTarget[];
}

export type Route = ClusterIPRoute | NodePortRoute | LoadBalancerRoute;

export interface Frontend {
  /** Stable identity: `kind|namespace/name:port|ip:port`. */
  readonly key: string;
  readonly kind: FrontendKind;
  readonly address: string;
  readonly port: number;
  /** nodePort: the node whose IP this is. */
  readonly node?: string;
  readonly service: ServicePortRef;
  readonly route: Route;
  /** sessionAffinity ClientIP: how long a client stays pinned to its endpoint after its last connection. */
  readonly affinitySeconds: number | null;
}

/** A healthCheckNodePort server on one node (externalTrafficPolicy Local LoadBalancer services). */
export interface HealthCheckServer {
  /** `ip:port`. */
  readonly key: string;
  readonly address: string;
  readonly port: number;
  readonly node: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly localEndpoints: number;
}

/** Two services asking for the same address: the older one keeps it. */
export interface AddressConflict {
  readonly address: string;
  readonly port: number;
  readonly kind: FrontendKind | 'healthCheck';
  readonly winner: ServicePortRef;
  readonly loser: ServicePortRef;
}

export interface RoutingSnapshot {
  /** Listener address `ip:port` -> its frontend. */
  readonly frontends: ReadonlyMap<string, Frontend>;
  readonly healthChecks: ReadonlyMap<string, HealthCheckServer>;
  readonly sources: ClusterSources;
  readonly conflicts: readonly AddressConflict[];
  /** Endpoint keys (`ip:port`) of every service port (`namespace/name:port`) in the snapshot. */
  readonly endpointKeys: ReadonlyMap<string, ReadonlySet<string>>;
  readonly nodes: readonly NodeInfo[];
}

export interface SnapshotInput {
  readonly services: readonly Service[];
  readonly endpointSlices: readonly EndpointSlice[];
  readonly nodes: readonly Node[];
  /** The cluster's planned nodes (cluster.json), for the inside-the-cluster source rule. */
  readonly plannedNodes?: readonly PlannedNode[];
  /** The pod IPs held now (a live table the snapshot refers to), for the same rule. */
  readonly podAddresses?: ClusterSources['pods'];
}

/** Kubernetes' default sessionAffinityConfig.clientIP.timeoutSeconds (3 hours). */
export const DEFAULT_AFFINITY_SECONDS = 10800;

function isProxied(svc: Service): boolean {
  const type = svc.spec?.type ?? 'ClusterIP';
  if (type === 'ExternalName') return false;
  const ip = svc.spec?.clusterIP;
  return !!ip && ip !== 'None' && !svc.metadata.deletionTimestamp;
}

function tcpPorts(svc: Service): ServicePort[] {
  return (svc.spec.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP' && typeof p.port === 'number');
}

function olderFirst(a: Service, b: Service): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = `${a.metadata.namespace}/${a.metadata.name}`;
  const kb = `${b.metadata.namespace}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function freezeAll<T extends object>(items: readonly T[]): readonly T[] {
  for (const i of items) Object.freeze(i);
  return Object.freeze(items);
}

function healthCheckOwner(hc: HealthCheckServer | undefined): ServicePortRef | undefined {
  return hc && { namespace: hc.namespace, name: hc.name, port: '', key: `${hc.namespace}/${hc.name}:`, uid: hc.uid };
}

/** Renders the whole desired state. Pure: same input, same snapshot. */
export function buildSnapshot(input: SnapshotInput): RoutingSnapshot {
  const nodes = input.nodes.map(nodeInfo).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const readyNodes = nodes.filter((n): n is NodeInfo & { ip: string } => n.ready && !!n.ip && isIPv4(n.ip));
  const endpointsOf = groupEndpointSlices(input.endpointSlices);
  const services = input.services.filter(isProxied).slice().sort(olderFirst);

  const frontends = new Map<string, Frontend>();
  const healthChecks = new Map<string, HealthCheckServer>();
  const conflicts: AddressConflict[] = [];
  const endpointKeys = new Map<string, Set<string>>();

  const claim = (fe: Frontend): void => {
    const at = `${fe.address}:${fe.port}`;
    const held = frontends.get(at)?.service ?? healthCheckOwner(healthChecks.get(at));
    if (held) {
      conflicts.push(Object.freeze({ address: fe.address, port: fe.port, kind: fe.kind, winner: held, loser: fe.service }));
      return;
    }
    frontends.set(at, Object.freeze(fe));
  };

  for (const svc of services) {
    const namespace = svc.metadata.namespace ?? 'default';
    const name = svc.metadata.name ?? '';
    const uid = svc.metadata.uid ?? '';
    const spec = svc.spec;
    const type = spec.type ?? 'ClusterIP';
    const externalLocal = spec.externalTrafficPolicy === 'Local' && (type === 'NodePort' || type === 'LoadBalancer');
    const internalLocal = spec.internalTrafficPolicy === 'Local';
    const affinitySeconds =
      spec.sessionAffinity === 'ClientIP' ? spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS : null;
    const clusterIPs = (spec.clusterIPs?.length ? spec.clusterIPs : [spec.clusterIP!]).filter((ip) => isIPv4(ip));
    const ingressIPs =
      type === 'LoadBalancer' ? (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip && isIPv4(ip)) : [];
    const svcEndpoints = endpointsOf.get(`${namespace}/${name}`);

    for (const sp of tcpPorts(svc)) {
      const portName = sp.name ?? '';
      const ref: ServicePortRef = Object.freeze({ namespace, name, port: portName, key: `${namespace}/${name}:${portName}`, uid });
      const all = svcEndpoints?.get(portName) ?? [];
      endpointKeys.set(ref.key, new Set(all.map((e) => e.key)));
      const clusterEndpoints = freezeAll(usableEndpoints(all));
      const key = (kind: FrontendKind, ip: string, port: number): string => `${kind}|${ref.key}|${ip}:${port}`;

      // The rules of one node for this port (what its NodePort does, and what a load balancer
      // sending to this node gets).
      const nodeTarget = (n: NodeInfo & { ip: string }): NodeTarget =>
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
        claim({ key: key('clusterIP', ip, sp.port), kind: 'clusterIP', address: ip, port: sp.port, service: ref, route: clusterRoute, affinitySeconds });
      }

      // NodePort (NodePort and LoadBalancer services with a node port)
      const targets = readyNodes.map(nodeTarget);
      if ((type === 'NodePort' || type === 'LoadBalancer') && sp.nodePort) {
        for (const t of targets) {
          claim({
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
          claim({ key: key('loadBalancer', ip, sp.port), kind: 'loadBalancer', address: ip, port: sp.port, service: ref, route: lbRoute, affinitySeconds });
        }
      }
    }

    // healthCheckNodePort: on every Ready node, for LoadBalancer services with externalTrafficPolicy Local.
    const hcPort = spec.healthCheckNodePort;
    if (type === 'LoadBalancer' && externalLocal && hcPort) {
      for (const n of readyNodes) {
        const at = `${n.ip}:${hcPort}`;
        const hc: HealthCheckServer = Object.freeze({
          key: at,
          address: n.ip,
          port: hcPort,
          node: n.name,
          namespace,
          name,
          uid,
          localEndpoints: localReadyEndpointCount(svcEndpoints, n.name),
        });
        const winner = frontends.get(at)?.service ?? healthCheckOwner(healthChecks.get(at));
        if (winner) {
          conflicts.push(Object.freeze({ address: n.ip, port: hcPort, kind: 'healthCheck', winner, loser: healthCheckOwner(hc)! }));
          continue;
        }
        healthChecks.set(at, hc);
      }
    }
  }

  return Object.freeze({
    frontends,
    healthChecks,
    sources: clusterSources(nodes, input.plannedNodes ?? [], input.podAddresses ?? null),
    conflicts: Object.freeze(conflicts),
    endpointKeys,
    nodes: freezeAll(nodes),
  });
}
