// A Deployment's ReplicaSets as revisions (upstream's deployment/util): which one is the new one
// (its template is the Deployment's, the hash label aside), the revision numbers kept in
// annotations, and the annotations a new ReplicaSet takes from its Deployment.
import type { Deployment, ReplicaSet } from '../../api/apps.js';
import { semanticEqual } from '../../api/semantic-equal.js';
import type { PodTemplateSpec } from '../../api/types.js';
import { byCreation, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, maxSurge, replicasOf } from './rollout-math.js';

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** Upstream keeps at most this many characters of revision history on a ReplicaSet. */
const MAX_REVISION_HISTORY_CHARS = 2000;

/** Annotations a Deployment does not hand to its ReplicaSets (annotationsToSkip). */
const NOT_COPIED = new Set([LAST_APPLIED_ANNOTATION, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, 'deprecated.deployment.rollback.to']);

export function revisionOf(obj: { metadata: { annotations?: Record<string, string> } }): number {
  const v = obj.metadata.annotations?.[REVISION_ANNOTATION];
  return v && /^\d+$/.test(v) ? Number(v) : 0;
}

export function maxRevision(rss: ReplicaSet[]): number {
  return rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

function withoutHash(t: PodTemplateSpec | undefined): PodTemplateSpec | undefined {
  if (!t) return t;
  const copy = structuredClone(t);
  if (copy.metadata?.labels) delete copy.metadata.labels[POD_TEMPLATE_HASH_LABEL];
  return copy;
}

/** EqualIgnoreHash: the same pod template, the pod-template-hash label aside. */
export function sameTemplate(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return semanticEqual(withoutHash(a), withoutHash(b));
}

/** FindNewReplicaSet: the oldest ReplicaSet whose template is the Deployment's. */
export function findNewReplicaSet(d: Deployment, rss: ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(byCreation).find((rs) => sameTemplate(rs.spec.template, d.spec.template));
}

/** SetReplicasAnnotations: desired-replicas and max-replicas; true when they changed. */
export function setReplicasAnnotations(rs: ReplicaSet, d: Deployment): boolean {
  const a = (rs.metadata.annotations ??= {});
  const desired = String(replicasOf(d));
  const max = String(replicasOf(d) + maxSurge(d));
  const changed = a[DESIRED_REPLICAS_ANNOTATION] !== desired || a[MAX_REPLICAS_ANNOTATION] !== max;
  a[DESIRED_REPLICAS_ANNOTATION] = desired;
  a[MAX_REPLICAS_ANNOTATION] = max;
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, d: Deployment): boolean {
  const a = rs.metadata.annotations ?? {};
  return a[DESIRED_REPLICAS_ANNOTATION] !== String(replicasOf(d)) || a[MAX_REPLICAS_ANNOTATION] !== String(replicasOf(d) + maxSurge(d));
}

/**
 * SetNewReplicaSetAnnotations: the Deployment's annotations (but those it keeps to itself), the
 * revision raised to `revision` (keeping the old one in the revision history: a rollback), and,
 * for a ReplicaSet about to be created, the replicas annotations. True when anything changed.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, revision: number, exists: boolean): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (NOT_COPIED.has(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  const old = a[REVISION_ANNOTATION];
  const oldNumber = old === undefined || old === '' ? 0 : /^\d+$/.test(old) ? Number(old) : NaN;
  if (Number.isNaN(oldNumber)) return changed;
  if (oldNumber < revision) {
    a[REVISION_ANNOTATION] = String(revision);
    changed = true;
    if (old !== undefined) {
      const history = a[REVISION_HISTORY_ANNOTATION];
      const list = history ? [...history.split(','), old] : [old];
      while (list.join(',').length > MAX_REVISION_HISTORY_CHARS && list.length > 1) list.shift();
      if (list.join(',').length <= MAX_REVISION_HISTORY_CHARS) a[REVISION_HISTORY_ANNOTATION] = list.join(',');
    }
  }
  if (!exists && setReplicasAnnotations(rs, d)) changed = true;
  return changed;
}

/** ReplicaSetsByRevision: oldest revision first, creation time on a tie. */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  const ra = revisionOf(a);
  const rb = revisionOf(b);
  return ra === rb ? byCreation(a, b) : ra - rb;
}
