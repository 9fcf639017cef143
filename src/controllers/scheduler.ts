// The scheduler (default-scheduler): every pod without spec.nodeName is filtered against the
// nodes, the feasible nodes are scored (scheduling.ts), and the pod is bound to the best one
// through pods/binding. A pod that fits nowhere gets PodScheduled=False (Unschedulable) and a
// FailedScheduling event, and is tried again when nodes or pods change, and every few seconds.
// Pods already given a node (spec.nodeName) are never rescheduled.
import { objectKey, resourcePath } from '../api/paths.js';
import type { Binding, Node, Pod, PodCondition } from '../api/types.js';
import { createWorkQueue } from '../client/workqueue.js';
import { createEventRecorder } from './events.js';
import { isConflict, isNotFound, isPodTerminal, nowRfc3339, podCondition } from './pods.js';
import { effectiveTaints, NO_NODES_AVAILABLE, nodeAllocatable, REASON_NODE_AFFINITY, schedulePod, type NodeSnapshot } from './scheduling.js';
import type { Controller, ControllerContext } from './types.js';
import { NODES } from '../kinds/node/resource.js';
import { PODS } from '../kinds/pod/resource.js';
import { PERSISTENT_VOLUMES } from '../kinds/persistentvolume/resource.js';
import { ANN_SELECTED_NODE, type PersistentVolume, type PersistentVolumeClaim } from '../kinds/persistentvolume/types.js';
import { PERSISTENT_VOLUME_CLAIMS } from '../kinds/persistentvolumeclaim/resource.js';
import { STORAGE_CLASSES } from '../kinds/storageclass/resource.js';
import type { StorageClass } from '../kinds/storageclass/types.js';
import { filterVolumes, podVolumes, preFilterMessage, type VolumeLister } from './volume-binding.js';


export const SCHEDULER_NAME = 'default-scheduler';
/** How often pods that fit nowhere are tried again even when nothing seems to have changed. */
const UNSCHEDULABLE_RETRY_MS = 5000;

/** This scheduler's pod: unbound, ours, not terminating, not finished. */
function wantsScheduling(pod: Pod): boolean {
  return (
    !pod.spec.nodeName &&
    (pod.spec.schedulerName ?? SCHEDULER_NAME) === SCHEDULER_NAME &&
    !pod.metadata.deletionTimestamp &&
    !isPodTerminal(pod)
  );
}

/** The parts of a node the scheduler's verdicts depend on (heartbeats alone change nothing). */
function schedulingFingerprint(node: Node): string {
  return JSON.stringify([
    node.spec?.unschedulable ?? false,
    effectiveTaints(node),
    node.metadata.labels ?? {},
    nodeAllocatable(node),
  ]);
}

export function startScheduler(ctx: ControllerContext): Controller {
  const { client, logger } = ctx;
  const log = logger.child({ controller: 'scheduler' });
  const events = createEventRecorder(client, SCHEDULER_NAME, log);
  const pods = ctx.informers.forResource<Pod>(PODS);
  const nodes = ctx.informers.forResource<Node>(NODES);
  const claims = ctx.informers.forResource<PersistentVolumeClaim>(PERSISTENT_VOLUME_CLAIMS);
  const volumes = ctx.informers.forResource<PersistentVolume>(PERSISTENT_VOLUMES);
  const classes = ctx.informers.forResource<StorageClass>(STORAGE_CLASSES);
  const lister: VolumeLister = {
    claim: (ns, name) => claims.get(`${ns}/${name}`),
    volume: (name) => volumes.get(name),
    storageClass: (name) => (name ? classes.get(name) : undefined),
  };
  /** Pods placed on a node whose WaitForFirstConsumer claims are being provisioned there. */
  const waitingForVolumes = new Set<string>();

  /** Pods bound by us that the informer has not shown bound yet (upstream's assumed pods). */
  const assumed = new Map<string, { pod: Pod; node: string }>();
  /** Pods that fit nowhere on their last attempt. */
  const unschedulable = new Set<string>();

  function snapshot(): NodeSnapshot[] {
    const byNode = new Map<string, NodeSnapshot>();
    for (const node of nodes.list()) byNode.set(node.metadata.name ?? '', { node, pods: [] });
    for (const pod of pods.list()) {
      const key = objectKey(pod.metadata);
      const nodeName = pod.spec.nodeName ?? assumed.get(key)?.node;
      if (pod.spec.nodeName && assumed.has(key)) assumed.delete(key);
      if (!nodeName || isPodTerminal(pod)) continue;
      byNode.get(nodeName)?.pods.push(pod);
    }
    for (const key of assumed.keys()) if (!pods.get(key)) assumed.delete(key);
    return [...byNode.values()].sort((a, b) => ((a.node.metadata.name ?? '') < (b.node.metadata.name ?? '') ? -1 : 1));
  }

  async function markUnschedulable(pod: Pod, message: string): Promise<void> {
    const key = objectKey(pod.metadata);
    unschedulable.add(key);
    events.warning(pod, 'FailedScheduling', message);
    const current = podCondition(pod, 'PodScheduled');
    if (current?.status === 'False' && current.reason === 'Unschedulable' && current.message === message) return;
    const condition: PodCondition = {
      type: 'PodScheduled',
      status: 'False',
      lastProbeTime: null,
      lastTransitionTime: current?.status === 'False' && current.lastTransitionTime ? current.lastTransitionTime : nowRfc3339(),
      reason: 'Unschedulable',
      message,
    };
    const conditions = [...(pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled'), condition];
    try {
      await client.patch(resourcePath(PODS, pod.metadata.namespace, pod.metadata.name, 'status'), {
        metadata: { resourceVersion: pod.metadata.resourceVersion },
        status: { conditions },
      });
    } catch (err) {
      if (isNotFound(err)) return;
      if (isConflict(err)) {
        queue.addAfter(key, 50); // the pod changed under us: look again
        return;
      }
      throw err;
    }
  }

  async function bind(pod: Pod, nodeName: string): Promise<void> {
    const key = objectKey(pod.metadata);
    const binding: Binding = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace },
      target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
    };
    assumed.set(key, { pod, node: nodeName });
    try {
      await client.create(resourcePath(PODS, pod.metadata.namespace, pod.metadata.name, 'binding'), binding);
    } catch (err) {
      assumed.delete(key);
      // Gone, or bound meanwhile (by someone else, or already terminating): nothing to do.
      if (isNotFound(err) || isConflict(err)) {
        log.debug({ pod: key, err: (err as Error).message }, 'binding not needed');
        return;
      }
      throw err;
    }
    unschedulable.delete(key);
    log.info({ pod: key, node: nodeName }, 'pod scheduled');
    events.normal(pod, 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${nodeName}`);
  }

  const queue = createWorkQueue(
    'scheduler',
    async (key) => {
      // Never judge a pod against a half-listed cluster.
      await Promise.all([pods.synced(), nodes.synced(), claims.synced(), volumes.synced(), classes.synced()]);
      const pod = pods.get(key);
      if (!pod || !wantsScheduling(pod) || assumed.has(key)) {
        unschedulable.delete(key);
        return;
      }
      const snaps = snapshot();
      const vols = podVolumes(pod, lister);
      if ('unschedulable' in vols) {
        log.info({ pod: key, message: vols.unschedulable }, 'pod unschedulable');
        await markUnschedulable(pod, snaps.length ? preFilterMessage(vols.unschedulable, snaps.length) : NO_NODES_AVAILABLE);
        return;
      }
      // a claim already given a node keeps it (its volume is being made there)
      const chosen = vols.delayed.map((c) => c.metadata.annotations?.[ANN_SELECTED_NODE]).find((n) => n);
      const result = schedulePod(pod, snaps, (snap) => {
        if (chosen && snap.node.metadata.name !== chosen) return { reasons: [REASON_NODE_AFFINITY], resolvable: false };
        return filterVolumes(vols, snap.node);
      });
      if (result.node !== undefined && vols.delayed.length > 0) {
        // PreBind: the claims get the node; the pod is bound once they are
        waitingForVolumes.add(key);
        unschedulable.delete(key);
        for (const c of vols.delayed) {
          if (c.metadata.annotations?.[ANN_SELECTED_NODE] === result.node) continue;
          await client.patch(resourcePath(PERSISTENT_VOLUME_CLAIMS, c.metadata.namespace, c.metadata.name), { metadata: { annotations: { [ANN_SELECTED_NODE]: result.node } } }, 'merge');
          log.info({ pod: key, claim: `${c.metadata.namespace}/${c.metadata.name}`, node: result.node }, 'claim given the node of its first consumer');
        }
        return;
      }
      waitingForVolumes.delete(key);
      if (result.node !== undefined) await bind(pod, result.node);
      else {
        log.info({ pod: key, message: result.message }, 'pod unschedulable');
        await markUnschedulable(pod, result.message);
      }
    },
    { logger: log },
  );

  /** The cluster changed in a way that may let waiting pods fit. */
  const retryUnschedulable = (): void => {
    for (const key of unschedulable) queue.add(key);
  };

  pods.addHandlers({
    add: (pod) => {
      if (wantsScheduling(pod)) queue.add(objectKey(pod.metadata));
    },
    update: (old, pod) => {
      const key = objectKey(pod.metadata);
      // A pod waiting for room is retried on cluster changes, not on its own status writes.
      const onlyStatus = JSON.stringify(old.spec) === JSON.stringify(pod.spec) && JSON.stringify(old.metadata.labels) === JSON.stringify(pod.metadata.labels);
      if (wantsScheduling(pod) && !(unschedulable.has(key) && onlyStatus)) queue.add(key);
      // A bound pod that finished or started terminating frees its node's resources.
      const freed = old.spec.nodeName && !isPodTerminal(old) && !old.metadata.deletionTimestamp && (isPodTerminal(pod) || pod.metadata.deletionTimestamp);
      if (freed) retryUnschedulable();
    },
    delete: (pod) => {
      const key = objectKey(pod.metadata);
      assumed.delete(key);
      unschedulable.delete(key);
      waitingForVolumes.delete(key);
      if (pod.spec.nodeName) retryUnschedulable();
    },
  });
  nodes.addHandlers({
    add: () => retryUnschedulable(),
    update: (old, node) => {
      if (schedulingFingerprint(old) !== schedulingFingerprint(node)) retryUnschedulable();
    },
  });
  const volumesChanged = (): void => {
    for (const key of waitingForVolumes) queue.add(key);
    retryUnschedulable();
  };
  for (const inf of [claims, volumes, classes]) inf.addHandlers({ add: volumesChanged, update: volumesChanged });
  const timer = setInterval(retryUnschedulable, UNSCHEDULABLE_RETRY_MS);
  timer.unref();

  return {
    name: 'scheduler',
    stop() {
      clearInterval(timer);
      queue.stop();
    },
  };
}
