// ReplicaSets as `kubectl get rs` shows them: NAME DESIRED CURRENT READY AGE (+ CONTAINERS
// IMAGES SELECTOR).
import type { ReplicaSet } from '../../api/apps.js';
import { formatLabelSelector } from '../../api/label-selector.js';
import type { KubeObject } from '../../api/types.js';
import { ageColumn, asNumber, containerCells, nameColumn, since } from '../../apiserver/printers/format.js';
import { column, type KindPrinter, type PrintedRow } from '../../apiserver/printers/table.js';
import { fieldDescription } from '../../apiserver/schema/registry.js';

const SPEC = 'io.k8s.api.apps.v1.ReplicaSetSpec';
const STATUS = 'io.k8s.api.apps.v1.ReplicaSetStatus';

export function printReplicaSet(obj: KubeObject, now: Date): PrintedRow {
  const rs = obj as ReplicaSet;
  const [names, images] = containerCells(rs.spec?.template?.spec?.containers);
  return {
    cells: [
      rs.metadata.name ?? '',
      typeof rs.spec?.replicas === 'number' ? rs.spec.replicas : 1,
      asNumber(rs.status?.replicas),
      asNumber(rs.status?.readyReplicas),
      since(rs.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(rs.spec?.selector),
    ],
  };
}

export const replicaSetPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Desired', 'integer', fieldDescription(SPEC, 'replicas')),
    column('Current', 'integer', fieldDescription(STATUS, 'replicas')),
    column('Ready', 'integer', fieldDescription(STATUS, 'readyReplicas')),
    ageColumn(),
    column('Containers', 'string', 'Names of each container in the template.', 1),
    column('Images', 'string', 'Images referenced by each container in the template.', 1),
    column('Selector', 'string', fieldDescription(SPEC, 'selector'), 1),
  ],
  print: printReplicaSet,
};
