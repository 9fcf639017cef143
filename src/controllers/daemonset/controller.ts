// The DaemonSet controller (upstream's pkg/controller/daemon): one pod of the template on every
// node that should run it (nodes.ts). Pods are created pinned by node affinity
// (`matchFields metadata.name In [node]`, ReplaceDaemonSetPodNodeNameNodeAffinity) and bound by
// the scheduler, as in 1.32; they carry the daemon tolerations and the `controller-revision-hash`
// and `pod-template-generation` labels. Pods on nodes that no longer fit (or carry an
// untolerated NoExecute taint) are deleted, failed pods replaced, a node that joins gets a pod;
// pods of a deleted node go with the pod garbage collector. RollingUpdate replaces old pods
// within maxUnavailable (or, with maxSurge, starts the new pod first and deletes the old one once
// the new is available); OnDelete leaves old pods alone. History is kept in ControllerRevisions.
import type { ControllerRevision, DaemonSet, DaemonSetStatus } from '../../api/apps.js';
import { isEmptyLabelSelector, labelSelectorMatches } from '../../api/label-selector.js';
import { objectKey, resourcePath } from '../../api/paths.js';
import { semanticEqual } from '../../api/semantic-equal.js';
import type { Node, Pod } from '../../api/types.js';
import { scaledValue } from '../../admission/int-or-percent.js';
import { createWorkQueue } from '../../client/workqueue.js';
import { CONTROLLER_REVISIONS } from '../../kinds/controllerrevision/resource.js';
import { DAEMON_SETS } from '../../kinds/daemonset/resource.js';
import { NODES } from '../../kinds/node/resource.js';
import { PODS } from '../../kinds/pod/resource.js';
import { createEventRecorder } from '../events.js';
import { createExpectations } from '../expectations.js';
import { REVISION_HASH_LABEL, ownedRevisions, syncRevisions, truncateHistory } from '../history/revisions.js';
import { controllerRefOf, isConflict, isNotFound, isPodReady, isTerminating } from '../pods.js';
import { isPodAvailable, ownerRefFor, podFromTemplate } from '../replica-controller.js';
import type { Controller, ControllerContext } from '../types.js';
import { nodeShouldRunDaemonPod, targetNodeName, withDaemonTolerations } from './nodes.js';

/** The deprecated label upstream still sets on daemon pods. */
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

export function startDaemonSetController(ctx: ControllerContext): Controller {
  const { client, logger } = ctx;
  const log = logger.child({ controller: 'daemonset' });
  const events = createEventRecorder(client, 'daemonset-controller', log);
  const daemonSets = ctx.informers.forResource<DaemonSet>(DAEMON_SETS);
  const pods = ctx.informers.forResource<Pod>(PODS);
  const nodes = ctx.informers.forResource<Node>(NODES);
  const revisions = ctx.informers.forResource<ControllerRevision>(CONTROLLER_REVISIONS);
  const expectations = createExpectations();

  function newPod(ds: DaemonSet, nodeName: string, hash: string): Pod {
    const pod = podFromTemplate(ds as unknown as Parameters<typeof podFromTemplate>[0], DAEMON_SETS);
    pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [REVISION_HASH_LABEL]: hash, [TEMPLATE_GENERATION_LABEL]: String(ds.metadata.generation ?? 1) };
    const spec = pod.spec as Pod['spec'] & { affinity?: Record<string, unknown> };
    spec.affinity = {
      ...(spec.affinity ?? {}),
      nodeAffinity: {
        ...(((spec.affinity ?? {}) as { nodeAffinity?: Record<string, unknown> }).nodeAffinity ?? {}),
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }] },
      },
    };
    spec.tolerations = withDaemonTolerations(spec.tolerations as never, spec.hostNetwork === true) as unknown as Array<Record<string, unknown>>;
    return pod;
  }

  async function createPods(ds: DaemonSet, key: string, nodeNames: string[], hash: string): Promise<void> {
    if (nodeNames.length === 0) return;
    expectations.expectCreations(key, nodeNames.length);
    await Promise.all(
      nodeNames.map(async (nodeName) => {
        try {
          const created = await client.create<Pod>(resourcePath(PODS, ds.metadata.namespace), newPod(ds, nodeName, hash));
          events.normal(ds, 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
          log.info({ namespace: ds.metadata.namespace, name: ds.metadata.name, pod: created.metadata.name, node: nodeName }, 'created daemon pod');
        } catch (err) {
          expectations.lowerCreations(key, 1);
          events.warning(ds, 'FailedCreate', `Error creating: ${(err as Error).message}`);
          throw err;
        }
      }),
    );
  }

  async function deletePods(ds: DaemonSet, key: string, victims: Pod[]): Promise<void> {
    if (victims.length === 0) return;
    expectations.expectDeletions(key, victims.map((p) => objectKey(p.metadata)));
    await Promise.all(
      victims.map(async (p) => {
        try {
          await client.delete(resourcePath(PODS, p.metadata.namespace, p.metadata.name), { preconditions: { uid: p.metadata.uid } });
          events.normal(ds, 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
          log.info({ namespace: ds.metadata.namespace, name: ds.metadata.name, pod: p.metadata.name, node: targetNodeName(p) }, 'deleted daemon pod');
        } catch (err) {
          expectations.deletionObserved(key, objectKey(p.metadata));
          if (isNotFound(err) || isConflict(err)) return;
          events.warning(ds, 'FailedDelete', `Error deleting: ${(err as Error).message}`);
          throw err;
        }
      }),
    );
  }

  /** The pods this DaemonSet controls, by the node they are for (orphans that match are adopted). */
  async function podsByNode(ds: DaemonSet): Promise<Map<string, Pod[]>> {
    const out = new Map<string, Pod[]>();
    for (const p of pods.list()) {
      if (p.metadata.namespace !== ds.metadata.namespace) continue;
      const ref = controllerRefOf(p);
      let mine = ref?.uid === ds.metadata.uid;
      if (!ref && !isTerminating(p) && labelSelectorMatches(ds.spec.selector, p.metadata.labels) && !ds.metadata.deletionTimestamp) {
        await client.patch(resourcePath(PODS, p.metadata.namespace, p.metadata.name), {
          metadata: { ownerReferences: [...(p.metadata.ownerReferences ?? []), ownerRefFor(ds, DAEMON_SETS)], resourceVersion: p.metadata.resourceVersion },
        }).then(() => (mine = true), () => undefined);
      }
      if (!mine) continue;
      const node = targetNodeName(p);
      if (!node) continue;
      const list = out.get(node) ?? [];
      list.push(p);
      out.set(node, list);
    }
    return out;
  }

  const isCurrent = (p: Pod, hash: string): boolean => p.metadata.labels?.[REVISION_HASH_LABEL] === hash;
  const alive = (ps: Pod[]): Pod[] => ps.filter((p) => !isTerminating(p));

  async function sync(key: string): Promise<void> {
    await Promise.all([daemonSets.synced(), pods.synced(), nodes.synced(), revisions.synced()]);
    const cached = daemonSets.get(key);
    if (!cached) {
      expectations.forget(key);
      return;
    }
    let ds = structuredClone(cached);
    if (isEmptyLabelSelector(ds.spec.selector)) {
      events.warning(ds, 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    const synced = await syncRevisions(client, ds, DAEMON_SETS, ownedRevisions(revisions.list(), ds));
    if (synced.collisionCount !== (ds.status?.collisionCount ?? 0)) {
      ds = await client.update<DaemonSet>(resourcePath(DAEMON_SETS, ds.metadata.namespace, ds.metadata.name, 'status'), { ...ds, status: { ...ds.status!, collisionCount: synced.collisionCount } });
    }
    const hash = synced.hash;
    const byNode = await podsByNode(ds);
    const allNodes = nodes.list();
    const minReady = ds.spec.minReadySeconds ?? 0;

    if (!ds.metadata.deletionTimestamp && expectations.satisfied(key)) {
      const toCreate: string[] = [];
      const toDelete: Pod[] = [];
      let desired = 0;
      for (const node of allNodes) {
        const name = node.metadata.name ?? '';
        const place = nodeShouldRunDaemonPod(ds, node);
        if (place.shouldRun) desired++;
        const here = alive(byNode.get(name) ?? []);
        if (place.shouldRun && here.length === 0) toCreate.push(name);
        else if (!place.shouldContinueRunning) toDelete.push(...here);
        else if (place.shouldContinueRunning) {
          const failed = here.filter((p) => p.status?.phase === 'Failed');
          toDelete.push(...failed);
          const running = here.filter((p) => p.status?.phase !== 'Failed');
          if (failed.length > 0 && running.length === 0 && place.shouldRun) toCreate.push(name);
          // more than one pod: keep the newest-revision, oldest pod (surge pods are kept by the update)
          if (running.length > 1 && !isRollingSurge(ds)) {
            const keep = [...running].sort((a, b) => Number(isCurrent(b, hash)) - Number(isCurrent(a, hash)) || String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)))[0]!;
            toDelete.push(...running.filter((p) => p !== keep));
          }
        }
      }
      // pods whose node is gone are the pod garbage collector's; pods pinned to no-longer-listed nodes too
      await deletePods(ds, key, toDelete);
      await createPods(ds, key, toCreate, hash);
      if (toCreate.length === 0 && toDelete.length === 0 && ds.spec.updateStrategy?.type !== 'OnDelete') await rollingUpdate(ds, key, byNode, hash, desired, minReady);
    }

    const inUse = new Set<string>();
    for (const list of byNode.values()) for (const p of list) inUse.add(`${ds.metadata.name}-${p.metadata.labels?.[REVISION_HASH_LABEL] ?? ''}`);
    inUse.add(synced.update.metadata.name ?? '');
    await truncateHistory(client, ds, synced.all, inUse);

    await writeStatus(ds, byNode, allNodes, hash, minReady);
  }

  function isRollingSurge(ds: DaemonSet): boolean {
    const ru = ds.spec.updateStrategy?.rollingUpdate;
    return ds.spec.updateStrategy?.type === 'RollingUpdate' && scaledValue(ru?.maxSurge, 1, true) > 0;
  }

  /** rollingUpdate (daemon/update.go): old pods replaced within maxUnavailable, or surged with maxSurge. */
  async function rollingUpdate(ds: DaemonSet, key: string, byNode: Map<string, Pod[]>, hash: string, desired: number, minReady: number): Promise<void> {
    const ru = ds.spec.updateStrategy?.rollingUpdate;
    const maxUnavailable = scaledValue(ru?.maxUnavailable, desired, true);
    const maxSurge = scaledValue(ru?.maxSurge, desired, true);
    const now = Date.now();
    const eligible = new Set(nodes.list().filter((n) => nodeShouldRunDaemonPod(ds, n).shouldRun).map((n) => n.metadata.name ?? ''));
    if (maxSurge === 0) {
      let unavailable = 0;
      const oldAvailable: Pod[] = [];
      const oldUnavailable: Pod[] = [];
      for (const node of eligible) {
        const here = alive(byNode.get(node) ?? []);
        const pod = here[0];
        const available = pod !== undefined && isPodAvailable(pod, minReady, now);
        if (!available) unavailable++;
        if (pod && !isCurrent(pod, hash)) (available ? oldAvailable : oldUnavailable).push(pod);
      }
      const budget = Math.max(0, maxUnavailable - unavailable);
      await deletePods(ds, key, [...oldUnavailable, ...oldAvailable.slice(0, budget)]);
      return;
    }
    let surging = 0;
    const toCreate: string[] = [];
    const toDelete: Pod[] = [];
    const candidates: string[] = [];
    for (const node of eligible) {
      const here = alive(byNode.get(node) ?? []);
      const fresh = here.find((p) => isCurrent(p, hash));
      const old = here.filter((p) => !isCurrent(p, hash));
      if (old.length === 0) continue;
      if (fresh) {
        if (isPodAvailable(fresh, minReady, now)) toDelete.push(...old);
        else surging++;
        continue;
      }
      if (!old.some((p) => isPodAvailable(p, minReady, now))) toCreate.push(node);
      else candidates.push(node);
    }
    toCreate.push(...candidates.slice(0, Math.max(0, maxSurge - surging)));
    await deletePods(ds, key, toDelete);
    await createPods(ds, key, toCreate, hash);
  }

  async function writeStatus(ds: DaemonSet, byNode: Map<string, Pod[]>, allNodes: Node[], hash: string, minReady: number): Promise<void> {
    const status: DaemonSetStatus = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0, updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 0 };
    const now = Date.now();
    for (const node of allNodes) {
      const here = alive(byNode.get(node.metadata.name ?? '') ?? []).filter((p) => p.spec.nodeName);
      const { shouldRun } = nodeShouldRunDaemonPod(ds, node);
      if (shouldRun) {
        status.desiredNumberScheduled++;
        if (here.length === 0) continue;
        status.currentNumberScheduled++;
        const newest = [...here].sort((a, b) => String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)))[0]!;
        if (isPodReady(newest)) status.numberReady++;
        if (isPodAvailable(newest, minReady, now)) status.numberAvailable!++;
        if (isCurrent(newest, hash)) status.updatedNumberScheduled!++;
      } else if (here.length > 0) {
        status.numberMisscheduled++;
      }
    }
    status.numberUnavailable = status.desiredNumberScheduled - status.numberAvailable!;
    status.observedGeneration = ds.metadata.generation ?? 0;
    if (ds.status?.collisionCount !== undefined) status.collisionCount = ds.status.collisionCount;
    if (ds.status?.conditions) status.conditions = ds.status.conditions;
    if (!status.numberAvailable) delete status.numberAvailable;
    if (!status.numberUnavailable) delete status.numberUnavailable;
    if (!status.updatedNumberScheduled) delete status.updatedNumberScheduled;
    if (semanticEqual(ds.status ?? {}, status)) return;
    await client.update<DaemonSet>(resourcePath(DAEMON_SETS, ds.metadata.namespace, ds.metadata.name, 'status'), { ...ds, status });
    if (minReady > 0 && status.numberAvailable !== status.numberReady) queue.addAfter(objectKey(ds.metadata), minReady * 1000);
  }

  const queue = createWorkQueue('daemonset', sync, { logger: log });
  const enqueue = (ds: DaemonSet): void => queue.add(objectKey(ds.metadata));
  const enqueueAll = (): void => daemonSets.list().forEach(enqueue);
  const ownerOfPod = (pod: Pod): DaemonSet | undefined => {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== 'DaemonSet') return undefined;
    const ds = daemonSets.get(`${pod.metadata.namespace}/${ref.name}`);
    return ds && ds.metadata.uid === ref.uid ? ds : undefined;
  };

  daemonSets.addHandlers({ add: enqueue, update: (_o, ds) => enqueue(ds), delete: (ds) => expectations.forget(objectKey(ds.metadata)) });
  pods.addHandlers({
    add: (pod) => {
      const ds = ownerOfPod(pod);
      if (ds) {
        expectations.creationObserved(objectKey(ds.metadata));
        enqueue(ds);
      } else if (!controllerRefOf(pod)) {
        daemonSets.list().filter((d) => d.metadata.namespace === pod.metadata.namespace && labelSelectorMatches(d.spec.selector, pod.metadata.labels)).forEach(enqueue);
      }
    },
    update: (_old, pod) => {
      const ds = ownerOfPod(pod);
      if (!ds) return;
      if (pod.metadata.deletionTimestamp) expectations.deletionObserved(objectKey(ds.metadata), objectKey(pod.metadata));
      enqueue(ds);
    },
    delete: (pod) => {
      const ds = ownerOfPod(pod);
      if (!ds) return;
      expectations.deletionObserved(objectKey(ds.metadata), objectKey(pod.metadata));
      enqueue(ds);
    },
  });
  nodes.addHandlers({
    add: enqueueAll,
    update: (old, node) => {
      if (!semanticEqual(old.metadata.labels ?? {}, node.metadata.labels ?? {}) || !semanticEqual(old.spec ?? {}, node.spec ?? {})) enqueueAll();
    },
    delete: enqueueAll,
  });
  revisions.addHandlers({});
  return { name: 'daemonset', stop: () => queue.stop() };
}
