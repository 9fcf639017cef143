// What controllers ask of a pod (upstream's k8s.io/kubernetes/pkg/api/v1/pod and
// controller_utils): is it ready, active, terminal, who controls it.
import type { KubeObject, OwnerReference, Pod, PodCondition } from '../api/types.js';

export function podCondition(pod: Pod, type: string): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

/** The pod's Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return podCondition(pod, 'Ready')?.status === 'True';
}

/** Succeeded or Failed: the pod will never run again. */
export function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

export function isTerminating(obj: KubeObject): boolean {
  return Boolean(obj.metadata.deletionTimestamp);
}

/** Counts toward a controller's replicas: not terminal and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  return !isPodTerminal(pod) && !isTerminating(pod);
}

/** The largest restart count among the pod's containers. */
export function maxRestarts(pod: Pod): number {
  let n = 0;
  for (const cs of pod.status?.containerStatuses ?? []) n = Math.max(n, cs.restartCount ?? 0);
  return n;
}

/** The owner reference with controller: true, if any. */
export function controllerRefOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** Seconds since the epoch of an RFC 3339 time, or undefined. */
export function timeOf(rfc3339: string | undefined | null): number | undefined {
  if (!rfc3339) return undefined;
  const t = Date.parse(rfc3339);
  return Number.isNaN(t) ? undefined : t;
}

export { nowRfc3339 } from '../api/time.js';

export function isNotFound(err: unknown): boolean {
  return (err as { code?: number })?.code === 404;
}

export function isConflict(err: unknown): boolean {
  return (err as { code?: number })?.code === 409;
}
