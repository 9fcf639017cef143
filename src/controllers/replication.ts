// The ReplicationController controller: the replica controller (replica-controller.ts) for
// core/v1 RCs, whose selector is a label map (an RC without one selects by its template's labels,
// as API defaulting makes it).
import type { Pod, ReplicationController } from '../api/types.js';
import { REPLICATION_CONTROLLERS } from '../kinds/replicationcontroller/resource.js';
import { replicaStatus, startReplicaController } from './replica-controller.js';
import type { Controller, ControllerContext } from './types.js';

export { replicaStatus as replicationStatus };

/** The RC's selector; an RC without one selects by its template's labels (API defaulting). */
export function rcSelector(rc: ReplicationController): Record<string, string> {
  const sel = rc.spec.selector;
  if (sel && Object.keys(sel).length > 0) return sel;
  return rc.spec.template?.metadata?.labels ?? {};
}

function selects(rc: ReplicationController, pod: Pod): boolean {
  const entries = Object.entries(rcSelector(rc));
  if (entries.length === 0) return false;
  const labels = pod.metadata.labels ?? {};
  return entries.every(([k, v]) => labels[k] === v);
}

export function startReplicationController(ctx: ControllerContext): Controller {
  return startReplicaController<ReplicationController>(ctx, {
    resource: REPLICATION_CONTROLLERS,
    name: 'replication',
    component: 'replication-controller',
    selects,
  });
}
