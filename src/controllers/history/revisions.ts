// A workload's history as upstream's pkg/controller/history keeps it for DaemonSets and
// StatefulSets: ControllerRevisions named `<owner>-<hash>`, labelled like the template, owned by
// the workload, whose data is the strategic-merge patch that puts the template back
// (`{"spec":{"template":{..., "$patch":"replace"}}}`, which `kubectl rollout undo` applies) and
// whose revision numbers grow by one with each new template. Returning to an old template bumps
// that revision's number rather than writing a twin; revisions beyond revisionHistoryLimit that no
// live pod uses are deleted, oldest first.
import type { ControllerRevision } from '../../api/apps.js';
import { resourcePath } from '../../api/paths.js';
import { semanticEqual } from '../../api/semantic-equal.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { KubeObject, PodTemplateSpec } from '../../api/types.js';
import type { ApiClient } from '../../client/client.js';
import { CONTROLLER_REVISIONS } from '../../kinds/controllerrevision/resource.js';
import { computeHash } from '../deployment/hash.js';
import { controllerRefOf, isNotFound } from '../pods.js';
import { ownerRefFor } from '../replica-controller.js';

/** The label carrying a pod's (and a revision's) revision hash (apps.ControllerRevisionHashLabelKey). */
export const REVISION_HASH_LABEL = 'controller-revision-hash';

export interface Workload extends KubeObject {
  spec: { template: PodTemplateSpec; revisionHistoryLimit?: number };
  status?: { collisionCount?: number };
}

export function revisionPatch(w: Workload): { spec: { template: Record<string, unknown> } } {
  return { spec: { template: { ...(structuredClone(w.spec.template) as unknown as Record<string, unknown>), $patch: 'replace' } } };
}

/** The template a revision holds. */
export function revisionTemplate(cr: ControllerRevision): PodTemplateSpec {
  const t = structuredClone((cr.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec?.template ?? {});
  delete t.$patch;
  return t as unknown as PodTemplateSpec;
}

/** The revisions a workload controls, lowest revision first. */
export function ownedRevisions(all: ControllerRevision[], w: KubeObject): ControllerRevision[] {
  return all
    .filter((cr) => cr.metadata.namespace === w.metadata.namespace && controllerRefOf(cr)?.uid === w.metadata.uid)
    .sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
}

export interface SyncedRevisions {
  /** The revision of the current template. */
  update: ControllerRevision;
  /** Every owned revision after the sync, lowest first. */
  all: ControllerRevision[];
  /** The hash in update's name (DaemonSet pods carry it; StatefulSet pods carry the name). */
  hash: string;
}

/**
 * constructHistory / getStatefulSetRevisions: finds or writes the revision of the workload's
 * current template. A hash collision with another template bumps status.collisionCount, which the
 * caller persists (returned as `collisionCount`).
 */
export async function syncRevisions(client: ApiClient, w: Workload, resource: ResourceInfo, owned: ControllerRevision[]): Promise<SyncedRevisions & { collisionCount: number }> {
  const ns = w.metadata.namespace;
  const data = revisionPatch(w);
  const max = owned.reduce((m, cr) => Math.max(m, cr.revision ?? 0), 0);
  let collisionCount = w.status?.collisionCount ?? 0;
  const equal = owned.filter((cr) => semanticEqual(cr.data, data));
  if (equal.length > 0) {
    let update = equal.at(-1)!;
    if ((update.revision ?? 0) < max) {
      update = await client.update<ControllerRevision>(resourcePath(CONTROLLER_REVISIONS, ns, update.metadata.name), { ...update, revision: max + 1 });
    }
    const all = owned.map((cr) => (cr.metadata.uid === update.metadata.uid ? update : cr)).sort((a, b) => a.revision - b.revision);
    return { update, all, hash: update.metadata.labels?.[REVISION_HASH_LABEL] ?? '', collisionCount };
  }
  for (;;) {
    const hash = computeHash(data, collisionCount || undefined);
    const cr: ControllerRevision = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name: `${(w.metadata.name ?? '').slice(0, 223)}-${hash}`,
        namespace: ns,
        labels: { ...(w.spec.template.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash },
        ownerReferences: [ownerRefFor(w, resource)],
      },
      data,
      revision: max + 1,
    };
    try {
      const update = await client.create<ControllerRevision>(resourcePath(CONTROLLER_REVISIONS, ns), cr);
      return { update, all: [...owned, update], hash, collisionCount };
    } catch (err) {
      if ((err as { code?: number }).code !== 409) throw err;
      const there = await client.get<ControllerRevision>(resourcePath(CONTROLLER_REVISIONS, ns, cr.metadata.name));
      if (controllerRefOf(there)?.uid === w.metadata.uid && semanticEqual(there.data, data)) {
        const update = there.revision < max + 1 ? await client.update<ControllerRevision>(resourcePath(CONTROLLER_REVISIONS, ns, there.metadata.name), { ...there, revision: max + 1 }) : there;
        return { update, all: [...owned.filter((o) => o.metadata.uid !== update.metadata.uid), update], hash, collisionCount };
      }
      collisionCount++;
    }
  }
}

/** truncateHistory: drops the oldest revisions beyond the limit that no live pod and neither `keep` uses. */
export async function truncateHistory(client: ApiClient, w: Workload, all: ControllerRevision[], inUse: Set<string>): Promise<void> {
  const limit = w.spec.revisionHistoryLimit ?? 10;
  const candidates = all.filter((cr) => !inUse.has(cr.metadata.name ?? ''));
  const extra = candidates.length - limit;
  for (let i = 0; i < extra; i++) {
    await client.delete(resourcePath(CONTROLLER_REVISIONS, w.metadata.namespace, candidates[i]!.metadata.name), {}).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  }
}
