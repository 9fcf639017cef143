// What a data plane is: the part of the proxy that makes connections to a Service's addresses
// reach its endpoints, given the routing snapshot the proxier renders. Three of them, behind this
// one interface (kube-proxy has its modes the same way):
//
//   splice    userspace, on libuv TCP handles directly (splice/): the default and the fastest
//             userspace path; it leans on Node's internal tcp_wrap binding, whose shape is
//             checked at start
//   socket    userspace, on net.Socket (socket/): public APIs only, chosen by itself when the
//             internal binding is not as expected, or asked for
//   nftables  the kernel's (nftables/): DNAT/SNAT rules as kube-proxy's nftables mode writes
//             them; no byte passes through this process
//
// The proxier owns the informers, the snapshot, health-check servers and Events; a data plane
// owns listeners (or rules), balancing state and the traffic counters it feeds.
import type { DataPlaneName } from '../../src/cluster/config.js';
import type { FrontendKind, RoutingSnapshot, ServicePortRef } from '../snapshot.js';

export type { DataPlaneName };
export { DATA_PLANES, DEFAULT_DATA_PLANE } from '../../src/cluster/config.js';

/** An address a data plane could not serve (a userspace listener that could not bind). */
export interface ServeFailure {
  /** `ip:port`. */
  readonly key: string;
  /** `EADDRINUSE`, `EACCES`, ... */
  readonly code: string;
  readonly syscall: string;
  readonly service: ServicePortRef;
  readonly kind: FrontendKind;
  /** The node whose address it is (nodePort). */
  readonly node: string | undefined;
}

export interface DataPlane {
  readonly name: DataPlaneName;
  /**
   * Serves `snapshot` from now on: new connections follow it, established ones are left alone.
   * May be asynchronous; a later apply supersedes an earlier one.
   */
  apply(snapshot: RoutingSnapshot): void | Promise<void>;
  /** How many addresses are served now. */
  servingCount(): number;
  /** Addresses that could not be served; they are tried again on every apply. */
  failed(): ReadonlyMap<string, ServeFailure>;
  /** Connections being forwarded now (userspace), or open through the rules (nftables). */
  activeConnections(): number;
  /** Writes that had to wait for the receiving socket (userspace backpressure). */
  backpressureWaits(): number;
  /** Periodic housekeeping (expired affinity pins; the kernel times out its own). */
  sweep(nowMs: number): void;
  /** Stops serving: listeners closed (established connections keep running), or the rules removed. */
  close(): Promise<void>;
}

export interface DataPlaneHooks {
  /** A new failure to serve an address (reported once per address and cause). */
  onFailure(failure: ServeFailure): void;
}
