// The scheduler's VolumeBinding plugin, as pure functions of a pod and the claims, volumes and
// classes it names: a missing or terminating claim and an unbound claim of an Immediate class
// keep the pod unscheduled (PreFilter, upstream's words); a bound claim's volume limits the pod to
// the nodes its node affinity selects ("node(s) had volume node affinity conflict"); an unbound
// claim of a WaitForFirstConsumer class goes with the pod: once a node is chosen, the claim is
// annotated volume.kubernetes.io/selected-node and the pod waits for it to be bound.
import type { Node, Pod } from '../api/types.js';
import type { PersistentVolume, PersistentVolumeClaim } from '../kinds/persistentvolume/types.js';
import { claimClass } from '../kinds/persistentvolumeclaim/printer.js';
import type { StorageClass } from '../kinds/storageclass/types.js';
import { termMatches, type FilterFailure, type NodeSelectorTerm } from './scheduling.js';

export const REASON_VOLUME_NODE_AFFINITY = 'node(s) had volume node affinity conflict';
export const REASON_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';

export interface VolumeLister {
  claim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  volume(name: string): PersistentVolume | undefined;
  storageClass(name: string): StorageClass | undefined;
}

export type PodVolumes =
  /** The pod cannot be scheduled now, whatever the node (PreFilter's verdict). */
  | { unschedulable: string }
  | { bound: PersistentVolume[]; delayed: PersistentVolumeClaim[] };

/** A volume's required node affinity admits the node (no affinity admits every node). */
export function volumeNodeAffinityMatches(pv: PersistentVolume, node: Node): boolean {
  const terms = pv.spec.nodeAffinity?.required?.nodeSelectorTerms;
  if (!terms) return true;
  return terms.some((t) => termMatches(t as NodeSelectorTerm, node));
}

export function claimNames(pod: Pod): string[] {
  return (pod.spec.volumes ?? []).flatMap((v) => {
    const name = (v as { persistentVolumeClaim?: { claimName?: string } }).persistentVolumeClaim?.claimName;
    return name ? [name] : [];
  });
}

/** PreFilter: the pod's claims, sorted into bound ones and ones bound when the pod is placed. */
export function podVolumes(pod: Pod, lister: VolumeLister): PodVolumes {
  const ns = pod.metadata.namespace ?? 'default';
  const bound: PersistentVolume[] = [];
  const delayed: PersistentVolumeClaim[] = [];
  for (const name of claimNames(pod)) {
    const pvc = lister.claim(ns, name);
    if (!pvc) return { unschedulable: `persistentvolumeclaim "${name}" not found` };
    if (pvc.metadata.deletionTimestamp) return { unschedulable: `persistentvolumeclaim "${name}" is being deleted` };
    if (pvc.spec.volumeName) {
      const pv = lister.volume(pvc.spec.volumeName);
      if (!pv) return { unschedulable: `persistentvolume "${pvc.spec.volumeName}" not found` };
      bound.push(pv);
      continue;
    }
    const sc = lister.storageClass(claimClass(pvc));
    if (sc?.volumeBindingMode === 'WaitForFirstConsumer') delayed.push(pvc);
    else return { unschedulable: REASON_UNBOUND_IMMEDIATE };
  }
  return { bound, delayed };
}

/** Filter: every bound volume admits the node. */
export function filterVolumes(volumes: PodVolumes, node: Node): FilterFailure | null {
  if ('unschedulable' in volumes) return { reasons: [volumes.unschedulable], resolvable: false };
  if (volumes.bound.some((pv) => !volumeNodeAffinityMatches(pv, node))) return { reasons: [REASON_VOLUME_NODE_AFFINITY], resolvable: false };
  return null;
}

/** `0/3 nodes are available: <reason>. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.` */
export function preFilterMessage(reason: string, numNodes: number): string {
  return `0/${numNodes} nodes are available: ${reason}. preemption: 0/${numNodes} nodes are available: ${numNodes} Preemption is not helpful for scheduling.`;
}
