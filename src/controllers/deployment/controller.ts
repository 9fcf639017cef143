// The Deployment controller (upstream's pkg/controller/deployment): rolls a pod template out
// through ReplicaSets named `<deployment>-<pod-template-hash>`. A template change makes a new
// ReplicaSet and moves pods to it — RollingUpdate within maxSurge / maxUnavailable, Recreate all
// at once once the old pods are gone; a replicas change alone scales the ReplicaSets in
// proportion; a paused Deployment only scales. Revisions live in the ReplicaSets' annotations
// (kubectl rollout history/undo read and write them client-side), old ReplicaSets beyond
// revisionHistoryLimit are deleted, and the status carries the counts and the Available and
// Progressing conditions (ProgressDeadlineExceeded past progressDeadlineSeconds).
import type { Deployment, DeploymentStatus, ReplicaSet } from '../../api/apps.js';
import { isEmptyLabelSelector, labelSelectorMatches } from '../../api/label-selector.js';
import { objectKey, resourcePath } from '../../api/paths.js';
import { semanticEqual } from '../../api/semantic-equal.js';
import type { OwnerReference, Pod } from '../../api/types.js';
import { createWorkQueue } from '../../client/workqueue.js';
import { DEPLOYMENTS } from '../../kinds/deployment/resource.js';
import { PODS } from '../../kinds/pod/resource.js';
import { REPLICA_SETS } from '../../kinds/replicaset/resource.js';
import { createEventRecorder } from '../events.js';
import { controllerRefOf, isConflict, isNotFound } from '../pods.js';
import type { Controller, ControllerContext } from '../types.js';
import { createWrittenObjects } from '../written-objects.js';
import { podTemplateHash } from './hash.js';
import {
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  byRevision,
  findNewReplicaSet,
  maxRevision,
  replicasAnnotationsNeedUpdate,
  sameTemplate,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
} from './revisions.js';
import {
  availableSum,
  byCreation,
  desiredReplicasAnnotation,
  isRollingUpdate,
  isSaturated,
  maxUnavailable,
  newRSNewReplicas,
  proportionalSizes,
  replicasOf,
  rsReplicas,
  specSum,
} from './rollout-math.js';
import { REASON, calculateStatus, condition, isComplete, msUntilDeadline, newCondition, rolloutStatus, setCondition } from './status.js';

/** A ReplicaSet the controller looks at: active means it still wants pods. */
const isActive = (rs: ReplicaSet): boolean => rsReplicas(rs) > 0;

function ownerRef(d: Deployment): OwnerReference {
  return { apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name ?? '', uid: d.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/** A conflict means our view was stale: look again soon rather than back off. */
class Requeue extends Error {}

export function startDeploymentController(ctx: ControllerContext): Controller {
  const { client, logger } = ctx;
  const log = logger.child({ controller: 'deployment' });
  const events = createEventRecorder(client, 'deployment-controller', log);
  const deployments = ctx.informers.forResource<Deployment>(DEPLOYMENTS);
  const replicaSets = ctx.informers.forResource<ReplicaSet>(REPLICA_SETS);
  const pods = ctx.informers.forResource<Pod>(PODS);
  const writtenRS = createWrittenObjects<ReplicaSet>();
  const writtenD = createWrittenObjects<Deployment>();

  const rsPath = (ns: string | undefined, name?: string): string => resourcePath(REPLICA_SETS, ns, name);

  async function write<T>(what: () => Promise<T>): Promise<T> {
    try {
      return await what();
    } catch (err) {
      if (isConflict(err)) throw new Requeue('conflict');
      throw err;
    }
  }

  async function updateStatus(d: Deployment): Promise<Deployment> {
    const out = await write(() => client.update<Deployment>(resourcePath(DEPLOYMENTS, d.metadata.namespace, d.metadata.name, 'status'), d));
    writtenD.wrote(out);
    return out;
  }

  async function updateRS(rs: ReplicaSet): Promise<ReplicaSet> {
    const out = await write(() => client.update<ReplicaSet>(rsPath(rs.metadata.namespace, rs.metadata.name), rs));
    writtenRS.wrote(out);
    return out;
  }

  /** getReplicaSetsForDeployment: owned ReplicaSets that match, orphans adopted, strays released. */
  async function claimReplicaSets(d: Deployment): Promise<ReplicaSet[]> {
    const ns = d.metadata.namespace;
    const inNamespace = writtenRS.list(
      replicaSets.list().filter((rs) => rs.metadata.namespace === ns),
      (rs) => rs.metadata.namespace === ns,
    );
    const claimed: ReplicaSet[] = [];
    let canAdopt: boolean | undefined;
    for (const rs of inNamespace) {
      const ref = controllerRefOf(rs);
      const matches = labelSelectorMatches(d.spec.selector, rs.metadata.labels);
      if (ref) {
        if (ref.uid !== d.metadata.uid) continue;
        if (matches || d.metadata.deletionTimestamp) {
          claimed.push(rs);
          continue;
        }
        const refs = (rs.metadata.ownerReferences ?? []).filter((r) => r.uid !== d.metadata.uid);
        await client
          .patch(rsPath(ns, rs.metadata.name), { metadata: { ownerReferences: refs.length ? refs : null, resourceVersion: rs.metadata.resourceVersion } })
          .catch((err: unknown) => {
            if (!isNotFound(err)) throw err;
          });
        log.info({ namespace: ns, name: d.metadata.name, replicaSet: rs.metadata.name }, 'released replica set that no longer matches');
        continue;
      }
      if (!matches || d.metadata.deletionTimestamp || rs.metadata.deletionTimestamp) continue;
      if (canAdopt === undefined) {
        try {
          const fresh = await client.get<Deployment>(resourcePath(DEPLOYMENTS, ns, d.metadata.name));
          canAdopt = fresh.metadata.uid === d.metadata.uid && !fresh.metadata.deletionTimestamp;
        } catch (err) {
          if (!isNotFound(err)) throw err;
          canAdopt = false;
        }
      }
      if (!canAdopt) continue;
      try {
        const adopted = await client.patch<ReplicaSet>(rsPath(ns, rs.metadata.name), {
          metadata: { ownerReferences: [...(rs.metadata.ownerReferences ?? []), ownerRef(d)], resourceVersion: rs.metadata.resourceVersion },
        });
        writtenRS.wrote(adopted);
        claimed.push(adopted);
        log.info({ namespace: ns, name: d.metadata.name, replicaSet: rs.metadata.name }, 'adopted replica set');
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
    return claimed;
  }

  /** scaleReplicaSet: a new size (and the replicas annotations), with the ScalingReplicaSet event. */
  async function scaleReplicaSet(rs: ReplicaSet, size: number, d: Deployment): Promise<ReplicaSet> {
    const resize = rsReplicas(rs) !== size;
    if (!resize && !replicasAnnotationsNeedUpdate(rs, d)) return rs;
    const from = rsReplicas(rs);
    const next = structuredClone(rs);
    next.spec.replicas = size;
    setReplicasAnnotations(next, d);
    const out = await updateRS(next);
    if (resize) {
      events.normal(d, 'ScalingReplicaSet', `Scaled ${from < size ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${size}`);
      log.info({ namespace: d.metadata.namespace, name: d.metadata.name, replicaSet: rs.metadata.name, from, to: size }, 'scaled replica set');
    }
    return out;
  }

  /**
   * getAllReplicaSetsAndSyncRevision / getNewReplicaSet: the new ReplicaSet (created when asked and
   * missing, with the next revision) and the old ones; the Deployment's revision follows the new one.
   */
  async function newAndOld(d: Deployment, rsList: ReplicaSet[], create: boolean): Promise<{ d: Deployment; newRS: ReplicaSet | undefined; old: ReplicaSet[] }> {
    const existing = findNewReplicaSet(d, rsList);
    const old = rsList.filter((rs) => rs.metadata.uid !== existing?.metadata.uid);
    const revision = maxRevision(old) + 1;
    if (existing) {
      const copy = structuredClone(existing);
      const annotationsChanged = setNewReplicaSetAnnotations(d, copy, revision, true);
      if (annotationsChanged || (copy.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0)) {
        copy.spec.minReadySeconds = d.spec.minReadySeconds ?? 0;
        return { d, newRS: await updateRS(copy), old };
      }
      let changed = setRevision(d, copy.metadata.annotations?.[REVISION_ANNOTATION] ?? String(revision));
      const status = (d.status ??= {});
      if (!condition(status, 'Progressing')) {
        setCondition(status, newCondition('Progressing', 'True', REASON.foundNewRS, `Found new replica set "${copy.metadata.name}"`));
        changed = true;
      }
      return { d: changed ? await updateStatus(d) : d, newRS: existing, old };
    }
    if (!create) return { d, newRS: undefined, old };

    const template = structuredClone(d.spec.template);
    const hash = podTemplateHash(d.spec.template, d.status?.collisionCount);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        ownerReferences: [ownerRef(d)],
        labels: { ...(template.metadata.labels ?? {}) },
      },
      spec: {
        replicas: 0,
        minReadySeconds: d.spec.minReadySeconds ?? 0,
        selector: { ...d.spec.selector, matchLabels: { ...(d.spec.selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } },
        template,
      },
    };
    rs.spec.replicas = newRSNewReplicas(d, [...old, rs], rs);
    setNewReplicaSetAnnotations(d, rs, revision, false);
    let created: ReplicaSet;
    let alreadyExisted = false;
    try {
      created = await client.create<ReplicaSet>(rsPath(d.metadata.namespace), rs);
      writtenRS.wrote(created);
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (code === 409) {
        const there = await client.get<ReplicaSet>(rsPath(d.metadata.namespace, rs.metadata.name));
        if (controllerRefOf(there)?.uid === d.metadata.uid && sameTemplate(d.spec.template, there.spec.template)) {
          created = there;
          alreadyExisted = true;
        } else {
          // a hash collision: the next hash includes a higher collisionCount
          (d.status ??= {}).collisionCount = (d.status.collisionCount ?? 0) + 1;
          await updateStatus(d);
          log.info({ namespace: d.metadata.namespace, name: d.metadata.name, collisionCount: d.status.collisionCount }, 'hash collision: bumped collisionCount');
          throw new Requeue('hash collision');
        }
      } else if (code === 403 && /being terminated/.test((err as Error).message)) {
        throw err;
      } else {
        const msg = `Failed to create new replica set "${rs.metadata.name}": ${(err as Error).message}`;
        setCondition((d.status ??= {}), newCondition('Progressing', 'False', REASON.failedRSCreate, msg));
        await updateStatus(d).catch(() => undefined);
        events.warning(d, REASON.failedRSCreate, msg);
        throw err;
      }
    }
    if (!alreadyExisted && rsReplicas(created) > 0) events.normal(d, 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} to ${rsReplicas(created)}`);
    setRevision(d, String(revision));
    if (!alreadyExisted) setCondition((d.status ??= {}), newCondition('Progressing', 'True', REASON.newReplicaSet, `Created new replica set "${created.metadata.name}"`));
    return { d: await updateStatus(d), newRS: created, old };
  }

  function setRevision(d: Deployment, revision: string): boolean {
    const a = (d.metadata.annotations ??= {});
    if (a[REVISION_ANNOTATION] === revision) return false;
    a[REVISION_ANNOTATION] = revision;
    return true;
  }

  async function writeStatusIfChanged(d: Deployment, status: DeploymentStatus): Promise<void> {
    if (semanticEqual(d.status ?? {}, status)) return;
    await updateStatus({ ...d, status });
  }

  /** cleanupDeployment: old, empty ReplicaSets beyond revisionHistoryLimit, oldest revision first. */
  async function cleanup(old: ReplicaSet[], d: Deployment): Promise<void> {
    const limit = d.spec.revisionHistoryLimit ?? 10;
    if (limit === 2147483647) return;
    const alive = old.filter((rs) => !rs.metadata.deletionTimestamp).sort(byRevision);
    const extra = alive.length - limit;
    for (let i = 0; i < extra; i++) {
      const rs = alive[i]!;
      if ((rs.status?.replicas ?? 0) !== 0 || rsReplicas(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      await client.delete(rsPath(rs.metadata.namespace, rs.metadata.name), {}).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
      writtenRS.deleted(rs);
      log.info({ namespace: d.metadata.namespace, name: d.metadata.name, replicaSet: rs.metadata.name }, 'deleted old replica set beyond the revision history limit');
    }
  }

  /** sync: a scaling event or a paused Deployment — scale in proportion, clean up, status. */
  async function scaleOnly(d0: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const { d, newRS, old } = await newAndOld(d0, rsList, false);
    const active = [...old, ...(newRS ? [newRS] : [])].filter(isActive);
    const all = [...old, ...(newRS ? [newRS] : [])];
    if (active.length <= 1) {
      // only one active (or none): it takes all the replicas (the newest when none is active)
      const target = active[0] ?? newRS ?? [...old].sort(byCreation).at(-1);
      if (target && rsReplicas(target) !== replicasOf(d)) await scaleReplicaSet(target, replicasOf(d), d);
      else if (target && replicasAnnotationsNeedUpdate(target, d)) await scaleReplicaSet(target, replicasOf(d), d);
    } else if (isSaturated(d, newRS)) {
      for (const rs of old.filter(isActive)) await scaleReplicaSet(rs, 0, d);
    } else if (isRollingUpdate(d)) {
      const sizes = proportionalSizes(d, active);
      for (const rs of active) await scaleReplicaSet(rs, sizes.get(rs.metadata.name ?? '') ?? rsReplicas(rs), d);
    }
    await cleanup(old, d);
    await writeStatusIfChanged(d, calculateStatus(fresh(all), newRS && freshOne(newRS), d));
  }

  /** The ReplicaSets as last written (our writes may be newer than the cache). */
  const freshOne = (rs: ReplicaSet): ReplicaSet => writtenRS.get(objectKey(rs.metadata), rs) ?? rs;
  const fresh = (rss: ReplicaSet[]): ReplicaSet[] => rss.map(freshOne);

  async function syncRollout(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet | undefined): Promise<void> {
    const status = rolloutStatus(fresh(all), newRS && freshOne(newRS), d);
    await writeStatusIfChanged(d, status);
    const wait = msUntilDeadline(d, status);
    if (wait !== undefined) queue.addAfter(objectKey(d.metadata), wait);
  }

  /** rolloutRolling: grow the new ReplicaSet within maxSurge, shrink old ones within maxUnavailable. */
  async function rolling(d0: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const got = await newAndOld(d0, rsList, true);
    const d = got.d;
    let newRS = got.newRS!;
    let old = got.old;
    const all = (): ReplicaSet[] => [...old, newRS];
    // reconcileNewReplicaSet
    const want = replicasOf(d);
    if (rsReplicas(newRS) !== want) {
      const size = rsReplicas(newRS) > want ? want : newRSNewReplicas(d, all(), newRS);
      if (size !== rsReplicas(newRS)) {
        newRS = await scaleReplicaSet(newRS, size, d);
        await syncRollout(d, all(), newRS);
        return;
      }
    }
    // reconcileOldReplicaSets
    const activeOld = old.filter(isActive);
    if (specSum(activeOld) > 0) {
      const minAvailable = want - maxUnavailable(d);
      const newUnavailable = rsReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
      let budget = specSum(all()) - minAvailable - newUnavailable;
      let scaledDown = 0;
      if (budget > 0) {
        // unhealthy old pods first: they do not count as available anyway
        for (const rs of [...activeOld].sort(byCreation)) {
          if (scaledDown >= budget) break;
          const unhealthy = rsReplicas(rs) - (rs.status?.availableReplicas ?? 0);
          if (rsReplicas(rs) === 0 || unhealthy <= 0) continue;
          const n = Math.min(budget - scaledDown, unhealthy);
          const updated = await scaleReplicaSet(rs, rsReplicas(rs) - n, d);
          old = old.map((o) => (o.metadata.uid === updated.metadata.uid ? updated : o));
          scaledDown += n;
        }
        // then available old pods, as far as minAvailable allows
        const available = availableSum(all());
        if (available > minAvailable) {
          budget = available - minAvailable;
          let taken = 0;
          for (const rs of old.filter(isActive).sort(byCreation)) {
            if (taken >= budget) break;
            const n = Math.min(rsReplicas(rs), budget - taken);
            const updated = await scaleReplicaSet(rs, rsReplicas(rs) - n, d);
            old = old.map((o) => (o.metadata.uid === updated.metadata.uid ? updated : o));
            taken += n;
          }
          scaledDown += taken;
        }
      }
      if (scaledDown > 0) {
        await syncRollout(d, all(), newRS);
        return;
      }
    }
    if (isComplete(d, d.status ?? {})) await cleanup(old, d);
    await syncRollout(d, all(), newRS);
  }

  /** rolloutRecreate: every old pod gone before the new ReplicaSet gets any. */
  async function recreate(d0: Deployment, rsList: ReplicaSet[]): Promise<void> {
    let { d, newRS, old } = await newAndOld(d0, rsList, false);
    let scaledDown = false;
    for (const rs of old.filter(isActive)) {
      const updated = await scaleReplicaSet(rs, 0, d);
      old = old.map((o) => (o.metadata.uid === updated.metadata.uid ? updated : o));
      scaledDown = true;
    }
    const all = (): ReplicaSet[] => [...old, ...(newRS ? [newRS] : [])];
    if (scaledDown || oldPodsRunning(newRS, old, d)) {
      await syncRollout(d, all(), newRS);
      return;
    }
    if (!newRS) ({ d, newRS, old } = await newAndOld(d, rsList, true));
    if (newRS && rsReplicas(newRS) !== replicasOf(d)) newRS = await scaleReplicaSet(newRS, replicasOf(d), d);
    if (isComplete(d, d.status ?? {})) await cleanup(old, d);
    await syncRollout(d, all(), newRS);
  }

  /** oldPodsRunning: old ReplicaSets still report pods, or pods of theirs are not finished. */
  function oldPodsRunning(newRS: ReplicaSet | undefined, old: ReplicaSet[], d: Deployment): boolean {
    if (fresh(old).some((rs) => (rs.status?.replicas ?? 0) > 0)) return true;
    const oldUids = new Set(old.map((rs) => rs.metadata.uid));
    return pods.list().some((p) => {
      if (p.metadata.namespace !== d.metadata.namespace) return false;
      const ref = controllerRefOf(p);
      if (!ref || !oldUids.has(ref.uid) || ref.uid === newRS?.metadata.uid) return false;
      return p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
    });
  }

  /** checkPausedConditions: Progressing Unknown while paused (so the deadline does not run). */
  async function pausedConditions(d: Deployment): Promise<Deployment> {
    if (d.spec.progressDeadlineSeconds === undefined) return d;
    const c = d.status ? condition(d.status, 'Progressing') : undefined;
    if (c?.reason === REASON.timedOut) return d;
    const pausedSet = c?.reason === REASON.paused;
    if (d.spec.paused && !pausedSet) {
      setCondition((d.status ??= {}), newCondition('Progressing', 'Unknown', REASON.paused, 'Deployment is paused'));
      return updateStatus(d);
    }
    if (!d.spec.paused && pausedSet) {
      setCondition((d.status ??= {}), newCondition('Progressing', 'Unknown', REASON.resumed, 'Deployment is resumed'));
      return updateStatus(d);
    }
    return d;
  }

  const queue = createWorkQueue(
    'deployment',
    async (key) => {
      await Promise.all([deployments.synced(), replicaSets.synced(), pods.synced()]);
      const cached = deployments.get(key);
      const current = cached && writtenD.get(key, cached);
      if (!current) return;
      let d = structuredClone(current);
      try {
        if (isEmptyLabelSelector(d.spec.selector)) {
          events.warning(d, 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
          if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) await updateStatus({ ...d, status: { ...(d.status ?? {}), observedGeneration: d.metadata.generation ?? 0 } });
          return;
        }
        const rsList = await claimReplicaSets(d);
        if (d.metadata.deletionTimestamp) {
          const { newRS, old } = await newAndOld(d, rsList, false);
          await writeStatusIfChanged(d, calculateStatus(fresh([...old, ...(newRS ? [newRS] : [])]), newRS, d));
          return;
        }
        d = await pausedConditions(d);
        if (d.spec.paused) {
          await scaleOnly(d, rsList);
          return;
        }
        const scaling = rsList.filter(isActive).some((rs) => {
          const desired = desiredReplicasAnnotation(rs);
          return desired !== undefined && desired !== replicasOf(d);
        });
        if (scaling) {
          await scaleOnly(d, rsList);
          return;
        }
        if (isRollingUpdate(d)) await rolling(d, rsList);
        else await recreate(d, rsList);
      } catch (err) {
        if (err instanceof Requeue) {
          queue.addAfter(key, 20);
          return;
        }
        throw err;
      }
    },
    { logger: log },
  );

  const enqueue = (d: Deployment): void => queue.add(objectKey(d.metadata));
  const ownerOf = (rs: ReplicaSet): Deployment | undefined => {
    const ref = controllerRefOf(rs);
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = deployments.get(`${rs.metadata.namespace}/${ref.name}`);
    return d && d.metadata.uid === ref.uid ? d : undefined;
  };
  /** Deployments whose selector picks an orphan ReplicaSet (it may be adopted). */
  const selecting = (rs: ReplicaSet): Deployment[] =>
    deployments.list().filter((d) => d.metadata.namespace === rs.metadata.namespace && labelSelectorMatches(d.spec.selector, rs.metadata.labels));

  deployments.addHandlers({
    add: enqueue,
    update: (_o, d) => enqueue(d),
    delete: (d) => writtenD.observedDeletion(d),
  });
  replicaSets.addHandlers({
    add: (rs) => {
      const owner = ownerOf(rs);
      if (owner) enqueue(owner);
      else if (!controllerRefOf(rs)) selecting(rs).forEach(enqueue);
    },
    update: (old, rs) => {
      const owner = ownerOf(rs);
      const oldOwner = ownerOf(old);
      if (oldOwner && oldOwner.metadata.uid !== owner?.metadata.uid) enqueue(oldOwner);
      if (owner) enqueue(owner);
      else if (!controllerRefOf(rs)) selecting(rs).forEach(enqueue);
    },
    delete: (rs) => {
      writtenRS.observedDeletion(rs);
      const owner = ownerOf(rs);
      if (owner) enqueue(owner);
    },
  });
  // Recreate waits for the old pods to be gone.
  pods.addHandlers({
    delete: (pod) => {
      const ref = controllerRefOf(pod);
      if (!ref || ref.kind !== 'ReplicaSet') return;
      const rs = replicaSets.get(`${pod.metadata.namespace}/${ref.name}`);
      const owner = rs && ownerOf(rs);
      if (owner && !isRollingUpdate(owner)) enqueue(owner);
    },
  });
  return { name: 'deployment', stop: () => queue.stop() };
}
