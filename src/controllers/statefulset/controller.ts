// The StatefulSet controller (upstream's pkg/controller/statefulset, defaultStatefulSetControl):
// pods `<set>-<ordinal>` (identity.ts) made from the update revision (or, below the RollingUpdate
// partition, from the current one). OrderedReady makes them one at a time, each Running and Ready
// before the next, and removes surplus pods highest ordinal first, one at a time; Parallel makes
// and removes them all at once. A deleted or failed pod comes back under the same name. A
// template change is rolled out highest ordinal first down to the partition, one pod at a time,
// each waiting for the previous to be Ready again; OnDelete replaces only pods the user deletes.
// History is kept in ControllerRevisions (status.currentRevision / updateRevision name them).
import type { ControllerRevision, StatefulSet, StatefulSetStatus } from '../../api/apps.js';
import { isEmptyLabelSelector, labelSelectorMatches } from '../../api/label-selector.js';
import { objectKey, resourcePath } from '../../api/paths.js';
import { semanticEqual } from '../../api/semantic-equal.js';
import type { Pod, PodTemplateSpec } from '../../api/types.js';
import { createWorkQueue } from '../../client/workqueue.js';
import { CONTROLLER_REVISIONS } from '../../kinds/controllerrevision/resource.js';
import { PODS } from '../../kinds/pod/resource.js';
import { STATEFUL_SETS } from '../../kinds/statefulset/resource.js';
import { createEventRecorder } from '../events.js';
import { ownedRevisions, revisionTemplate, syncRevisions, truncateHistory } from '../history/revisions.js';
import { controllerRefOf, isConflict, isNotFound, isPodReady, isTerminating } from '../pods.js';
import { isPodAvailable, ownerRefFor } from '../replica-controller.js';
import type { Controller, ControllerContext } from '../types.js';
import { newStatefulPod, ordinalOf, revisionOfPod, startOrdinal } from './identity.js';
import { claimsFor } from './claims.js';
import { PERSISTENT_VOLUME_CLAIMS } from '../../kinds/persistentvolumeclaim/resource.js';

const isHealthy = (p: Pod): boolean => !isTerminating(p) && p.status?.phase === 'Running' && isPodReady(p);
const isFailed = (p: Pod): boolean => p.status?.phase === 'Failed';

export function startStatefulSetController(ctx: ControllerContext): Controller {
  const { client, logger } = ctx;
  const log = logger.child({ controller: 'statefulset' });
  const events = createEventRecorder(client, 'statefulset-controller', log);
  const sets = ctx.informers.forResource<StatefulSet>(STATEFUL_SETS);
  const pods = ctx.informers.forResource<Pod>(PODS);
  const revisions = ctx.informers.forResource<ControllerRevision>(CONTROLLER_REVISIONS);

  /** createPersistentVolumeClaims: the pod's claims exist before it does. */
  async function createClaims(set: StatefulSet, pod: Pod): Promise<void> {
    for (const claim of claimsFor(set, ordinalOf(set, pod))) {
      try {
        await client.create(resourcePath(PERSISTENT_VOLUME_CLAIMS, set.metadata.namespace), claim);
        events.normal(set, 'SuccessfulCreate', `create Claim ${claim.metadata.name} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} success`);
        log.info({ namespace: set.metadata.namespace, name: set.metadata.name, claim: claim.metadata.name }, 'created claim');
      } catch (err) {
        if ((err as { code?: number }).code === 409) continue; // it exists: a pod that comes back reuses it
        events.warning(set, 'FailedCreate', `create Claim ${claim.metadata.name} for Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(err as Error).message}`);
        throw err;
      }
    }
  }

  async function createPod(set: StatefulSet, pod: Pod): Promise<void> {
    await createClaims(set, pod);
    try {
      await client.create<Pod>(resourcePath(PODS, set.metadata.namespace), pod);
      events.normal(set, 'SuccessfulCreate', `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
      log.info({ namespace: set.metadata.namespace, name: set.metadata.name, pod: pod.metadata.name }, 'created stateful pod');
    } catch (err) {
      if ((err as { code?: number }).code === 409) return; // our cache has not seen it yet
      events.warning(set, 'FailedCreate', `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(err as Error).message}`);
      throw err;
    }
  }

  async function deletePod(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await client.delete(resourcePath(PODS, pod.metadata.namespace, pod.metadata.name), { preconditions: { uid: pod.metadata.uid } });
      events.normal(set, 'SuccessfulDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
      log.info({ namespace: set.metadata.namespace, name: set.metadata.name, pod: pod.metadata.name }, 'deleted stateful pod');
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return;
      events.warning(set, 'FailedDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(err as Error).message}`);
      throw err;
    }
  }

  /** The set's pods: owned ones, and orphans that match and carry one of its names (adopted). */
  async function claimPods(set: StatefulSet): Promise<Pod[]> {
    const out: Pod[] = [];
    for (const p of pods.list()) {
      if (p.metadata.namespace !== set.metadata.namespace) continue;
      const ref = controllerRefOf(p);
      if (ref) {
        if (ref.uid === set.metadata.uid) out.push(p);
        continue;
      }
      if (set.metadata.deletionTimestamp || isTerminating(p) || ordinalOf(set, p) < 0 || !labelSelectorMatches(set.spec.selector, p.metadata.labels)) continue;
      try {
        out.push(
          await client.patch<Pod>(resourcePath(PODS, p.metadata.namespace, p.metadata.name), {
            metadata: {
              ownerReferences: [...(p.metadata.ownerReferences ?? []), ownerRefFor(set, STATEFUL_SETS)],
              resourceVersion: p.metadata.resourceVersion,
            },
          }),
        );
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
    return out;
  }

  async function sync(key: string): Promise<void> {
    await Promise.all([sets.synced(), pods.synced(), revisions.synced()]);
    const cached = sets.get(key);
    if (!cached) return;
    let set = structuredClone(cached);
    if (isEmptyLabelSelector(set.spec.selector)) return;
    const owned = ownedRevisions(revisions.list(), set);
    const synced = await syncRevisions(client, set, STATEFUL_SETS, owned);
    const update = synced.update;
    const current = synced.all.find((cr) => cr.metadata.name === set.status?.currentRevision) ?? update;
    if (synced.collisionCount !== (set.status?.collisionCount ?? 0)) {
      set = await client.update<StatefulSet>(resourcePath(STATEFUL_SETS, set.metadata.namespace, set.metadata.name, 'status'), { ...set, status: { ...set.status!, collisionCount: synced.collisionCount } });
    }
    const claimed = await claimPods(set);
    if (!set.metadata.deletionTimestamp) await reconcile(set, claimed, current, update);
    const inUse = new Set([current.metadata.name ?? '', update.metadata.name ?? '', ...claimed.map(revisionOfPod)]);
    await truncateHistory(client, set, synced.all, inUse);
    await writeStatus(set, claimed, current, update);
  }

  /** The template of `ordinal`: the current revision's below the partition, else the update's. */
  function templateFor(set: StatefulSet, ordinal: number, current: ControllerRevision, update: ControllerRevision): [PodTemplateSpec, string] {
    const strategy = set.spec.updateStrategy;
    const partition = strategy?.rollingUpdate?.partition ?? 0;
    if (strategy?.type !== 'OnDelete' && ordinal < startOrdinal(set) + partition && current !== update) return [revisionTemplate(current), current.metadata.name ?? ''];
    return [set.spec.template, update.metadata.name ?? ''];
  }

  async function reconcile(set: StatefulSet, claimed: Pod[], current: ControllerRevision, update: ControllerRevision): Promise<void> {
    const monotonic = set.spec.podManagementPolicy !== 'Parallel';
    const start = startOrdinal(set);
    const replicas = set.spec.replicas ?? 1;
    const slots: Array<Pod | undefined> = Array.from({ length: replicas }, () => undefined);
    const condemned: Pod[] = [];
    for (const p of claimed) {
      const ord = ordinalOf(set, p);
      if (ord >= start && ord < start + replicas) slots[ord - start] = p;
      else condemned.push(p);
    }
    condemned.sort((a, b) => ordinalOf(set, b) - ordinalOf(set, a));

    // create, replace failed pods, and (OrderedReady) wait for each to be Running and Ready
    for (let i = 0; i < replicas; i++) {
      const ord = start + i;
      let pod = slots[i];
      if (pod && isFailed(pod) && !isTerminating(pod)) {
        await deletePod(set, pod);
        if (monotonic) return;
        continue;
      }
      if (!pod) {
        const [template, revisionName] = templateFor(set, ord, current, update);
        pod = newStatefulPod(set, template, ord, revisionName);
        await createPod(set, pod);
        if (monotonic) return;
        continue;
      }
      if (monotonic && !isHealthy(pod)) return;
    }

    // scale down: highest ordinal first; OrderedReady one at a time, only when the rest are healthy
    for (const pod of condemned) {
      if (isTerminating(pod)) {
        if (monotonic) return;
        continue;
      }
      if (monotonic && slots.some((p) => !p || !isHealthy(p))) return;
      await deletePod(set, pod);
      if (monotonic) return;
    }
    if (condemned.length > 0 && monotonic) return;

    // RollingUpdate: highest ordinal first, down to the partition, one pod at a time
    if (set.spec.updateStrategy?.type === 'OnDelete') return;
    const partition = set.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
    for (let i = replicas - 1; i >= partition; i--) {
      const pod = slots[i];
      if (!pod) return;
      if (revisionOfPod(pod) !== update.metadata.name && !isTerminating(pod)) {
        await deletePod(set, pod);
        return;
      }
      if (!isHealthy(pod)) return;
    }
  }

  async function writeStatus(set: StatefulSet, claimed: Pod[], current: ControllerRevision, update: ControllerRevision): Promise<void> {
    const minReady = set.spec.minReadySeconds ?? 0;
    const now = Date.now();
    const live = claimed.filter((p) => !isFailed(p));
    const status: StatefulSetStatus = {
      observedGeneration: set.metadata.generation ?? 0,
      replicas: live.length,
      readyReplicas: live.filter((p) => isPodReady(p) && !isTerminating(p)).length,
      currentReplicas: live.filter((p) => revisionOfPod(p) === current.metadata.name).length,
      updatedReplicas: live.filter((p) => revisionOfPod(p) === update.metadata.name).length,
      currentRevision: current.metadata.name ?? '',
      updateRevision: update.metadata.name ?? '',
      collisionCount: set.status?.collisionCount ?? 0,
      availableReplicas: live.filter((p) => !isTerminating(p) && isPodAvailable(p, minReady, now)).length,
    };
    // completeRollingUpdate: every pod at the update revision and ready
    if (set.spec.updateStrategy?.type !== 'OnDelete' && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas && status.replicas === (set.spec.replicas ?? 1)) {
      status.currentRevision = status.updateRevision;
      status.currentReplicas = status.updatedReplicas;
    }
    if (set.spec.updateStrategy?.type === 'OnDelete' && status.updatedReplicas === status.replicas) {
      status.currentRevision = status.updateRevision;
      status.currentReplicas = status.updatedReplicas;
    }
    for (const f of ['readyReplicas', 'currentReplicas', 'updatedReplicas'] as const) if (!status[f]) delete status[f];
    if (set.status?.conditions) status.conditions = set.status.conditions;
    if (!semanticEqual(set.status ?? {}, status)) {
      await client.update<StatefulSet>(resourcePath(STATEFUL_SETS, set.metadata.namespace, set.metadata.name, 'status'), { ...set, status });
    }
    if (minReady > 0 && status.availableReplicas !== (status.readyReplicas ?? 0)) queue.addAfter(objectKey(set.metadata), minReady * 1000);
  }

  const queue = createWorkQueue('statefulset', sync, { logger: log });
  const enqueue = (s: StatefulSet): void => queue.add(objectKey(s.metadata));
  const ownerOf = (pod: Pod): StatefulSet | undefined => {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== 'StatefulSet') return undefined;
    const s = sets.get(`${pod.metadata.namespace}/${ref.name}`);
    return s && s.metadata.uid === ref.uid ? s : undefined;
  };
  const onPod = (pod: Pod): void => {
    const owner = ownerOf(pod);
    if (owner) enqueue(owner);
    else if (!controllerRefOf(pod)) sets.list().filter((s) => s.metadata.namespace === pod.metadata.namespace && labelSelectorMatches(s.spec.selector, pod.metadata.labels)).forEach(enqueue);
  };
  sets.addHandlers({ add: enqueue, update: (_o, s) => enqueue(s) });
  pods.addHandlers({ add: onPod, update: (_o, p) => onPod(p), delete: onPod });
  revisions.addHandlers({});
  return { name: 'statefulset', stop: () => queue.stop() };
}
