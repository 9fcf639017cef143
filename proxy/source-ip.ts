// Source-address rules, as kube-proxy applies them:
// - who may connect to a ClusterIP: only the cluster itself, i.e. a node's IP or the IP a pod
//   holds now (src/cluster/pod-addresses.ts); an unassigned address in a node's pod CIDR is an
//   outsider like any other, and is refused. On a shared machine any local user can bind any
//   loopback address, so this shows Kubernetes' semantics; it is not an access boundary (the
//   API token is);
// - which address the proxy dials the pod from, so that the pod sees what it would see in
//   Kubernetes: for ClusterIP the client's own pod or node IP; for NodePort / LoadBalancer with
//   externalTrafficPolicy Cluster the IP of the node that took the connection (SNAT); with Local
//   the original client IP (preserved).
import type { PodAddresses } from '../src/cluster/pod-addresses.js';
import type { NodeInfo, PlannedNode } from './nodes.js';

/** A node's pod CIDR as numbers. */
export interface PodRange {
  readonly base: number;
  readonly mask: number;
  readonly node: string;
}

/** The cluster's own addresses: node IPs built once per snapshot, pod IPs a live table. */
export interface ClusterSources {
  /** Node InternalIP (as a number) -> node name. */
  readonly nodeIPs: ReadonlyMap<number, string>;
  /** The pod IPs held now (null: no pod is inside, e.g. before the Pod informer exists). */
  readonly pods: Pick<PodAddresses, 'nodeOf'> | null;
  /**
   * The nodes' pod CIDRs. The userspace planes ask `pods` on every accept; the nftables plane's
   * kernel set is rendered per sync, and pods come and go without one, so it holds these ranges.
   */
  readonly podRanges: readonly PodRange[];
}

/** `127.10.0.1` -> its 32-bit value; -1 when not a dotted IPv4 address. Allocation-free. */
export function ipv4ToNumber(s: string): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else if (c === 46 && digits > 0 && dots < 3) {
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

function parseRange(cidr: string, node: string): PodRange | null {
  const slash = cidr.indexOf('/');
  if (slash < 0) return null;
  const base = ipv4ToNumber(cidr.slice(0, slash));
  const prefix = Number(cidr.slice(slash + 1));
  if (base < 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return null;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { base: (base & mask) >>> 0, mask, node };
}

/** Node IPs from the Node objects, plus the cluster's address plan for nodes not registered yet; pod IPs live. */
export function clusterSources(nodes: readonly NodeInfo[], planned: readonly PlannedNode[], pods: ClusterSources['pods'] = null): ClusterSources {
  const nodeIPs = new Map<number, string>();
  const podRanges: PodRange[] = [];
  const add = (name: string, ip: string | undefined, cidrs: readonly string[]): void => {
    const n = ip ? ipv4ToNumber(ip) : -1;
    if (n >= 0 && !nodeIPs.has(n)) nodeIPs.set(n, name);
    for (const c of cidrs) {
      const r = parseRange(c, name);
      if (r && !podRanges.some((p) => p.base === r.base && p.mask === r.mask)) podRanges.push(r);
    }
  };
  for (const n of nodes) add(n.name, n.ip, n.podCIDRs);
  for (const p of planned) add(p.name, p.ip, [p.podCIDR]);
  return { nodeIPs, pods, podRanges };
}

/**
 * The node a source address belongs to (its own IP, or the IP one of its pods holds), or null
 * for an address outside the cluster.
 */
export function sourceNode(sources: ClusterSources, ip: string): string | null {
  const n = ipv4ToNumber(ip);
  if (n < 0) return null;
  const node = sources.nodeIPs.get(n);
  if (node !== undefined) return node;
  return sources.pods?.nodeOf(ip) ?? null;
}

/** Where a connection entering at a node is dialled from: the node's IP (SNAT), or the client's (preserved). */
export function dialAddress(snat: boolean, nodeIP: string, clientIP: string): string {
  return snat ? nodeIP : clientIP;
}
