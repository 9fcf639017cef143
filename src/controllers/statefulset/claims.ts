// A StatefulSet's volumeClaimTemplates (upstream's stateful_set_utils.go updateStorage /
// getPersistentVolumeClaims and createPersistentVolumeClaims): the pod of ordinal N mounts, for
// each template T, the claim `T-<set>-N`, created before the pod when missing (labelled with the
// template's labels and the set's matchLabels) and reused when the pod comes back. With
// persistentVolumeClaimRetentionPolicy.whenDeleted=Delete the claims are owned by the set, so the
// garbage collector removes them with it; Retain (the default) leaves them.
import type { StatefulSet } from '../../api/apps.js';
import type { Pod } from '../../api/types.js';
import type { PersistentVolumeClaim } from '../../kinds/persistentvolume/types.js';
import { STATEFUL_SETS } from '../../kinds/statefulset/resource.js';

export function claimTemplates(set: StatefulSet): PersistentVolumeClaim[] {
  return (set.spec.volumeClaimTemplates ?? []) as PersistentVolumeClaim[];
}

export function claimName(set: StatefulSet, template: PersistentVolumeClaim, ordinal: number): string {
  return `${template.metadata?.name ?? ''}-${set.metadata.name}-${ordinal}`;
}

/** The claims of ordinal N, as they are created when missing. */
export function claimsFor(set: StatefulSet, ordinal: number): PersistentVolumeClaim[] {
  const owned = set.spec.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete';
  return claimTemplates(set).map((t) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: claimName(set, t, ordinal),
      namespace: set.metadata.namespace,
      labels: { ...(t.metadata?.labels ?? {}), ...(set.spec.selector?.matchLabels ?? {}) },
      ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
      ...(owned
        ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: STATEFUL_SETS.kind, name: set.metadata.name ?? '', uid: set.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }] }
        : {}),
    },
    spec: structuredClone(t.spec ?? {}),
  }));
}

/** updateStorage: the pod's volume of each template names the ordinal's claim. */
export function mountClaims(set: StatefulSet, pod: Pod, ordinal: number): void {
  const templates = claimTemplates(set);
  if (templates.length === 0) return;
  const names = new Set(templates.map((t) => t.metadata?.name));
  const volumes = (pod.spec.volumes ?? []).filter((v) => !names.has(v.name));
  for (const t of templates) volumes.push({ name: t.metadata?.name ?? '', persistentVolumeClaim: { claimName: claimName(set, t, ordinal) } } as (typeof volumes)[number]);
  pod.spec.volumes = volumes;
}
