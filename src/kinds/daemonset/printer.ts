// DaemonSets as `kubectl get ds` shows them: NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE
// NODE SELECTOR AGE (+ CONTAINERS IMAGES SELECTOR).
import type { DaemonSet } from '../../api/apps.js';
import { formatLabelSelector } from '../../api/label-selector.js';
import type { KubeObject } from '../../api/types.js';
import { ageColumn, asNumber, containerCells, formatLabels, nameColumn, since } from '../../apiserver/printers/format.js';
import { column, type KindPrinter, type PrintedRow } from '../../apiserver/printers/table.js';
import { fieldDescription } from '../../apiserver/schema/registry.js';

const STATUS = 'io.k8s.api.apps.v1.DaemonSetStatus';
const SPEC = 'io.k8s.api.apps.v1.DaemonSetSpec';
const POD_SPEC = 'io.k8s.api.core.v1.PodSpec';

export function printDaemonSet(obj: KubeObject, now: Date): PrintedRow {
  const ds = obj as DaemonSet;
  const [names, images] = containerCells(ds.spec?.template?.spec?.containers);
  const s = ds.status;
  return {
    cells: [
      ds.metadata.name ?? '',
      asNumber(s?.desiredNumberScheduled),
      asNumber(s?.currentNumberScheduled),
      asNumber(s?.numberReady),
      asNumber(s?.updatedNumberScheduled),
      asNumber(s?.numberAvailable),
      formatLabels(ds.spec?.template?.spec?.nodeSelector),
      since(ds.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(ds.spec?.selector),
    ],
  };
}

export const daemonSetPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Desired', 'integer', fieldDescription(STATUS, 'desiredNumberScheduled')),
    column('Current', 'integer', fieldDescription(STATUS, 'currentNumberScheduled')),
    column('Ready', 'integer', fieldDescription(STATUS, 'numberReady')),
    column('Up-to-date', 'integer', fieldDescription(STATUS, 'updatedNumberScheduled')),
    column('Available', 'integer', fieldDescription(STATUS, 'numberAvailable')),
    column('Node Selector', 'string', fieldDescription(POD_SPEC, 'nodeSelector')),
    ageColumn(),
    column('Containers', 'string', 'Names of each container in the template.', 1),
    column('Images', 'string', 'Images referenced by each container in the template.', 1),
    column('Selector', 'string', fieldDescription(SPEC, 'selector'), 1),
  ],
  print: printDaemonSet,
};
