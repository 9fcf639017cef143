// Graceful pod termination, as kubelet does it: the grace period comes from the deletion
// (deletionGracePeriodSeconds, else the pod's terminationGracePeriodSeconds, else 30s); the
// containers stop accepting and finish what is in flight; once all are down (or the grace period
// ran out and what was left got cut) the node confirms with a DELETE of grace 0, guarded by the
// pod's uid so a new pod of the same name is never removed by mistake.
import { isApiError } from '../src/api/errors.js';
import { resourcePath } from '../src/api/paths.js';
import type { Pod } from '../src/api/types.js';
import type { ApiClient } from '../src/client/client.js';
import type { Logger } from '../src/log.js';
import type { ContainerRuntime } from './container-runtime.js';
import { PODS } from '../src/kinds/pod/resource.js';


export function gracePeriodMs(pod: Pod): number {
  const s = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
  return Math.max(0, s) * 1000;
}

/**
 * Stops every container at once, each within the grace period (preStop, SIGTERM, then the kill:
 * container-runtime.ts); resolves once all are down.
 */
export function terminateContainers(containers: ContainerRuntime[], graceMs: number): Promise<void> {
  return Promise.all(containers.map((c) => c.stop(graceMs))).then(() => undefined);
}

export interface ConfirmDeletionOptions {
  /** Give up after this long (the pod may be gone for good); default 5 minutes. */
  maxWaitMs?: number;
  isStopped?: () => boolean;
}

/**
 * DELETE pods/NAME with gracePeriodSeconds=0 and a uid precondition; retried while the API server
 * is unreachable. A pod already gone (404) or replaced (409 on the uid) needs nothing more.
 */
export async function confirmPodDeletion(client: ApiClient, pod: Pod, logger: Logger, opts: ConfirmDeletionOptions = {}): Promise<void> {
  const path = resourcePath(PODS, pod.metadata.namespace, pod.metadata.name);
  const body = { kind: 'DeleteOptions' as const, apiVersion: 'v1', gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } };
  const giveUpAt = Date.now() + (opts.maxWaitMs ?? 300_000);
  let waitMs = 200;
  for (;;) {
    try {
      await client.delete(path, body);
      return;
    } catch (err) {
      // Gone already, or the name now belongs to another pod (the uid precondition failed).
      if (isApiError(err) && (err.code === 404 || (err.code === 409 && err.message.includes('Precondition failed')))) return;
      if (Date.now() > giveUpAt || opts.isStopped?.()) {
        logger.warn({ err: (err as Error).message }, 'could not confirm the pod deletion; giving up');
        return;
      }
      logger.debug({ err: (err as Error).message }, 'could not confirm the pod deletion yet; retrying');
      await new Promise((r) => setTimeout(r, waitMs));
      waitMs = Math.min(waitMs * 2, 2000);
    }
  }
}
