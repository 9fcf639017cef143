// What travels over the traffic hub's websockets.
//
//   proxy -> hub   (ws://127.0.0.1:<dashboard.port>/ws/proxy, Authorization: Bearer <cluster token>)
//     ProxyStatsMessage once a second: every counter of the proxy, cumulative.
//
//   hub -> viewer  (ws://127.0.0.1:<dashboard.port>/ws/view?token=<dashboard token>)
//     FullMessage first (and again after the viewer fell behind), then TickMessage every tick
//     (half a second by default): what changed in the cluster, the traffic rates of the last
//     interval, new events.

/** The counters the proxy keeps on each frontend and endpoint (proxy/stats.ts). */
export interface TrafficCountersWire {
  connectionsTotal: number;
  connectionsActive: number;
  bytesIn: number;
  bytesOut: number;
  connectFailures: number;
  refused: number;
}

/** One client address's connections through a frontend to one endpoint (proxy/stats.ts flows). */
export interface FlowCountersWire {
  /** The client's IP as the proxy accepted it ('other' once a frontend has too many). */
  client: string;
  /** `ip:port` of the pod. */
  endpoint: string;
  connectionsTotal: number;
  connectionsActive: number;
  /** Bytes both ways. */
  bytes: number;
}

export interface FrontendCountersWire extends TrafficCountersWire {
  namespace: string;
  service: string;
  port: string;
  kind: string;
  address: string;
  node: string | null;
  /** Absent from a data plane that does not see single connections. */
  flows?: FlowCountersWire[];
}

/** A frontend address the proxy wants to listen on and cannot (it retries). */
export interface ListenerFailureWire {
  namespace: string;
  service: string;
  port: string;
  kind: string;
  /** `ip:port` */
  address: string;
  node: string | null;
  /** errno name: EACCES, EADDRINUSE, EADDRNOTAVAIL... */
  code: string;
  syscall: string;
  /** What went wrong and the fix, as the Service's FailedToOpenPort event words it. */
  message: string;
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
  /** Listeners that could not be opened (absent from older proxies). */
  listenerFailures?: ListenerFailureWire[];
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

/** How a Service routes, beyond its ports: what the map's Service panel shows. */
export interface ServiceRulesView {
  externalTrafficPolicy: string;
  internalTrafficPolicy: string;
  sessionAffinity: string;
  /** sessionAffinityConfig.clientIP.timeoutSeconds, when ClientIP affinity is on. */
  affinityTimeoutSeconds: number | null;
  healthCheckNodePort: number | null;
  publishNotReadyAddresses: boolean;
}

export interface ServiceView {
  key: string;
  namespace: string;
  name: string;
  type: string;
  clusterIP: string;
  ports: ServicePortView[];
  rules: ServiceRulesView;
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
  /** EndpointSlice conditions: ready (gets new connections), serving, terminating. */
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

/** A Service's endpoints, from its EndpointSlices (terminating pods included, as slices have them). */
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
  /**
   * HTTP requests/s the pod answered at this address (its own counters), and of those 5xx;
   * shared among service ports that target the same address by their bytes.
   */
  requestsPerSec: number;
  errorsPerSec: number;
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
  /** The endpoints' requests/s, shared among the frontends that reached them by bytes. */
  requestsPerSec: number;
  errorsPerSec: number;
}

export type ClientKind = 'node' | 'pod' | 'outside';

/**
 * Traffic from one client address through one frontend to one endpoint, over the last interval:
 * the edges of the service map. Requests are the endpoint's, shared among its flows by bytes.
 */
export interface FlowRate {
  service: string;
  port: string;
  /** frontendKey() of the frontend it entered by. */
  frontend: string;
  client: string;
  clientKind: ClientKind;
  /** The node's name, or the pod's `namespace/name`; '' for outside addresses. */
  clientName: string;
  endpoint: string;
  connPerSec: number;
  active: number;
  bytesPerSec: number;
  requestsPerSec: number;
  errorsPerSec: number;
}

/** A listener that failed to open, for the views to name with its reason. */
export interface ListenerFailureView {
  /** `namespace/name` */
  service: string;
  port: string;
  kind: string;
  address: string;
  node: string;
  code: string;
  message: string;
}

export interface PodRequestRate {
  /** `namespace/name` */
  pod: string;
  ip: string;
  requestsPerSec: number;
  errorsPerSec: number;
  /** Requests the pod answered since it started. */
  requests: number;
}

export interface AddressRequestRate {
  /** `ip:port` */
  endpoint: string;
  /** `namespace/name` of the pod. */
  pod: string;
  requestsPerSec: number;
  errorsPerSec: number;
}

export interface TrafficTotals {
  connPerSec: number;
  active: number;
  bytesPerSec: number;
  requestsPerSec: number;
  errorsPerSec: number;
}

export interface TrafficView {
  /** Proxies pushing their stats now. */
  proxies: number;
  /** Only endpoints, frontends, flows and pods with something going on (missing = all zero). */
  endpoints: EndpointRate[];
  frontends: FrontendRate[];
  flows: FlowRate[];
  pods: PodRequestRate[];
  /** Busy pod addresses (ip:port) no proxy row carried: requests that reached the pod directly. */
  addresses: AddressRequestRate[];
  totals: TrafficTotals;
  /** Every listener the proxies could not open, with the reason and the fix. */
  listenerFailures: ListenerFailureView[];
  /** The length of the interval the rates are over, ms. */
  intervalMs: number;
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
