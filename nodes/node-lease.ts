// The node's Lease in kube-node-lease, renewed as kubelet renews it (holder = the node,
// 40 s duration, renewTime every 10 s), so `kubectl describe node` shows who holds it and when
// it was last renewed. The status heartbeat (heartbeat.ts) stays what the node lifecycle
// controller reads.
import { isApiError } from '../src/api/errors.js';
import { resourcePath } from '../src/api/paths.js';
import type { Lease, Node } from '../src/api/types.js';
import type { ApiClient } from '../src/client/client.js';
import type { Logger } from '../src/log.js';
import { LEASES } from '../src/kinds/lease/resource.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const LEASE_DURATION_SECONDS = 40;

/** MicroTime: RFC 3339 with microseconds, as the API writes lease times. */
function microTime(d = new Date()): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export interface NodeLease {
  stop(): void;
}

export function startNodeLease(deps: { client: ApiClient; node: Node; logger: Logger; renewIntervalMs?: number }): NodeLease {
  const name = deps.node.metadata.name!;
  const path = resourcePath(LEASES, NODE_LEASE_NAMESPACE, name);
  const intervalMs = deps.renewIntervalMs ?? 10_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  async function renew(): Promise<void> {
    const now = microTime();
    try {
      await deps.client.patch<Lease>(path, { spec: { holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: now } }, 'merge');
    } catch (err) {
      if (!(isApiError(err) && err.code === 404)) throw err;
      const lease: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: {
          name,
          namespace: NODE_LEASE_NAMESPACE,
          ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: deps.node.metadata.uid! }],
        },
        spec: { holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_SECONDS, acquireTime: now, renewTime: now },
      };
      await deps.client.create(resourcePath(LEASES, NODE_LEASE_NAMESPACE), lease);
    }
  }

  const tick = (): void => {
    if (stopped) return;
    renew().then(
      () => undefined,
      (err: unknown) => deps.logger.debug({ namespace: NODE_LEASE_NAMESPACE, name, err: (err as Error).message }, 'lease renewal failed; retrying'),
    );
    timer = setTimeout(tick, intervalMs);
  };
  tick();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
