// The ReplicaSet controller: the replica controller (replica-controller.ts) for apps/v1
// ReplicaSets, whose selector is a LabelSelector (matchLabels and matchExpressions; an empty one
// selects nothing here, as validation refuses it).
import type { ReplicaSet } from '../api/apps.js';
import { isEmptyLabelSelector, labelSelectorMatches } from '../api/label-selector.js';
import type { Pod } from '../api/types.js';
import { REPLICA_SETS } from '../kinds/replicaset/resource.js';
import { startReplicaController } from './replica-controller.js';
import type { Controller, ControllerContext } from './types.js';

function selects(rs: ReplicaSet, pod: Pod): boolean {
  return !isEmptyLabelSelector(rs.spec.selector) && labelSelectorMatches(rs.spec.selector, pod.metadata.labels);
}

export function startReplicaSetController(ctx: ControllerContext): Controller {
  return startReplicaController<ReplicaSet>(ctx, { resource: REPLICA_SETS, name: 'replicaset', component: 'replicaset-controller', selects });
}
