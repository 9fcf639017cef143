// The node lifecycle controller (upstream's nodelifecycle + taint-based eviction, in small):
// - a node whose Ready heartbeat has not moved for nodeMonitorGracePeriodSeconds turns Ready=Unknown
//   ("Kubelet stopped posting node status."), gets the node.kubernetes.io/unreachable taints
//   (NoSchedule and NoExecute) and a NodeNotReady event, and its pods turn Ready=False so the
//   endpoints drop them;
// - podEvictionTimeoutSeconds after the NoExecute taint was added, the node's pods are deleted
//   at once (grace 0: the node is gone) so their controllers recreate them elsewhere — unless no
//   node at all is Ready (upstream's full-disruption mode: evicting would help no one);
// - a node reporting Ready=False gets the node.kubernetes.io/not-ready taints instead;
// - once the node is Ready again, the taints are removed (the node agent sets Ready=True itself).
import { objectKey, resourcePath } from '../api/paths.js';
import type { Node, NodeCondition, Pod, PodCondition, Taint } from '../api/types.js';
import { createWorkQueue } from '../client/workqueue.js';
import { createEventRecorder } from './events.js';
import { isConflict, isNotFound, isPodTerminal, nowRfc3339, podCondition, timeOf } from './pods.js';
import { podTolerations, TAINT_NOT_READY, TAINT_UNREACHABLE, tolerates } from './scheduling.js';
import type { Controller, ControllerContext } from './types.js';
import { NODES } from '../kinds/node/resource.js';
import { PODS } from '../kinds/pod/resource.js';


const NODE_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];
const TICK_MS = 500;

export const NODE_STATUS_UNKNOWN_MESSAGE = 'Kubelet stopped posting node status.';
export const NODE_STATUS_NEVER_UPDATED_MESSAGE = 'Kubelet never posted node status.';

export type NodeHealth = 'Ready' | 'NotReady' | 'Unknown';

function readyCondition(node: Node): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === 'Ready');
}

/** When the node last said it was alive: its Ready heartbeat, else its creation. */
export function lastHeartbeat(node: Node): number | undefined {
  const ready = readyCondition(node);
  return timeOf(ready?.lastHeartbeatTime) ?? timeOf(ready?.lastTransitionTime) ?? timeOf(node.metadata.creationTimestamp);
}

export function nodeHealth(node: Node): NodeHealth {
  const status = readyCondition(node)?.status;
  return status === 'True' ? 'Ready' : status === 'False' ? 'NotReady' : 'Unknown';
}

/** The conditions of a node whose kubelet went quiet: every one Unknown, heartbeats kept. */
export function unknownConditions(node: Node, now: string): NodeCondition[] {
  const existing = node.status?.conditions ?? [];
  const out: NodeCondition[] = [];
  for (const c of existing) {
    if (!NODE_CONDITIONS.includes(c.type) || c.status === 'Unknown') {
      out.push(c);
      continue;
    }
    out.push({ ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: NODE_STATUS_UNKNOWN_MESSAGE, lastTransitionTime: now });
  }
  for (const type of NODE_CONDITIONS) {
    if (existing.some((c) => c.type === type)) continue;
    out.push({
      type,
      status: 'Unknown',
      reason: 'NodeStatusNeverUpdated',
      message: NODE_STATUS_NEVER_UPDATED_MESSAGE,
      lastHeartbeatTime: node.metadata.creationTimestamp ?? now,
      lastTransitionTime: now,
    });
  }
  return out;
}

/** The taints a node of this health carries (the lifecycle taints only; others are kept as they are). */
export function lifecycleTaints(health: NodeHealth): Array<Pick<Taint, 'key' | 'effect'>> {
  if (health === 'Unknown') return [{ key: TAINT_UNREACHABLE, effect: 'NoSchedule' }, { key: TAINT_UNREACHABLE, effect: 'NoExecute' }];
  if (health === 'NotReady') return [{ key: TAINT_NOT_READY, effect: 'NoSchedule' }, { key: TAINT_NOT_READY, effect: 'NoExecute' }];
  return [];
}

const isLifecycleTaint = (t: Taint): boolean => t.key === TAINT_UNREACHABLE || t.key === TAINT_NOT_READY;

/** The node's taints with the lifecycle taints made to match its health; undefined when nothing changes. */
export function reconcileTaints(node: Node, health: NodeHealth, now: string): Taint[] | undefined {
  const current = node.spec?.taints ?? [];
  const wanted = lifecycleTaints(health);
  const keep = current.filter((t) => !isLifecycleTaint(t) || wanted.some((w) => w.key === t.key && w.effect === t.effect));
  const missing = wanted.filter((w) => !current.some((t) => t.key === w.key && t.effect === w.effect));
  if (missing.length === 0 && keep.length === current.length) return undefined;
  return [...keep, ...missing.map((w) => ({ ...w, timeAdded: now }))];
}

/** A pod tolerating the taint with no time limit is never evicted for it. */
export function toleratesForever(pod: Pod, taint: Taint): boolean {
  return podTolerations(pod).some((t) => tolerates(t, taint) && t.tolerationSeconds === undefined);
}

export function startNodeLifecycleController(ctx: ControllerContext): Controller {
  const { client, logger, config } = ctx;
  const log = logger.child({ controller: 'node-lifecycle' });
  const events = createEventRecorder(client, 'node-controller', log);
  const nodes = ctx.informers.forResource<Node>(NODES);
  const pods = ctx.informers.forResource<Pod>(PODS);
  const graceMs = config.nodeLifecycle.nodeMonitorGracePeriodSeconds * 1000;
  const evictionMs = config.nodeLifecycle.podEvictionTimeoutSeconds * 1000;

  /**
   * When we last saw each node's heartbeat change, by our own clock (upstream's probeTimestamp):
   * a node is silent when its heartbeat has not moved for the grace period. A node first seen
   * (e.g. after a control-plane restart) gets a full grace period before it is judged.
   */
  const observed = new Map<string, { beat: number | undefined; at: number }>();
  function silentFor(node: Node, now: number): number {
    const name = node.metadata.name!;
    const beat = lastHeartbeat(node);
    let o = observed.get(name);
    if (!o || o.beat !== beat) {
      o = { beat, at: now };
      observed.set(name, o);
    }
    return now - o.at;
  }

  const podsOn = (nodeName: string): Pod[] => pods.list().filter((p) => p.spec.nodeName === nodeName && !isPodTerminal(p));

  async function markUnknown(node: Node): Promise<boolean> {
    const now = nowRfc3339();
    try {
      await client.patch(resourcePath(NODES, undefined, node.metadata.name, 'status'), {
        metadata: { resourceVersion: node.metadata.resourceVersion },
        status: { conditions: unknownConditions(node, now) },
      });
    } catch (err) {
      if (isNotFound(err)) return false;
      if (isConflict(err)) return false; // it changed (a heartbeat?): look again
      throw err;
    }
    log.warn({ node: node.metadata.name }, 'node stopped posting status: Ready=Unknown');
    events.normal(node, 'NodeNotReady', `Node ${node.metadata.name} status is now: NodeNotReady`);
    return true;
  }

  async function setTaints(node: Node, taints: Taint[]): Promise<void> {
    try {
      await client.patch(resourcePath(NODES, undefined, node.metadata.name), {
        metadata: { resourceVersion: node.metadata.resourceVersion },
        spec: { taints: taints.length ? taints : null },
      });
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) {
        queue.addAfter(node.metadata.name!, 50);
        return;
      }
      throw err;
    }
  }

  /** Upstream's MarkPodsNotReady: the node cannot vouch for its pods any more. */
  async function markPodsNotReady(nodeName: string): Promise<void> {
    for (const pod of podsOn(nodeName)) {
      const ready = podCondition(pod, 'Ready');
      if (!ready || ready.status === 'False') continue;
      const conditions: PodCondition[] = (pod.status?.conditions ?? []).map((c) =>
        c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: nowRfc3339() } : c,
      );
      try {
        await client.patch(resourcePath(PODS, pod.metadata.namespace, pod.metadata.name, 'status'), {
          metadata: { resourceVersion: pod.metadata.resourceVersion },
          status: { conditions },
        });
        events.warning(pod, 'NodeNotReady', 'Node is not ready');
      } catch (err) {
        if (isNotFound(err)) continue;
        if (isConflict(err)) {
          queue.addAfter(nodeName, 50);
          continue;
        }
        throw err;
      }
    }
  }

  async function evictPods(nodeName: string, taint: Taint): Promise<void> {
    for (const pod of podsOn(nodeName)) {
      if (toleratesForever(pod, taint)) continue;
      if (pod.metadata.deletionTimestamp && pod.metadata.deletionGracePeriodSeconds === 0) continue;
      log.info({ node: nodeName, pod: objectKey(pod.metadata) }, 'evicting pod from unreachable node');
      events.normal(pod, 'TaintManagerEviction', `Marking for deletion Pod ${pod.metadata.namespace}/${pod.metadata.name}`);
      try {
        await client.delete(resourcePath(PODS, pod.metadata.namespace, pod.metadata.name), {
          gracePeriodSeconds: 0,
          preconditions: { uid: pod.metadata.uid },
        });
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
  }

  const anyNodeReady = (): boolean => nodes.list().some((n) => nodeHealth(n) === 'Ready' && silentFor(n, Date.now()) <= graceMs);

  const queue = createWorkQueue(
    'node-lifecycle',
    async (name) => {
      await Promise.all([nodes.synced(), pods.synced()]);
      const node = nodes.get(name);
      if (!node) return;
      const now = Date.now();
      const health = nodeHealth(node);
      const stale = silentFor(node, now) > graceMs;

      if (stale && health !== 'Unknown') {
        // Next round (after the informer shows the change) taints and marks pods.
        if (await markUnknown(node)) return;
        queue.addAfter(name, 50);
        return;
      }
      const taints = reconcileTaints(node, health, nowRfc3339());
      if (taints) {
        await setTaints(node, taints);
        return; // continue from the updated node
      }
      if (health === 'Ready') return;

      if (health === 'Unknown') await markPodsNotReady(name);

      const noExecute = (node.spec?.taints ?? []).find((t) => isLifecycleTaint(t) && t.effect === 'NoExecute');
      if (!noExecute) return;
      const due = (timeOf(noExecute.timeAdded) ?? now) + evictionMs;
      if (now < due) {
        queue.addAfter(name, due - now + 10);
        return;
      }
      if (!anyNodeReady()) {
        log.debug({ node: name }, 'no node is ready: not evicting (full disruption)');
        return;
      }
      await evictPods(name, noExecute);
    },
    { logger: log },
  );

  nodes.addHandlers({
    add: (n) => queue.add(n.metadata.name!),
    update: (_o, n) => queue.add(n.metadata.name!),
    delete: (n) => observed.delete(n.metadata.name!),
  });
  // Pods bound to a node that is down are handled as they appear.
  pods.addHandlers({
    add: (p) => {
      if (p.spec.nodeName) {
        const n = nodes.get(p.spec.nodeName);
        if (n && nodeHealth(n) !== 'Ready') queue.add(p.spec.nodeName);
      }
    },
  });
  // Time passing is what turns a silent node Unknown: look at every node regularly.
  const timer = setInterval(() => {
    for (const n of nodes.list()) queue.add(n.metadata.name!);
  }, TICK_MS);
  timer.unref();

  return {
    name: 'node-lifecycle',
    stop() {
      clearInterval(timer);
      queue.stop();
    },
  };
}
