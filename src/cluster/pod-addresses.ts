// The pod IPs in use right now, and the node of each: what the ClusterIP inside-only rule
// accepts as a pod's source address (besides node IPs). An address in a node's pod CIDR that no
// pod holds is an outsider, as it is in Kubernetes, where nothing else can send from it.
//
// A pod holds its IPs (status.podIPs, else status.podIP) once its node assigned them, until it
// finishes (Succeeded / Failed) or is gone; a terminating pod keeps them through its grace
// period. Fed by a Pod informer; read on every accept, so a lookup is one Map get.
import { objectKey } from '../api/paths.js';
import type { Pod } from '../api/types.js';
import type { Informer } from '../client/informer.js';

export interface PodAddresses {
  /** The node whose pod holds `ip` now, or undefined. */
  nodeOf(ip: string): string | undefined;
  /** How many pod IPs are held. */
  size(): number;
  hasSynced(): boolean;
  synced(): Promise<void>;
}

/** The IPs a pod holds now (empty before its node assigned one, and once it finished). */
export function heldPodIPs(pod: Pod): string[] {
  const phase = pod.status?.phase;
  if (!pod.spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') return [];
  const ips = pod.status?.podIPs?.map((p) => p.ip).filter(Boolean) ?? [];
  if (ips.length === 0 && pod.status?.podIP) ips.push(pod.status.podIP);
  return ips;
}

export function trackPodAddresses(pods: Informer<Pod>): PodAddresses {
  /** ip -> the pod holding it and its node. */
  const byIP = new Map<string, { key: string; node: string }>();
  /** pod key -> the IPs recorded for it. */
  const byPod = new Map<string, string[]>();

  const forget = (key: string): void => {
    for (const ip of byPod.get(key) ?? []) if (byIP.get(ip)?.key === key) byIP.delete(ip);
    byPod.delete(key);
  };
  const record = (pod: Pod): void => {
    const key = objectKey(pod.metadata);
    forget(key);
    const ips = heldPodIPs(pod);
    if (ips.length === 0) return;
    const node = pod.spec.nodeName!;
    for (const ip of ips) byIP.set(ip, { key, node });
    byPod.set(key, ips);
  };
  pods.addHandlers({
    add: record,
    update: (_old, pod) => record(pod),
    delete: (pod) => forget(objectKey(pod.metadata)),
  });

  return {
    nodeOf: (ip) => byIP.get(ip)?.node,
    size: () => byIP.size,
    hasSynced: () => pods.hasSynced(),
    synced: () => pods.synced(),
  };
}
