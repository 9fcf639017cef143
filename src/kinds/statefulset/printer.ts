// StatefulSets as `kubectl get sts` shows them: NAME READY AGE (+ CONTAINERS IMAGES).
import type { StatefulSet } from '../../api/apps.js';
import type { KubeObject } from '../../api/types.js';
import { ageColumn, asNumber, containerCells, nameColumn, since } from '../../apiserver/printers/format.js';
import { column, type KindPrinter, type PrintedRow } from '../../apiserver/printers/table.js';

export function printStatefulSet(obj: KubeObject, now: Date): PrintedRow {
  const sts = obj as StatefulSet;
  const [names, images] = containerCells(sts.spec?.template?.spec?.containers);
  const desired = typeof sts.spec?.replicas === 'number' ? sts.spec.replicas : 1;
  return { cells: [sts.metadata.name ?? '', `${asNumber(sts.status?.readyReplicas)}/${desired}`, since(sts.metadata.creationTimestamp, now), names, images] };
}

export const statefulSetPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Ready', 'string', 'Number of the pod with ready state'),
    ageColumn(),
    column('Containers', 'string', 'Names of each container in the template.', 1),
    column('Images', 'string', 'Images referenced by each container in the template.', 1),
  ],
  print: printStatefulSet,
};
