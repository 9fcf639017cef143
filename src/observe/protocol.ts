// What travels over the traffic hub's websockets.
//
//   proxy -> hub   (ws://127.0.0.1:<dashboard.port>/ws/proxy, Authorization: Bearer <cluster token>)
//     ProxyStatsMessage once a second: every counter of the proxy, cumulative.
//
//   hub -> viewer  (ws://127.0.0.1:<dashboard.port>/ws/view?token=<dashboard token>)
//     FullMessage first (and again after the viewer fell behind), then TickMessage once a
//     second: what changed in the cluster, the traffic rates of the last second, new events.

/** The counters the proxy keeps on each frontend and endpoint (proxy/stats.ts). */
export interface TrafficCountersWire {
  connectionsTotal: number;
  connectionsActive: number;
  bytesIn: number;
  bytesOut: number;
  connectFailures: number;
  refused: number;
}

export interface FrontendCountersWire extends TrafficCountersWire {
  namespace: string;
  service: string;
  port: string;
  kind: string;
  address: string;
  node: string | null;
}

export interface EndpointCountersWire extends TrafficCountersWire {
  namespace: string;
  service: string;
  port: string;
  endpoint: string;
  node: string | null;
}

export interface ProxyStatsMessage {
  kind: 'proxy-stats';
  /** When the counters were read, epoch ms. */
  at: number;
  frontends: FrontendCountersWire[];
  endpoints: EndpointCountersWire[];
}

// ---- cluster state, as the dashboard and `loopkube top` show it -----------------------------

export interface NodeView {
  name: string;
  ip: string;
  /** The Ready condition: True, False or Unknown. */
  ready: string;
  unschedulable: boolean;
  podCIDR: string;
}

export interface PodView {
  /** `namespace/name` */
  key: string;
  namespace: string;
  name: string;
  ip: string;
  node: string;
  phase: string;
  ready: boolean;
  restarts: number;
  deleting: boolean;
}

export interface ServicePortView {
  name: string;
  protocol: string;
  port: number;
  targetPort: string;
  nodePort: number | null;
}

export interface ServiceView {
  key: string;
  namespace: string;
  name: string;
  type: string;
  clusterIP: string;
  ports: ServicePortView[];
  /** status.loadBalancer.ingress IPs and spec.externalIPs. */
  externalIPs: string[];
  /** A LoadBalancer still waiting for its IP. */
  pending: boolean;
}

export interface EndpointAddressView {
  ip: string;
  node: string;
  /** The pod's name ('' when the address is not a pod). */
  pod: string;
  ready: boolean;
}

export interface EndpointsView {
  /** `namespace/name` of the service. */
  key: string;
  addresses: EndpointAddressView[];
  ports: Array<{ name: string; port: number; protocol: string }>;
}

export interface EventView {
  /** `namespace/name` of the Event object. */
  key: string;
  /** lastTimestamp (or eventTime, firstTimestamp), RFC 3339. */
  time: string;
  type: string;
  reason: string;
  /** `Kind/name` of the object it is about. */
  object: string;
  namespace: string;
  message: string;
  count: number;
  source: string;
}

export interface ClusterState {
  nodes: NodeView[];
  pods: PodView[];
  services: ServiceView[];
  endpoints: EndpointsView[];
}

export interface Delta<T> {
  /** Added or changed, whole. */
  set: T[];
  /** Keys (name for nodes, `namespace/name` otherwise) that are gone. */
  del: string[];
}

export interface StateChanges {
  nodes?: Delta<NodeView>;
  pods?: Delta<PodView>;
  services?: Delta<ServiceView>;
  endpoints?: Delta<EndpointsView>;
}

// ---- traffic, as rates over the last second -------------------------------------------------

export interface EndpointRate {
  /** `namespace/service` */
  service: string;
  /** The service port's name ('' when unnamed). */
  port: string;
  /** `ip:port` of the pod. */
  endpoint: string;
  node: string;
  connPerSec: number;
  active: number;
  bytesPerSec: number;
  /** Connections since the proxy started. */
  connections: number;
  failuresPerSec: number;
}

export interface FrontendRate {
  service: string;
  port: string;
  kind: string;
  address: string;
  node: string;
  connPerSec: number;
  active: number;
  bytesPerSec: number;
  refusedPerSec: number;
}

export interface PodRequestRate {
  /** `namespace/name` */
  pod: string;
  ip: string;
  requestsPerSec: number;
  /** Requests the pod answered since it started. */
  requests: number;
}

export interface TrafficTotals {
  connPerSec: number;
  active: number;
  bytesPerSec: number;
  requestsPerSec: number;
}

export interface TrafficView {
  /** Proxies pushing their stats now. */
  proxies: number;
  /** Only endpoints, frontends and pods with something going on (missing = all zero). */
  endpoints: EndpointRate[];
  frontends: FrontendRate[];
  pods: PodRequestRate[];
  totals: TrafficTotals;
}

export interface RatePoint extends TrafficTotals {
  /** epoch ms */
  at: number;
}

export interface FullMessage {
  kind: 'full';
  at: number;
  cluster: string;
  state: ClusterState;
  traffic: TrafficView;
  /** Totals of the last minutes, oldest first, one a second. */
  history: RatePoint[];
  /** The latest events, oldest first. */
  events: EventView[];
}

export interface TickMessage {
  kind: 'tick';
  at: number;
  changes: StateChanges;
  traffic: TrafficView;
  point: RatePoint;
  /** Events added or changed since the last tick, oldest first. */
  events: EventView[];
}

export type ViewerMessage = FullMessage | TickMessage;

export const PROXY_PATH = '/ws/proxy';
export const VIEWER_PATH = '/ws/view';
