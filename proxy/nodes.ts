// What the proxy needs to know of each node: its InternalIP (where NodePorts listen and the
// address SNAT dials from), its pod CIDRs (to tell a pod's address from an outsider's) and
// whether it is Ready (a NotReady node serves no NodePort and takes no load-balancer traffic).
import type { Node } from '../src/api/types.js';

export interface NodeInfo {
  readonly name: string;
  /** InternalIP; undefined until the node reports one. */
  readonly ip: string | undefined;
  readonly podCIDRs: readonly string[];
  readonly ready: boolean;
}

/** A node of the cluster's address plan (cluster.json), known before its Node object exists. */
export interface PlannedNode {
  readonly name: string;
  readonly ip: string;
  readonly podCIDR: string;
}

export function nodeInfo(node: Node): NodeInfo {
  const ip = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  const podCIDRs = node.spec?.podCIDRs?.length ? node.spec.podCIDRs : node.spec?.podCIDR ? [node.spec.podCIDR] : [];
  const ready = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  return { name: node.metadata.name ?? '', ip, podCIDRs, ready: ready && !node.metadata.deletionTimestamp };
}
