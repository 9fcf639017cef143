// The routing snapshot: everything the data plane needs, rendered from Services, EndpointSlices
// and Nodes, immutable once built. The proxier swaps a new snapshot in whole; listeners (or rules)
// are reconciled against it. The builder (snapshot-builder.ts) re-renders only the services whose
// objects changed and tells the data plane which addresses did (`changes`), as kube-proxy's
// change trackers let its proxier skip unchanged service chains; buildSnapshot renders all at once.
//
// Vocabulary (Envoy's): a listener (ip:port) serves one frontend; the frontend's route says where
// its connections may go; a route's endpoints are the cluster members (pod ip:port).
//
//   clusterIP     every ClusterIP:port, reachable from inside the cluster only
//   nodePort      <node InternalIP>:<nodePort> on every Ready node (NodePort and LoadBalancer)
//   loadBalancer  every status.loadBalancer.ingress[].ip:port, spread over the nodes
import type { EndpointSlice, Node, Service } from '../src/api/types.js';
import type { EndpointTarget } from './endpoint-slices.js';
import type { NodeInfo, PlannedNode } from './nodes.js';
import { createSnapshotBuilder } from './snapshot-builder.js';
import type { ClusterSources } from './source-ip.js';

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

/**
 * What changed since the previous snapshot of the same builder, for data planes that apply
 * changes incrementally. null: treat everything as changed (a first snapshot, a node change,
 * a periodic full resync).
 */
export interface SnapshotChanges {
  /** Listener addresses whose frontend appeared, changed or went away. */
  readonly addresses: ReadonlySet<string> | null;
  /** Service ports (`namespace/name:port`) whose frontends or endpoints changed, or that went away. */
  readonly servicePorts: ReadonlySet<string> | null;
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
  readonly changes: SnapshotChanges;
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

export { DEFAULT_AFFINITY_SECONDS } from './service-render.js';

/** Renders the whole desired state at once. Pure: same input, same snapshot. */
export function buildSnapshot(input: SnapshotInput): RoutingSnapshot {
  const builder = createSnapshotBuilder(input.plannedNodes ?? [], input.podAddresses ?? null);
  for (const svc of input.services) builder.setService(svc);
  for (const slice of input.endpointSlices) builder.setSlice(slice);
  builder.setNodes(input.nodes);
  return builder.build();
}
