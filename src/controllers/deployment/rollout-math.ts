// The arithmetic of a rollout (upstream's deployment/util): how far above and below the desired
// replicas a rolling update may go, how big the new ReplicaSet may grow, how many old pods may go,
// and how a scaling event is shared among the ReplicaSets of a rollout in progress.
import type { Deployment, ReplicaSet } from '../../api/apps.js';
import { scaledValue } from '../../admission/int-or-percent.js';

export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';

export const replicasOf = (d: Deployment): number => d.spec.replicas ?? 1;
export const rsReplicas = (rs: ReplicaSet | undefined): number => rs?.spec.replicas ?? 0;
export const isRollingUpdate = (d: Deployment): boolean => (d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

/** ResolveFenceposts: maxSurge rounded up, maxUnavailable rounded down; both 0 means 1 unavailable. */
export function resolveFenceposts(d: Deployment): { surge: number; unavailable: number } {
  const desired = replicasOf(d);
  const ru = d.spec.strategy?.rollingUpdate;
  const surge = scaledValue(ru?.maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(ru?.maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? resolveFenceposts(d).surge : 0;
}

export function maxUnavailable(d: Deployment): number {
  const desired = replicasOf(d);
  if (!isRollingUpdate(d) || desired === 0) return 0;
  return Math.min(resolveFenceposts(d).unavailable, desired);
}

export const specSum = (rss: Array<ReplicaSet | undefined>): number => rss.reduce((n, rs) => n + rsReplicas(rs), 0);
export const actualSum = (rss: Array<ReplicaSet | undefined>): number => rss.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
export const readySum = (rss: Array<ReplicaSet | undefined>): number => rss.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
export const availableSum = (rss: Array<ReplicaSet | undefined>): number => rss.reduce((n, rs) => n + (rs?.status?.availableReplicas ?? 0), 0);

/** NewRSNewReplicas: the new ReplicaSet's size this step, within desired + maxSurge in all. */
export function newRSNewReplicas(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet): number {
  if (!isRollingUpdate(d)) return replicasOf(d);
  const desired = replicasOf(d);
  const maxTotal = desired + scaledValue(d.spec.strategy?.rollingUpdate?.maxSurge ?? 0, desired, true);
  const current = specSum(all);
  if (current >= maxTotal) return rsReplicas(newRS);
  const up = Math.min(maxTotal - current, desired - rsReplicas(newRS));
  return rsReplicas(newRS) + up;
}

function annotationInt(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata.annotations?.[key];
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
}

export const desiredReplicasAnnotation = (rs: ReplicaSet): number | undefined => annotationInt(rs, DESIRED_REPLICAS_ANNOTATION);

/** IsSaturated: the new ReplicaSet holds, and believes it holds, all the desired pods, all available. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = replicasOf(d);
  return rsReplicas(rs) === desired && desiredReplicasAnnotation(rs) === desired && (rs.status?.availableReplicas ?? 0) === desired;
}

/** getReplicaSetFraction: how much a ReplicaSet grows or shrinks in a proportional scale. */
function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (replicasOf(d) === 0) return -rsReplicas(rs);
  const deploymentReplicas = replicasOf(d) + maxSurge(d);
  const annotated = annotationInt(rs, MAX_REPLICAS_ANNOTATION) ?? d.status?.replicas ?? 0;
  if (annotated === 0) return 0;
  // Go's integer.RoundToInt32 rounds half away from zero
  const exact = (rsReplicas(rs) * deploymentReplicas) / annotated;
  return Math.sign(exact) * Math.round(Math.abs(exact)) - rsReplicas(rs);
}

/** GetProportion: a ReplicaSet's share of `toAdd`, never past what is left of it. */
export function proportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (rsReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

const createdAt = (rs: ReplicaSet): number => Date.parse(rs.metadata.creationTimestamp ?? '') || 0;

/** ReplicaSetsByCreationTimestamp: oldest first, name as the tie-breaker. */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  return createdAt(a) - createdAt(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** ReplicaSetsBySizeNewer (scaling up: largest first, newer first on a tie). */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  return rsReplicas(b) - rsReplicas(a) || createdAt(b) - createdAt(a) || (b.metadata.name ?? '').localeCompare(a.metadata.name ?? '');
}

/** ReplicaSetsBySizeOlder (scaling down: largest first, older first on a tie). */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  return rsReplicas(b) - rsReplicas(a) || byCreation(a, b);
}

/**
 * The new sizes of a proportional scale (upstream's scale(), rolling updates with several active
 * ReplicaSets): what desired + maxSurge allows beyond the active total, shared by size.
 */
export function proportionalSizes(d: Deployment, active: ReplicaSet[]): Map<string, number> {
  const total = specSum(active);
  const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
  const toAdd = allowed - total;
  const sorted = [...active].sort(toAdd > 0 ? bySizeNewer : bySizeOlder);
  const sizes = new Map<string, number>();
  let added = 0;
  for (const rs of sorted) {
    if (toAdd !== 0) {
      const p = proportion(rs, d, toAdd, added);
      sizes.set(rs.metadata.name ?? '', rsReplicas(rs) + p);
      added += p;
    } else {
      sizes.set(rs.metadata.name ?? '', rsReplicas(rs));
    }
  }
  const first = sorted[0];
  if (first && toAdd !== 0) {
    const name = first.metadata.name ?? '';
    sizes.set(name, Math.max(0, (sizes.get(name) ?? 0) + toAdd - added));
  }
  return sizes;
}
