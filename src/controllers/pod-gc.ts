// Pod garbage collection (upstream's podgc, orphaned pods only): a pod bound to a node that
// does not exist is deleted at once (grace 0: no kubelet will ever confirm it). A node must be
// missing for a quarantine period first, and is looked up live before anything is deleted, so
// a node that is just being registered (or a lagging cache) never costs a pod.
import { objectKey, resourcePath } from '../api/paths.js';
import type { Node, Pod } from '../api/types.js';
import { createWorkQueue } from '../client/workqueue.js';
import { isConflict, isNotFound } from './pods.js';
import type { Controller, ControllerContext } from './types.js';
import { NODES } from '../kinds/node/resource.js';
import { PODS } from '../kinds/pod/resource.js';

const SCAN_MS = 1000;

export function startPodGarbageCollector(ctx: ControllerContext): Controller {
  const { client, logger, config } = ctx;
  const log = logger.child({ controller: 'pod-gc' });
  const nodes = ctx.informers.forResource<Node>(NODES);
  const pods = ctx.informers.forResource<Pod>(PODS);
  // As long as a dead node's pods take to be evicted.
  const quarantineMs = (config.nodeLifecycle.nodeMonitorGracePeriodSeconds + config.nodeLifecycle.podEvictionTimeoutSeconds) * 1000;
  /** Node name -> when we first saw pods bound to it while it did not exist. */
  const missingSince = new Map<string, number>();

  async function nodeExists(name: string): Promise<boolean> {
    try {
      await client.get(resourcePath(NODES, undefined, name));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  const queue = createWorkQueue(
    'pod-gc',
    async (nodeName) => {
      await Promise.all([nodes.synced(), pods.synced()]);
      if (nodes.get(nodeName)) {
        missingSince.delete(nodeName);
        return;
      }
      const orphans = pods.list().filter((p) => p.spec.nodeName === nodeName);
      if (orphans.length === 0) {
        missingSince.delete(nodeName);
        return;
      }
      const since = missingSince.get(nodeName) ?? Date.now();
      missingSince.set(nodeName, since);
      if (Date.now() - since < quarantineMs) return;
      if (await nodeExists(nodeName)) return;
      for (const pod of orphans) {
        log.info({ pod: objectKey(pod.metadata), node: nodeName }, 'deleting pod bound to a node that does not exist');
        try {
          await client.delete(resourcePath(PODS, pod.metadata.namespace, pod.metadata.name), {
            gracePeriodSeconds: 0,
            preconditions: { uid: pod.metadata.uid },
          });
        } catch (err) {
          if (!isNotFound(err) && !isConflict(err)) throw err;
        }
      }
      missingSince.delete(nodeName);
    },
    { logger: log },
  );

  const scan = (): void => {
    const bound = new Set<string>();
    for (const p of pods.list()) if (p.spec.nodeName && !nodes.get(p.spec.nodeName)) bound.add(p.spec.nodeName);
    for (const name of missingSince.keys()) if (!bound.has(name)) missingSince.delete(name);
    for (const name of bound) queue.add(name);
  };
  const timer = setInterval(scan, SCAN_MS);
  timer.unref();

  return {
    name: 'pod-gc',
    stop() {
      clearInterval(timer);
      queue.stop();
    },
  };
}
