// Which pods a controller removes first when it scales down: upstream's ActivePodsWithRanks
// ordering (k8s.io/kubernetes/pkg/controller), least useful first:
//   1. unscheduled < scheduled
//   2. Pending < Unknown < Running
//   3. not ready < ready
//   4. lower controller.kubernetes.io/pod-deletion-cost < higher
//   5. doubled up (more of the controller's pods on the same node) < not
//   6. ready for less time < ready for longer
//   7. more container restarts < fewer
//   8. newer < older
import type { Pod } from '../api/types.js';
import { isPodActive, isPodReady, maxRestarts, podCondition, timeOf } from './pods.js';

export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function deletionCost(pod: Pod): number {
  const v = pod.metadata.annotations?.[POD_DELETION_COST];
  if (v === undefined) return 0;
  const n = Number.parseInt(v, 10);
  return Number.isNaN(n) ? 0 : n;
}

/** -1 when a should go before b, 1 when after, 0 when they are alike. */
export function compareForDeletion(a: Pod, b: Pod, rankA = 0, rankB = 0): number {
  const assignedA = Boolean(a.spec.nodeName);
  const assignedB = Boolean(b.spec.nodeName);
  if (assignedA !== assignedB) return assignedA ? 1 : -1;

  const phaseA = PHASE_RANK[a.status?.phase ?? 'Pending'] ?? 0;
  const phaseB = PHASE_RANK[b.status?.phase ?? 'Pending'] ?? 0;
  if (phaseA !== phaseB) return phaseA < phaseB ? -1 : 1;

  const readyA = isPodReady(a);
  const readyB = isPodReady(b);
  if (readyA !== readyB) return readyA ? 1 : -1;

  const costA = deletionCost(a);
  const costB = deletionCost(b);
  if (costA !== costB) return costA < costB ? -1 : 1;

  if (rankA !== rankB) return rankA > rankB ? -1 : 1;

  if (readyA && readyB) {
    const tA = timeOf(podCondition(a, 'Ready')?.lastTransitionTime);
    const tB = timeOf(podCondition(b, 'Ready')?.lastTransitionTime);
    if (tA !== tB) {
      if (tA === undefined) return -1;
      if (tB === undefined) return 1;
      return tA > tB ? -1 : 1; // ready more recently = less useful
    }
  }

  const restartsA = maxRestarts(a);
  const restartsB = maxRestarts(b);
  if (restartsA !== restartsB) return restartsA > restartsB ? -1 : 1;

  const cA = timeOf(a.metadata.creationTimestamp);
  const cB = timeOf(b.metadata.creationTimestamp);
  if (cA !== cB) {
    if (cA === undefined) return -1;
    if (cB === undefined) return 1;
    return cA > cB ? -1 : 1;
  }
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? 1 : (a.metadata.name ?? '') > (b.metadata.name ?? '') ? -1 : 0;
}

/**
 * The `count` pods to delete from `pods`, least useful first. `related` are all the
 * controller's active pods: a pod on a node where more of them run ranks as doubled up.
 */
export function podsToDelete(pods: Pod[], count: number, related: Pod[] = pods): Pod[] {
  if (count <= 0) return [];
  const perNode = new Map<string, number>();
  for (const p of related) {
    if (!isPodActive(p) || !p.spec.nodeName) continue;
    perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
  }
  const rank = (p: Pod): number => (p.spec.nodeName ? perNode.get(p.spec.nodeName) ?? 0 : 0);
  return [...pods].sort((a, b) => compareForDeletion(a, b, rank(a), rank(b))).slice(0, count);
}
