// ReplicationControllers as `kubectl get rc` shows them: NAME DESIRED CURRENT READY AGE
// (+ CONTAINERS IMAGES SELECTOR).
import type { KubeObject, ReplicationController } from '../../api/types.js';
import { fieldDescription } from '../../apiserver/schema/registry.js';
import { ageColumn, asNumber, containerCells, formatLabels, nameColumn, since } from '../../apiserver/printers/format.js';
import { column, type KindPrinter, type PrintedRow } from '../../apiserver/printers/table.js';

const RC_SPEC = 'io.k8s.api.core.v1.ReplicationControllerSpec';
const RC_STATUS = 'io.k8s.api.core.v1.ReplicationControllerStatus';

export function printReplicationController(obj: KubeObject, now: Date): PrintedRow {
  const rc = obj as ReplicationController;
  const [names, images] = containerCells(rc.spec?.template?.spec?.containers);
  return {
    cells: [
      rc.metadata?.name ?? '',
      typeof rc.spec?.replicas === 'number' ? rc.spec.replicas : 1,
      asNumber(rc.status?.replicas),
      asNumber(rc.status?.readyReplicas),
      since(rc.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabels(rc.spec?.selector),
    ],
  };
}

export const replicationControllerPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Desired', 'integer', fieldDescription(RC_SPEC, 'replicas')),
    column('Current', 'integer', fieldDescription(RC_STATUS, 'replicas')),
    column('Ready', 'integer', fieldDescription(RC_STATUS, 'readyReplicas')),
    ageColumn(),
    column('Containers', 'string', 'Names of each container in the template.', 1),
    column('Images', 'string', 'Images referenced by each container in the template.', 1),
    column('Selector', 'string', fieldDescription(RC_SPEC, 'selector'), 1),
  ],
  print: printReplicationController,
};
