// The ClusterIP rule's "inside the cluster", for a component that is not the proxy (the cluster
// DNS's TCP back end): a node's InternalIP (registered, or planned in cluster.json) or an IP a
// pod holds now. The proxy keeps its own allocation-free form of the same rule (proxy/source-ip.ts).
import type { Node } from '../api/types.js';
import type { Informer } from '../client/informer.js';
import type { NodeConfig } from './config.js';
import type { PodAddresses } from './pod-addresses.js';

export type InsideCluster = (ip: string) => boolean;

function internalIP(node: Node): string | undefined {
  return node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
}

export function insideClusterRule(planned: readonly Pick<NodeConfig, 'ip'>[], nodes: Informer<Node>, pods: Pick<PodAddresses, 'nodeOf'>): InsideCluster {
  let nodeIPs = new Set<string>();
  const refresh = (): void => {
    const next = new Set(planned.map((n) => n.ip));
    for (const n of nodes.list()) {
      const ip = internalIP(n);
      if (ip) next.add(ip);
    }
    nodeIPs = next;
  };
  refresh();
  nodes.addHandlers({ add: refresh, update: (a, b) => internalIP(a) !== internalIP(b) && refresh(), delete: refresh });
  return (ip) => {
    const bare = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
    return nodeIPs.has(bare) || pods.nodeOf(bare) !== undefined;
  };
}
