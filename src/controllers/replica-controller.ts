// The controller that keeps N pods of a template (upstream's ReplicaSetController, which also
// runs ReplicationControllers): keeps `spec.replicas` active pods matching the selector and
// owned by the owner. Terminating and finished pods do not count, so a deleted pod is replaced
// while it still terminates. Matching orphans are adopted, owned pods that no longer match are
// released, new pods are named `<owner>-<5 chars>` (generateName) and carry a controller
// ownerReference, and scale-down removes the least useful pods first (active-pods.ts).
// Expectations keep a burst of watch events from creating or deleting twice. Status reports
// replicas, fullyLabeledReplicas, readyReplicas, availableReplicas and observedGeneration.
// replication.ts and replicaset.ts say which kind and how it selects.
import { objectKey, resourcePath } from '../api/paths.js';
import type { ResourceInfo } from '../api/resources.js';
import { semanticEqual } from '../api/semantic-equal.js';
import type { KubeObject, OwnerReference, Pod, PodTemplateSpec } from '../api/types.js';
import { createWorkQueue } from '../client/workqueue.js';
import { podsToDelete } from './active-pods.js';
import { createEventRecorder } from './events.js';
import { createExpectations } from './expectations.js';
import { controllerRefOf, isConflict, isNotFound, isPodActive, isPodReady, nowRfc3339, podCondition, timeOf } from './pods.js';
import type { Controller, ControllerContext } from './types.js';
import { createWrittenObjects } from './written-objects.js';
import { PODS } from '../kinds/pod/resource.js';


/** Upstream's burstReplicas: at most this many creations or deletions per sync. */
const BURST_REPLICAS = 500;

/** What the controller needs of an owner: replicas, a template, minReadySeconds, a replica status. */
export interface ReplicaOwner extends KubeObject {
  spec: { replicas?: number; minReadySeconds?: number; template?: PodTemplateSpec };
  status?: ReplicaOwnerStatus;
}

export interface ReplicaOwnerStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: unknown[];
}

/** The kind a replica controller runs for: RCs (map selectors) or ReplicaSets (label selectors). */
export interface ReplicaOwnerKind<T extends ReplicaOwner> {
  resource: ResourceInfo;
  /** The controller's name in logs and its work queue. */
  name: string;
  /** The component its events are reported by. */
  component: string;
  selects(owner: T, pod: Pod): boolean;
}

interface ReplicaFailureCondition {
  type: 'ReplicaFailure';
  status: 'True' | 'False';
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export function ownerRefFor(owner: KubeObject, resource: ResourceInfo): OwnerReference {
  return {
    apiVersion: resource.group ? `${resource.group}/${resource.version}` : resource.version,
    kind: resource.kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** A new pod from the owner's template (upstream's GetPodFromTemplate). */
export function podFromTemplate(rc: ReplicaOwner, resource: ResourceInfo): Pod {
  const t = rc.spec.template;
  const meta = t?.metadata ?? {};
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${rc.metadata.name}-`,
      namespace: rc.metadata.namespace,
      ownerReferences: [ownerRefFor(rc, resource)],
    },
    spec: structuredClone(t?.spec ?? { containers: [] }),
  };
  if (meta.labels) pod.metadata.labels = { ...meta.labels };
  if (meta.annotations) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers) pod.metadata.finalizers = [...meta.finalizers];
  return pod;
}

/** Ready for at least minReadySeconds (upstream's IsPodAvailable). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now = Date.now()): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const since = timeOf(podCondition(pod, 'Ready')?.lastTransitionTime);
  return since !== undefined && since + minReadySeconds * 1000 <= now;
}

/** Upstream's calculateStatus, with its omitempty fields left out when zero. */
export function replicaStatus(
  rc: ReplicaOwner,
  pods: Pod[],
  failure: { message: string } | undefined,
  now = Date.now(),
): ReplicaOwnerStatus {
  const templateLabels = rc.spec.template?.metadata?.labels ?? {};
  const minReady = rc.spec.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const p of pods) {
    if (Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v)) fullyLabeled++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, now)) available++;
    }
  }
  const status: ReplicaOwnerStatus = { replicas: pods.length };
  if (fullyLabeled) status.fullyLabeledReplicas = fullyLabeled;
  if (ready) status.readyReplicas = ready;
  if (available) status.availableReplicas = available;
  if (rc.metadata.generation) status.observedGeneration = rc.metadata.generation;
  const previous = (rc.status?.conditions ?? []) as ReplicaFailureCondition[];
  const others = previous.filter((c) => c.type !== 'ReplicaFailure');
  const existing = previous.find((c) => c.type === 'ReplicaFailure');
  const conditions: unknown[] = [...others];
  if (failure) {
    conditions.push(
      existing && existing.message === failure.message
        ? existing
        : { type: 'ReplicaFailure', status: 'True', lastTransitionTime: nowRfc3339(), reason: 'FailedCreate', message: failure.message },
    );
  }
  if (conditions.length) status.conditions = conditions;
  return status;
}

function forbiddenByTerminatingNamespace(err: unknown): boolean {
  return (err as { code?: number }).code === 403 && /because it is being terminated/.test((err as Error).message);
}

export function startReplicaController<T extends ReplicaOwner>(ctx: ControllerContext, kind: ReplicaOwnerKind<T>): Controller {
  const { client, logger } = ctx;
  const RCS = kind.resource;
  const log = logger.child({ controller: kind.name });
  const events = createEventRecorder(client, kind.component, log);
  const pods = ctx.informers.forResource<Pod>(PODS);
  const rcs = ctx.informers.forResource<T>(RCS);
  const expectations = createExpectations();
  /** Our own status writes, until the cache shows them (so the next sync does not lose a compare-and-swap). */
  const written = createWrittenObjects<T>();

  const rcKeyOf = (ns: string | undefined, name: string): string => objectKey({ namespace: ns, name });

  /** The RC a pod's controller reference points at, when it exists (same uid). */
  function ownerOf(pod: Pod): T | undefined {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== RCS.kind) return undefined;
    const rc = rcs.get(rcKeyOf(pod.metadata.namespace, ref.name));
    return rc && rc.metadata.uid === ref.uid ? rc : undefined;
  }

  function rcsSelecting(pod: Pod): T[] {
    return rcs.list().filter((rc) => rc.metadata.namespace === pod.metadata.namespace && kind.selects(rc, pod));
  }

  async function patchOwnerRefs(pod: Pod, refs: OwnerReference[]): Promise<void> {
    await client.patch(resourcePath(PODS, pod.metadata.namespace, pod.metadata.name), {
      metadata: { ownerReferences: refs.length ? refs : null, resourceVersion: pod.metadata.resourceVersion },
    });
  }

  /** Upstream's claimPods: keep owned matching pods, adopt matching orphans, release owned pods that stopped matching. */
  async function claimPods(rc: T, candidates: Pod[]): Promise<Pod[]> {
    const selects = (pod: Pod): boolean => kind.selects(rc, pod);
    const claimed: Pod[] = [];
    let adoptionChecked: boolean | undefined;
    for (const pod of candidates) {
      const ref = controllerRefOf(pod);
      if (ref) {
        if (ref.uid !== rc.metadata.uid) continue;
        if (selects(pod)) {
          claimed.push(pod);
          continue;
        }
        if (rc.metadata.deletionTimestamp) continue;
        try {
          await patchOwnerRefs(pod, (pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== rc.metadata.uid));
          log.info({ namespace: rc.metadata.namespace, name: rc.metadata.name, pod: pod.metadata.name }, 'released pod that no longer matches');
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
        continue;
      }
      if (rc.metadata.deletionTimestamp || !selects(pod) || pod.metadata.deletionTimestamp) continue;
      // Adopt only if the RC is really there, as this cache says (upstream's RecheckDeletionTimestamp).
      if (adoptionChecked === undefined) {
        try {
          const fresh = await client.get<T>(resourcePath(RCS, rc.metadata.namespace, rc.metadata.name));
          adoptionChecked = fresh.metadata.uid === rc.metadata.uid && !fresh.metadata.deletionTimestamp;
        } catch (err) {
          if (!isNotFound(err)) throw err;
          adoptionChecked = false;
        }
      }
      if (!adoptionChecked) continue;
      try {
        await patchOwnerRefs(pod, [...(pod.metadata.ownerReferences ?? []), ownerRefFor(rc, RCS)]);
        log.info({ namespace: rc.metadata.namespace, name: rc.metadata.name, pod: pod.metadata.name }, 'adopted pod');
        claimed.push(pod);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return claimed;
  }

  /** Creates `n` pods in batches of 1, 2, 4, ... stopping at the first failure (upstream's slowStartBatch). */
  async function createPods(rc: T, key: string, n: number): Promise<{ message: string } | undefined> {
    expectations.expectCreations(key, n);
    let remaining = n;
    let batch = 1;
    let failure: { message: string } | undefined;
    while (remaining > 0 && !failure) {
      const size = Math.min(batch, remaining);
      const results = await Promise.allSettled(
        Array.from({ length: size }, () => client.create<Pod>(resourcePath(PODS, rc.metadata.namespace), podFromTemplate(rc, RCS))),
      );
      for (const r of results) {
        if (r.status === 'fulfilled') {
          events.normal(rc, 'SuccessfulCreate', `Created pod: ${r.value.metadata.name}`);
          continue;
        }
        expectations.lowerCreations(key, 1);
        if (forbiddenByTerminatingNamespace(r.reason)) continue;
        const message = (r.reason as Error).message;
        failure = { message };
        events.warning(rc, 'FailedCreate', `Error creating: ${message}`);
      }
      remaining -= size;
      batch *= 2;
    }
    // Creations never attempted will never be observed.
    if (remaining > 0) expectations.lowerCreations(key, remaining);
    return failure;
  }

  async function deletePods(rc: T, key: string, victims: Pod[]): Promise<void> {
    const keys = victims.map((p) => objectKey(p.metadata));
    expectations.expectDeletions(key, keys);
    const results = await Promise.allSettled(
      victims.map((p) => client.delete(resourcePath(PODS, p.metadata.namespace, p.metadata.name), { preconditions: { uid: p.metadata.uid } })),
    );
    let firstError: unknown;
    results.forEach((r, i) => {
      const pod = victims[i]!;
      if (r.status === 'fulfilled') {
        events.normal(rc, 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
        return;
      }
      expectations.deletionObserved(key, keys[i]!);
      if (isNotFound(r.reason)) return;
      events.warning(rc, 'FailedDelete', `Error deleting: ${(r.reason as Error).message}`);
      firstError ??= r.reason;
    });
    if (firstError) throw firstError;
  }

  async function writeStatus(rc: T, status: ReplicaOwnerStatus): Promise<void> {
    if (semanticEqual(rc.status ?? {}, status)) return;
    const path = resourcePath(RCS, rc.metadata.namespace, rc.metadata.name, 'status');
    try {
      written.wrote(await client.update<T>(path, { ...rc, status }));
    } catch (err) {
      if (isNotFound(err)) return;
      if (!isConflict(err)) throw err;
      // Changed under us: once more against the live object.
      const fresh = await client.get<T>(resourcePath(RCS, rc.metadata.namespace, rc.metadata.name));
      if (fresh.metadata.uid !== rc.metadata.uid || semanticEqual(fresh.status ?? {}, status)) return;
      written.wrote(await client.update<T>(path, { ...fresh, status }));
    }
  }

  const queue = createWorkQueue(
    kind.name,
    async (key) => {
      await Promise.all([pods.synced(), rcs.synced()]);
      // The cache decides whether the RC exists; our last status write may be newer than its copy.
      const cached = rcs.get(key);
      const rc = cached && written.get(key, cached);
      if (!rc) {
        expectations.forget(key);
        return;
      }
      const ns = rc.metadata.namespace;
      const active = pods.list().filter((p) => p.metadata.namespace === ns && isPodActive(p));
      const needsSync = expectations.satisfied(key);
      const owned = await claimPods(rc, active);

      let failure: { message: string } | undefined;
      if (needsSync && !rc.metadata.deletionTimestamp) {
        const want = Math.max(0, rc.spec.replicas ?? 1);
        const diff = owned.length - want;
        if (diff < 0) {
          const n = Math.min(-diff, BURST_REPLICAS);
          log.info({ namespace: ns, name: rc.metadata.name, want, have: owned.length, creating: n }, 'too few replicas');
          failure = await createPods(rc, key, n);
        } else if (diff > 0) {
          const victims = podsToDelete(owned, Math.min(diff, BURST_REPLICAS));
          log.info({ namespace: ns, name: rc.metadata.name, want, have: owned.length, deleting: victims.map((p) => p.metadata.name) }, 'too many replicas');
          await deletePods(rc, key, victims);
        }
      }

      const status = replicaStatus(rc, owned, failure);
      await writeStatus(rc, status);
      // Ready pods become available once minReadySeconds have passed: look again then.
      const minReady = rc.spec.minReadySeconds ?? 0;
      if (minReady > 0 && (status.readyReplicas ?? 0) !== (status.availableReplicas ?? 0)) queue.addAfter(key, minReady * 1000 + 100);
      if (failure) throw new Error(failure.message);
    },
    { logger: log },
  );

  const enqueueRc = (rc: T): void => queue.add(objectKey(rc.metadata));

  pods.addHandlers({
    add(pod) {
      const podKey = objectKey(pod.metadata);
      const owner = ownerOf(pod);
      if (pod.metadata.deletionTimestamp) {
        if (owner) {
          expectations.deletionObserved(objectKey(owner.metadata), podKey);
          enqueueRc(owner);
        }
        return;
      }
      if (owner) {
        expectations.creationObserved(objectKey(owner.metadata));
        enqueueRc(owner);
        return;
      }
      if (!controllerRefOf(pod)) rcsSelecting(pod).forEach(enqueueRc);
    },
    update(old, pod) {
      if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
      const podKey = objectKey(pod.metadata);
      const owner = ownerOf(pod);
      if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp && owner) {
        expectations.deletionObserved(objectKey(owner.metadata), podKey);
      }
      const oldOwner = ownerOf(old);
      if (oldOwner && oldOwner.metadata.uid !== owner?.metadata.uid) enqueueRc(oldOwner);
      if (owner) {
        enqueueRc(owner);
        const minReady = owner.spec.minReadySeconds ?? 0;
        if (minReady > 0 && !isPodReady(old) && isPodReady(pod)) queue.addAfter(objectKey(owner.metadata), minReady * 1000 + 100);
        return;
      }
      if (!controllerRefOf(pod) && JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(pod.metadata.labels ?? {})) {
        rcsSelecting(pod).forEach(enqueueRc);
      } else if (!controllerRefOf(pod) && controllerRefOf(old)) {
        rcsSelecting(pod).forEach(enqueueRc);
      }
    },
    delete(pod) {
      const owner = ownerOf(pod);
      if (!owner) return;
      expectations.deletionObserved(objectKey(owner.metadata), objectKey(pod.metadata));
      enqueueRc(owner);
    },
  });
  rcs.addHandlers({
    add: enqueueRc,
    update: (_old, rc) => enqueueRc(rc),
    delete: (rc) => {
      expectations.forget(objectKey(rc.metadata));
      written.observedDeletion(rc);
    },
  });

  return { name: kind.name, stop: () => queue.stop() };
}
